"""Single sign-on in a real browser: the login page's button, the provider's own login and
consent forms, back to the app in the right team, log out of both, and a tampered token."""

import os
from pathlib import Path

import pytest

from assessments import sso
from assessments.backends import OidcBackend
from assessments.models import GroupMappingRule, Membership, MembershipSource, Role

from ..factories import TeamFactory
from ..oidc_support import PROVIDER_PASSWORD
from ..test_oidc_login import _tamper
from .conftest import axe_violations

pytestmark = pytest.mark.django_db(transaction=True)
# Set to a folder to keep the pages' screenshots (at 1280 and 390 px wide) for a person to see.
SCREENSHOTS = os.environ.get("OIDC_SCREENSHOTS_DIR", "")


@pytest.fixture
def app_with_sso(live_server, settings, oidc_provider):
    oidc_provider.register_client(live_server.url)
    for name, value in oidc_provider.app_settings().items():
        setattr(settings, name, value)
    sso.forget_discovery()
    yield live_server
    sso.forget_discovery()


def screenshot(page, name):
    if not SCREENSHOTS:
        return
    folder = Path(SCREENSHOTS)
    folder.mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def sign_in_at_provider(page, app, username):
    page.goto(f"{app.url}/accounts/login/")
    page.get_by_role("link", name="Sign in with Test Provider").click()
    page.get_by_label("Provider username").fill(username)
    page.get_by_label("Provider password").fill(PROVIDER_PASSWORD)
    page.get_by_role("button", name="Sign in to the provider").click()
    page.get_by_role("button", name="Authorize").click()


def test_oidc_browser_login_group_mapping_and_logout(new_page, app_with_sso, oidc_provider):
    app = app_with_sso
    team = TeamFactory(name="Fraud Detection", slug="fraud-detection")
    GroupMappingRule.objects.create(
        organization=team.organization, group="ml-fraud", team=team, role=Role.LEAD
    )
    GroupMappingRule.objects.create(
        organization=team.organization, group="ml-admins", role=Role.ORG_ADMIN
    )
    oidc_provider.set_user("ada.sso", groups=["ml-fraud", "ml-admins"], first_name="Ada")
    page = new_page(viewport={"width": 1280, "height": 900})

    page.goto(f"{app.url}/accounts/login/")
    assert axe_violations(page) == []
    screenshot(page, "login-with-sso")
    sign_in_at_provider(page, app, "ada.sso")
    page.wait_for_url(f"{app.url}/")

    assert page.locator(".account-name").inner_text() == "ada.sso"
    assert page.get_by_role("link", name="Fraud Detection").count() >= 1
    membership = Membership.objects.get(user__username="ada.sso", team=team)
    assert (membership.role, membership.source) == (Role.LEAD, MembershipSource.SSO)

    # As an org admin through the provider's group, Ada manages the rules.
    page.get_by_role("link", name="Single sign-on group rules").click()
    page.get_by_label("Group", exact=True).fill("ml-search")
    page.get_by_label("Team", exact=True).select_option(label="Fraud Detection")
    page.get_by_label("Role").select_option(label="Member")
    page.get_by_role("button", name="Add the rule").click()
    page.get_by_text("Added: members of “ml-search”").wait_for()
    assert axe_violations(page) == []
    screenshot(page, "sso-rules")
    page.get_by_role("button", name="Delete the rule for ml-search (Fraud Detection)").click()
    page.get_by_text("Deleted the rule for “ml-search”").wait_for()
    assert not GroupMappingRule.objects.filter(group="ml-search").exists()

    # Log out: the app's session ends, and so does the provider's, back to the login page.
    page.locator(".account-menu summary").click()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{app.url}/accounts/login/")
    page.goto(f"{app.url}/")
    page.wait_for_url(f"{app.url}/accounts/login/?next=/")
    page.goto(f"{oidc_provider.url}/")
    assert "signed in: nobody" in page.content()


def test_oidc_browser_tampered_token_is_refused(new_page, app_with_sso, oidc_provider, monkeypatch):
    real_get_token = OidcBackend.get_token

    def tampered_get_token(self, payload):
        tokens = real_get_token(self, payload)
        return tokens | {"id_token": _tamper(tokens["id_token"])}

    monkeypatch.setattr(OidcBackend, "get_token", tampered_get_token)
    oidc_provider.set_user("mallory.sso", groups=[])
    page = new_page(viewport={"width": 1280, "height": 900})
    sign_in_at_provider(page, app_with_sso, "mallory.sso")
    page.wait_for_url(f"{app_with_sso.url}/accounts/login/")
    alert = page.locator(".messages").inner_text()
    assert "could not be verified" in alert
    assert axe_violations(page) == []
    screenshot(page, "login-refused")
    assert not Membership.objects.exists()
    from django.contrib.auth.models import User

    assert not User.objects.filter(username="mallory.sso").exists()


def test_oidc_browser_login_page_with_passwords_off(new_page, app_with_sso, settings):
    settings.LOCAL_PASSWORDS_ENABLED = False
    page = new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{app_with_sso.url}/accounts/login/")
    assert page.get_by_role("link", name="Sign in with Test Provider").is_visible()
    assert page.get_by_label("Password").count() == 0
    assert axe_violations(page) == []
    screenshot(page, "login-passwords-off")
