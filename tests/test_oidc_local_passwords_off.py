"""With single sign-on on, local passwords can be turned off: the form disappears and every
password login is refused by the backend (browser, admin, API token trade); API tokens and
single sign-on keep working."""

import pytest
from django.contrib.auth import authenticate
from rest_framework.test import APIClient

from assessments.services.tokens import api_token_create

from .test_oidc_login import oidc_sign_in

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


@pytest.fixture
def passwords_off(oidc_settings):
    oidc_settings.LOCAL_PASSWORDS_ENABLED = False
    return oidc_settings


def test_oidc_passwords_off_hides_the_password_form(client, passwords_off):
    page = client.get("/accounts/login/").content.decode()
    assert "Sign in with Test Provider" in page
    assert 'name="password"' not in page
    assert "Password log-in is turned off here" in page


def test_oidc_passwords_off_refuses_the_login_form(client, member, passwords_off):
    response = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 200
    assert "Password log-in is turned off here: sign in with Test Provider." in (
        response.content.decode()
    )
    assert not client.get("/").wsgi_request.user.is_authenticated


def test_oidc_passwords_off_refuses_the_backend_itself(member, passwords_off):
    assert authenticate(username="alice", password=PASSWORD) is None


def test_oidc_passwords_off_refuses_the_admin_login(client, passwords_off):
    from .factories import UserFactory

    UserFactory(username="root", is_staff=True, is_superuser=True)
    response = client.post("/admin/login/?next=/admin/", {"username": "root", "password": PASSWORD})
    assert response.status_code == 200  # the form again, not a redirect into the admin
    assert not client.get("/admin/").wsgi_request.user.is_authenticated


def test_oidc_passwords_off_refuses_the_api_token_trade(member, passwords_off):
    response = APIClient().post(
        "/api/v1/auth/token/",
        {"username": "alice", "password": PASSWORD, "name": "laptop"},
        format="json",
    )
    assert response.status_code == 403
    assert response.json()["detail"] == (
        "Password log-in is turned off here, so a password cannot be traded for a token: "
        "sign in with Test Provider and create a token on your profile page."
    )
    assert not member.api_tokens.exists()


def test_oidc_passwords_off_api_tokens_keep_working(member, passwords_off):
    _, plaintext = api_token_create(user=member, name="CI")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {plaintext}")
    assert api.get("/api/v1/teams/").status_code == 200


def test_oidc_passwords_off_single_sign_on_still_works(client, passwords_off, oidc_provider):
    oidc_provider.set_user("sso-only", groups=[])
    response = oidc_sign_in(client, oidc_provider, "sso-only")
    assert response["Location"] == "/"
    page = client.get("/").content.decode()
    assert "sso-only" in page
    assert "Change password" not in page


def test_oidc_passwords_on_password_login_still_works(client, member, oidc_settings):
    response = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert response["Location"] == "/"


def test_oidc_passwords_off_without_sso_is_refused_by_settings(tmp_path):
    import subprocess
    import sys

    from .live_server import ROOT

    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "mlmaturity.settings",
            "LOCAL_PASSWORDS_ENABLED": "false",
            "DATABASE_URL": f"sqlite:///{tmp_path}/db",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0
    assert "LOCAL_PASSWORDS_ENABLED=false needs single sign-on" in done.stderr


def test_oidc_profile_of_a_provider_account_says_where_the_password_is(
    client, oidc_settings, oidc_provider
):
    oidc_provider.set_user("pia", groups=[])
    oidc_sign_in(client, oidc_provider, "pia")
    page = client.get("/accounts/profile/").content.decode()
    assert "You sign in with Test Provider, which keeps your password." in page
    assert "Change your password" not in page
