import pytest
from django.urls import reverse

from .factories import UserFactory

PASSWORD = "correct horse battery staple"


@pytest.mark.django_db
def test_a_user_logs_in_and_lands_on_the_home_page(client):
    UserFactory(username="alice")
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


@pytest.mark.django_db
def test_a_wrong_password_is_refused_with_a_sentence(client):
    UserFactory(username="alice")
    response = client.post(reverse("login"), {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert "did not match" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_logout_needs_a_post_and_ends_the_session(client):
    client.force_login(UserFactory(username="alice"))
    assert client.get(reverse("logout")).status_code == 405
    client.post(reverse("logout"))
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_user_changes_the_password(client):
    user = UserFactory(username="alice")
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a much longer new secret 42",
            "new_password2": "a much longer new secret 42",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a much longer new secret 42")


@pytest.mark.django_db
def test_health_answers_when_the_database_does(client):
    response = client.get(reverse("health"))
    assert response.json() == {"status": "ok"}
