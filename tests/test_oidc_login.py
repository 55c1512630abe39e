"""OpenID Connect sign-in through the real test provider (tests/oidc_provider): Django's test
client is the app's browser, a requests session signed in at the provider is the provider's,
and the app trades the code for tokens with the provider over HTTP."""

import base64
import json
import time
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.core.exceptions import SuspiciousOperation

from assessments.backends import OidcBackend
from assessments.models import (
    AuditAction,
    AuditEvent,
    GroupMappingRule,
    Membership,
    MembershipSource,
    Role,
    SsoIdentity,
)

from .factories import MembershipFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def oidc_sign_in(client, provider, username, *, next_url=""):
    """Start at the app, sign in and consent at the provider, come back to the app's callback;
    returns the app's answer to the callback."""
    start = client.get("/oidc/authenticate/" + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302, start.content
    assert start["Location"].startswith(f"{provider.issuer}/authorize/")
    browser = provider.signed_in(username)
    callback = provider.approve(browser, start["Location"])
    parts = urlsplit(callback)
    assert parts.path == "/oidc/callback/", callback
    return client.get(f"{parts.path}?{parts.query}")


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_oidc_login_page_shows_the_provider_button(client, oidc_settings):
    page = client.get("/accounts/login/")
    text = page.content.decode()
    assert "Sign in with Test Provider" in text
    assert 'href="/oidc/authenticate/"' in text
    assert 'name="password"' in text  # local passwords still on


def test_oidc_login_page_is_unchanged_without_oidc(client, settings):
    settings.OIDC_ISSUER = ""
    text = client.get("/accounts/login/").content.decode()
    assert "Sign in with" not in text
    assert 'name="password"' in text
    assert client.get("/oidc/authenticate/").status_code == 404


def test_oidc_first_login_creates_the_user(client, oidc_settings, oidc_provider):
    subject = oidc_provider.set_user(
        "grace.hopper", groups=[], email="grace@example.org", first_name="Grace"
    )
    response = oidc_sign_in(client, oidc_provider, "grace.hopper")
    assert response.status_code == 302
    assert response["Location"] == "/"
    user = User.objects.get(username="grace.hopper")
    assert user.email == "grace@example.org"
    assert user.first_name == "Grace"
    assert not user.has_usable_password()
    assert SsoIdentity.objects.get(user=user).subject == subject
    assert client.get("/").wsgi_request.user == user
    # A second sign-in finds the same account rather than making another.
    client.logout()
    oidc_sign_in(client, oidc_provider, "grace.hopper")
    assert User.objects.filter(email="grace@example.org").count() == 1


def test_oidc_login_makes_a_taken_username_unique(client, oidc_settings, oidc_provider):
    UserFactory(username="ada")  # a local account that happens to have the same name
    oidc_provider.set_user("ada", groups=[], email="ada.l@example.org")
    oidc_sign_in(client, oidc_provider, "ada")
    user = SsoIdentity.objects.get().user
    assert user.username == "ada-2"


def test_oidc_login_returns_to_the_page_asked_for(client, oidc_settings, oidc_provider):
    oidc_provider.set_user("nina", groups=[])
    response = oidc_sign_in(client, oidc_provider, "nina", next_url="/methodology/")
    assert response["Location"] == "/methodology/"


def test_oidc_groups_map_to_team_and_org_roles(client, oidc_settings, oidc_provider):
    team = TeamFactory(name="Fraud Detection", slug="fraud-detection")
    other = TeamFactory(organization=team.organization, name="Search", slug="search")
    org = team.organization
    GroupMappingRule.objects.create(organization=org, group="ml-fraud", team=team, role=Role.LEAD)
    GroupMappingRule.objects.create(
        organization=org, group="ml-search", team=other, role=Role.MEMBER
    )
    GroupMappingRule.objects.create(organization=org, group="ml-admins", role=Role.ORG_ADMIN)
    oidc_provider.set_user("lin", groups=["ml-fraud", "ml-admins", "unrelated"])

    oidc_sign_in(client, oidc_provider, "lin")

    user = User.objects.get(username="lin")
    held = {(m.team_id, m.role, m.source) for m in Membership.objects.filter(user=user)}
    assert held == {
        (team.pk, Role.LEAD, MembershipSource.SSO),
        (None, Role.ORG_ADMIN, MembershipSource.SSO),
    }
    granted = AuditEvent.objects.filter(action=AuditAction.MEMBERSHIP_GRANTED_BY_SSO)
    assert {e.details["group"] for e in granted} == {"ml-fraud", "ml-admins"}
    assert all(e.actor is None for e in granted)
    # The user lands on a home page that shows the team.
    assert "Fraud Detection" in client.get("/").content.decode()


def test_oidc_group_removed_removes_only_the_rule_granted_membership(
    client, oidc_settings, oidc_provider
):
    team = TeamFactory(name="Fraud Detection", slug="fraud-detection")
    other = TeamFactory(organization=team.organization, name="Search", slug="search")
    org = team.organization
    GroupMappingRule.objects.create(organization=org, group="ml-fraud", team=team, role=Role.LEAD)
    GroupMappingRule.objects.create(
        organization=org, group="ml-search", team=other, role=Role.MEMBER
    )
    oidc_provider.set_user("max", groups=["ml-fraud", "ml-search"])
    oidc_sign_in(client, oidc_provider, "max")
    user = User.objects.get(username="max")
    # An admin also puts the user in a third team by hand, and takes over the Search one.
    third = TeamFactory(organization=org, name="Pricing", slug="pricing")
    MembershipFactory(user=user, team=third, role=Role.MEMBER)
    Membership.objects.filter(user=user, team=other).update(source=MembershipSource.MANUAL)

    client.logout()
    oidc_provider.set_user("max", groups=[])  # left both groups at the provider
    oidc_sign_in(client, oidc_provider, "max")

    left = {(m.team_id, m.source) for m in Membership.objects.filter(user=user)}
    assert left == {(other.pk, MembershipSource.MANUAL), (third.pk, MembershipSource.MANUAL)}
    removed = AuditEvent.objects.get(action=AuditAction.MEMBERSHIP_REMOVED_BY_SSO)
    assert removed.team == team
    assert removed.details == {"username": "max", "role": Role.LEAD}


def test_oidc_group_role_change_follows_the_rules(client, oidc_settings, oidc_provider):
    team = TeamFactory(name="Fraud Detection", slug="fraud-detection")
    org = team.organization
    GroupMappingRule.objects.create(organization=org, group="readers", team=team, role=Role.VIEWER)
    GroupMappingRule.objects.create(organization=org, group="leads", team=team, role=Role.LEAD)
    oidc_provider.set_user("ivo", groups=["readers", "leads"])
    oidc_sign_in(client, oidc_provider, "ivo")
    user = User.objects.get(username="ivo")
    assert Membership.objects.get(user=user).role == Role.LEAD  # the strongest rule wins
    client.logout()
    oidc_provider.set_user("ivo", groups=["readers"])
    oidc_sign_in(client, oidc_provider, "ivo")
    assert Membership.objects.get(user=user).role == Role.VIEWER
    assert AuditEvent.objects.filter(action=AuditAction.MEMBERSHIP_ROLE_CHANGED).exists()


def test_oidc_hand_made_membership_is_not_changed_by_a_rule(client, oidc_settings, oidc_provider):
    team = TeamFactory(name="Fraud Detection", slug="fraud-detection")
    GroupMappingRule.objects.create(
        organization=team.organization, group="ml-fraud", team=team, role=Role.VIEWER
    )
    oidc_provider.set_user("kim", groups=["ml-fraud"], email="kim@example.org")
    local = UserFactory(username="kim", email="kim@example.org")
    MembershipFactory(user=local, team=team, role=Role.LEAD)
    oidc_sign_in(client, oidc_provider, "kim")
    # The provider vouches for the email: the existing account is the one signed in.
    assert SsoIdentity.objects.get().user == local
    membership = Membership.objects.get(user=local)
    assert (membership.role, membership.source) == (Role.LEAD, MembershipSource.MANUAL)


def _tamper(token: str) -> str:
    """The same token with one claim changed and the provider's signature kept."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["groups"] = ["ml-admins"]
    claims["email"] = "mallory@example.org"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def test_oidc_tampered_id_token_is_refused(client, oidc_settings, oidc_provider, monkeypatch):
    real_get_token = OidcBackend.get_token

    def tampered_get_token(self, payload):
        tokens = real_get_token(self, payload)
        return tokens | {"id_token": _tamper(tokens["id_token"])}

    monkeypatch.setattr(OidcBackend, "get_token", tampered_get_token)
    oidc_provider.set_user("mallory", groups=[])

    response = oidc_sign_in(client, oidc_provider, "mallory")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert not User.objects.exists()
    assert not client.get("/").wsgi_request.user.is_authenticated
    [message] = messages_of(response)
    assert "could not be verified" in message
    assert "Signature verification failed" in message
    page = client.get("/accounts/login/")
    assert "could not be verified" in page.content.decode()


@pytest.mark.parametrize(
    "change",
    [
        {"aud": "another-client"},
        {"iss": "http://127.0.0.1:1/o"},
        {"exp": -3600},
        {"sub": None},
    ],
    ids=["audience", "issuer", "expired", "no-subject"],
)
def test_oidc_token_checks_refuse_audience_issuer_expiry(oidc_settings, oidc_provider, change):
    """A well-signed token that is not for this client, not from this issuer or too old."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(time.time())
    claims = {
        "iss": oidc_provider.issuer,
        "aud": oidc_settings.OIDC_RP_CLIENT_ID,
        "sub": "1",
        "iat": now,
        "exp": now + 300,
    }
    backend = OidcBackend()
    good = jwt.encode(claims, key, algorithm="RS256")
    assert backend._verify_jws(good, key.public_key())["sub"] == "1"
    bad = claims | change
    if "exp" in change:
        bad["exp"] = now + change["exp"]
    bad = {k: v for k, v in bad.items() if v is not None}
    with pytest.raises(SuspiciousOperation):
        backend._verify_jws(jwt.encode(bad, key, algorithm="RS256"), key.public_key())


def test_oidc_token_signed_with_the_client_secret_is_refused(oidc_settings, oidc_provider):
    """No algorithm confusion: an HS256 token made with the shared secret is not accepted."""
    now = int(time.time())
    claims = {"iss": oidc_provider.issuer, "aud": oidc_settings.OIDC_RP_CLIENT_ID, "sub": "1"}
    token = jwt.encode(
        claims | {"iat": now, "exp": now + 300},
        oidc_settings.OIDC_RP_CLIENT_SECRET,
        algorithm="HS256",
    )
    with pytest.raises(SuspiciousOperation, match="HS256"):
        OidcBackend()._verify_jws(token, oidc_settings.OIDC_RP_CLIENT_SECRET)


def test_oidc_replayed_callback_is_refused(client, oidc_settings, oidc_provider):
    oidc_provider.set_user("rita", groups=[])
    start = client.get("/oidc/authenticate/")
    callback = oidc_provider.approve(oidc_provider.signed_in("rita"), start["Location"])
    parts = urlsplit(callback)
    assert client.get(f"{parts.path}?{parts.query}")["Location"] == "/"
    client.logout()
    again = client.get(f"{parts.path}?{parts.query}")
    assert again["Location"] == "/accounts/login/"
    assert not client.get("/").wsgi_request.user.is_authenticated


def test_oidc_provider_refusal_is_explained(client, oidc_settings, oidc_provider):
    start = client.get("/oidc/authenticate/")
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]
    response = client.get(
        f"/oidc/callback/?error=access_denied&error_description=Consent+refused&state={state}"
    )
    assert response["Location"] == "/accounts/login/"
    assert messages_of(response) == ["Test Provider did not sign you in: access was refused."]
    # A description in the address is not shown: anyone can make such a link.
    response = client.get("/oidc/callback/?error=x&error_description=Call+0800+to+unlock")
    assert messages_of(response)[-1] == (
        "Test Provider did not sign you in: it answered with an error."
    )


def test_oidc_code_refused_by_the_provider_is_explained(
    client, oidc_settings, oidc_provider, monkeypatch
):
    """The code is traded once: a second trade (or an expired code) is refused by the provider."""
    real_get_token = OidcBackend.get_token

    def trade_twice(self, payload):
        real_get_token(self, dict(payload))
        return real_get_token(self, payload)

    monkeypatch.setattr(OidcBackend, "get_token", trade_twice)
    oidc_provider.set_user("twice", groups=[])
    response = oidc_sign_in(client, oidc_provider, "twice")
    assert response["Location"] == "/accounts/login/"
    [message] = messages_of(response)
    assert message.startswith("Test Provider refused to finish signing you in")
    assert not User.objects.exists()


def test_oidc_logout_ends_the_session_at_the_provider_too(client, oidc_settings, oidc_provider):
    oidc_provider.set_user("lou", groups=[])
    oidc_sign_in(client, oidc_provider, "lou")
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{oidc_provider.issuer}/logout/"
    query = parse_qs(target.query)
    assert query["post_logout_redirect_uri"] == ["http://testserver/accounts/login/"]
    assert query["id_token_hint"][0].count(".") == 2
    assert not client.get("/").wsgi_request.user.is_authenticated


def test_oidc_password_user_logout_stays_local(client, oidc_settings, member):
    client.force_login(member, backend="assessments.backends.LockoutModelBackend")
    response = client.post("/accounts/logout/")
    assert response["Location"] == "/accounts/login/"


def test_oidc_content_security_policy_lets_forms_lead_to_the_provider(client, oidc_settings):
    policy = client.get("/accounts/login/")["Content-Security-Policy"]
    assert f"form-action 'self' {oidc_settings.OIDC_ISSUER.rsplit('/o', 1)[0]};" in policy
    oidc_settings.OIDC_ISSUER = ""
    assert "form-action 'self';" in client.get("/accounts/login/")["Content-Security-Policy"]


def test_oidc_deactivated_user_loses_the_session_and_cannot_sign_in(
    client, oidc_settings, oidc_provider
):
    oidc_provider.set_user("gone", groups=[])
    oidc_sign_in(client, oidc_provider, "gone")
    User.objects.filter(username="gone").update(is_active=False)
    assert not client.get("/").wsgi_request.user.is_authenticated
    response = oidc_sign_in(client, oidc_provider, "gone")
    assert response["Location"] == "/accounts/login/"
    assert not client.get("/").wsgi_request.user.is_authenticated


def test_oidc_provider_unreachable_is_explained(client, oidc_settings):
    from .live_server import free_port

    oidc_settings.OIDC_ISSUER = f"http://127.0.0.1:{free_port()}/o"  # nobody listens there
    response = client.get("/oidc/authenticate/")
    assert response["Location"] == "/accounts/login/"
    [message] = messages_of(response)
    assert message.startswith("Test Provider could not be reached")


def test_oidc_explicit_endpoints_need_no_discovery(
    client, oidc_settings, oidc_provider, monkeypatch
):
    from assessments import sso

    issuer = oidc_provider.issuer
    oidc_settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{issuer}/authorize/"
    oidc_settings.OIDC_OP_TOKEN_ENDPOINT = f"{issuer}/token/"
    oidc_settings.OIDC_OP_USER_ENDPOINT = f"{issuer}/userinfo/"
    oidc_settings.OIDC_OP_JWKS_ENDPOINT = f"{issuer}/.well-known/jwks.json"

    def no_discovery(issuer):
        raise AssertionError("discovery was not needed")

    monkeypatch.setattr(sso, "_discovery", no_discovery)
    oidc_provider.set_user("explicit", groups=[])
    assert oidc_sign_in(client, oidc_provider, "explicit")["Location"] == "/"
    # Without an end-session endpoint, log-out ends the app's session and stays here.
    assert client.post("/accounts/logout/")["Location"] == "/accounts/login/"


def test_oidc_discovery_of_another_issuer_is_refused(oidc_settings, oidc_provider, monkeypatch):
    """A discovery document must be the issuer's own: one naming another issuer is refused."""
    import requests

    from assessments import sso

    real_get = requests.get

    def answer_for_another_issuer(url, **kwargs):
        response = real_get(url, **kwargs)
        document = response.json() | {"issuer": "http://127.0.0.1:1/elsewhere"}
        response._content = json.dumps(document).encode()
        return response

    monkeypatch.setattr(sso.requests, "get", answer_for_another_issuer)
    with pytest.raises(sso.ProviderUnavailable, match="names another issuer"):
        sso.provider()
