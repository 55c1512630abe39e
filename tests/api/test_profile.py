"""The profile page: personal API tokens are created (shown once), listed and revoked."""

import re

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.models import ApiToken
from assessments.services.tokens import api_token_create, hash_token

from ..factories import UserFactory


def _new_token_value(html: str) -> str:
    match = re.search(r'id="new-token-value"[^>]*value="([^"]+)"', html)
    return match.group(1) if match else ""


def test_the_profile_page_needs_a_login(client, db):
    response = client.get(reverse("profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_created_token_is_shown_once_and_works(client, member):
    client.force_login(member)
    response = client.post(reverse("profile"), {"name": "CI pipeline"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    plaintext = _new_token_value(response.content.decode())
    token = ApiToken.objects.get(user=member)
    assert token.name == "CI pipeline"
    assert token.key_hash == hash_token(plaintext)
    again = client.get(reverse("profile")).content.decode()
    assert plaintext not in again
    assert token.prefix in again
    api = Client(HTTP_AUTHORIZATION=f"Token {plaintext}")
    assert api.get("/api/v1/teams/").status_code == 200


def test_the_list_shows_name_prefix_and_last_use(client, member):
    token, _ = api_token_create(user=member, name="BI export")
    client.force_login(member)
    page = client.get(reverse("profile")).content.decode()
    assert "BI export" in page
    assert token.prefix in page
    assert "Never" in page


def test_a_token_needs_a_name(client, member):
    client.force_login(member)
    response = client.post(reverse("profile"), {"name": "  "})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_a_user_revokes_a_token(client, member):
    token, plaintext = api_token_create(user=member, name="old")
    client.force_login(member)
    response = client.post(reverse("api_token_revoke", args=[token.pk]), follow=True)
    assert response.status_code == 200
    assert "revoked" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    api = Client(HTTP_AUTHORIZATION=f"Token {plaintext}")
    assert api.get("/api/v1/teams/").status_code == 401


def test_nobody_revokes_someone_elses_token(client, member):
    token, _ = api_token_create(user=member, name="mine")
    client.force_login(UserFactory(username="eve"))
    assert client.post(reverse("api_token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoking_needs_a_post(client, member):
    token, _ = api_token_create(user=member, name="mine")
    client.force_login(member)
    assert client.get(reverse("api_token_revoke", args=[token.pk])).status_code == 405


def test_the_forms_are_csrf_protected(member):
    token, _ = api_token_create(user=member, name="mine")
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    page = client.get(reverse("profile")).content.decode()
    assert page.count("csrfmiddlewaretoken") == page.count('<form method="post"') >= 3
    assert client.post(reverse("profile"), {"name": "x"}).status_code == 403
    assert client.post(reverse("api_token_revoke", args=[token.pk])).status_code == 403
    assert ApiToken.objects.count() == 1


def test_the_page_has_no_inline_script_or_style(client, member):
    client.force_login(member)
    api_token_create(user=member, name="mine")
    page = client.post(reverse("profile"), {"name": "new"}).content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert " style=" not in page
    assert "<style" not in page


def test_the_token_list_runs_as_many_queries_for_twelve_tokens_as_for_two(client, member):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("profile")).status_code == 200
        return len(captured.captured_queries)

    client.force_login(member)
    for number in range(2):
        api_token_create(user=member, name=f"token {number}")
    with_two = queries()
    for number in range(2, 12):
        api_token_create(user=member, name=f"token {number}")
    assert queries() == with_two
    assert "token 11" in client.get(reverse("profile")).content.decode()
