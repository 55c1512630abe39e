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
    assert "Please enter a correct username and password" in response.content.decode()
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


@pytest.mark.django_db
def test_repeated_wrong_passwords_lock_the_browser_login_even_for_the_right_one(client):
    from assessments.services.login_guard import ATTEMPT_LIMIT

    UserFactory(username="alice")
    for _ in range(ATTEMPT_LIMIT):
        client.post(reverse("login"), {"username": "alice", "password": "nope"})
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed log-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_guesses_cannot_exceed_the_attempt_limit(monkeypatch):
    """Attempts are counted before the password is checked, atomically in the shared cache."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from django.contrib.auth import authenticate
    from django.contrib.auth.backends import ModelBackend
    from django.db import connection

    from assessments.services.login_guard import ATTEMPT_LIMIT, login_is_locked_out

    UserFactory(username="alice")
    password_checks = []
    lock = threading.Lock()
    real_check = ModelBackend.authenticate

    def counting_check(self, request, **credentials):
        with lock:
            password_checks.append(credentials["password"])
        return real_check(self, request, **credentials)

    monkeypatch.setattr(ModelBackend, "authenticate", counting_check)

    def guess(number):
        try:
            return authenticate(username="alice", password=f"guess-{number}")
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(guess, range(40)))
    assert results == [None] * 40
    assert len(password_checks) == ATTEMPT_LIMIT
    assert login_is_locked_out(username="alice")
    assert authenticate(username="alice", password=PASSWORD) is None
