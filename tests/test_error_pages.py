"""The app's own error pages, in production mode (pytest-django runs with DEBUG off).

Each page: its status, one plain sentence, a way back, the site's frame (base.html and its
icon), no exception text or stack trace, and user text shown as text. Under /api/ the answers
keep the API's JSON error shape.
"""

import pytest
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import Client
from django.urls import include, path, reverse

from assessments.models import Repository, Role
from assessments.services.login_guard import ATTEMPT_LIMIT, LOCKOUT_SECONDS
from assessments.views import errors
from mlmaturity.urls import handler400, handler403, handler404, handler500

from .factories import MembershipFactory, UserFactory

PASSWORD = "correct horse battery staple"
SECRET = "secret internals: password=hunter2"


def _crash(request):
    raise RuntimeError(SECRET)


def _refuse_without_reason(request):
    raise PermissionDenied


def _ok(request):
    return HttpResponse("ok")


# The project's own URLs plus views that fail on purpose; Django looks the handlers up here.
urlpatterns = [
    path("crash/", _crash),
    path("api/crash/", _crash),
    path("refuse/", _refuse_without_reason),
    path("form/", _ok),
    path("api/form/", _ok),
    path("", include("mlmaturity.urls")),
]
__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


@pytest.fixture(autouse=True)
def _failing_views_routed(settings):
    settings.ROOT_URLCONF = __name__


def error_page(response, status: int, sentence: str) -> str:
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert sentence in body
    assert 'class="site-header"' in body  # the page extends base.html
    assert 'rel="icon" href="/static/favicon.svg"' in body
    for leak in ("Traceback", "RuntimeError", SECRET, "CSRF verification failed"):
        assert leak not in body
    return body


def api_error(response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["error"]["code"] == code
    assert body["detail"] == body["error"]["message"]
    return body


# --- 404 ---------------------------------------------------------------------------------------


def test_an_unknown_address_answers_404_with_a_way_to_the_teams(client, member):
    client.force_login(member)
    body = error_page(client.get("/no/such/page/"), 404, "There is no page at this address.")
    assert f'href="{reverse("home")}"' in body
    assert "Go to your teams" in body


def test_another_teams_page_looks_exactly_like_a_missing_one(client, team, other_team_member):
    client.force_login(other_team_member)
    body = error_page(
        client.get(reverse("team_detail", args=[team.slug])), 404, "There is no page at"
    )
    assert "ask them to add you to their team" in body
    assert team.name not in body


def test_a_visitor_who_is_not_logged_in_is_offered_the_log_in(client, db):
    body = error_page(client.get("/no/such/page/"), 404, "There is no page at this address.")
    assert f'href="{reverse("login")}"' in body


def test_the_404_page_shows_the_address_as_text(client, member):
    client.force_login(member)
    body = error_page(client.get("/<img src=x onerror=alert(1)>/"), 404, "There is no page")
    assert "&lt;img src=x onerror=alert(1)&gt;" in body
    assert "<img src=x" not in body


def test_an_unknown_api_address_outside_v1_answers_in_the_error_shape(client, member):
    client.force_login(member)
    api_error(client.get("/api/nothing/"), 404, "not_found")


# --- 403 ---------------------------------------------------------------------------------------


def test_a_member_on_a_lead_only_page_is_told_who_can_do_it(client, team, member, lead, org_admin):
    client.force_login(member)
    response = client.get(reverse("repository_connect", args=[team.slug]))
    body = error_page(response, 403, "Only team leads and org admins can connect repositories.")
    assert "You are a <strong>member</strong> of Fraud Detection." in body
    assert "Team lead</dt>" in body
    assert "<dd>lena</dd>" in body
    assert f"Admin of {team.organization.name}</dt>" in body
    assert "<dd>olga</dd>" in body
    assert f'href="{reverse("team_detail", args=[team.slug])}"' in body
    assert "Back to Fraud Detection" in body


def test_a_member_who_starts_a_scan_is_told_who_can(client, team, member, lead):
    repository = Repository.objects.create(team=team, url="https://github.com/acme/models.git")
    client.force_login(member)
    response = client.post(reverse("repository_scan", args=[repository.pk]))
    body = error_page(response, 403, "Only team leads and org admins can start scans.")
    assert "<dd>lena</dd>" in body
    assert not repository.scans.exists()


def test_several_leads_are_all_named_and_inactive_ones_left_out(client, team, member, lead):
    MembershipFactory(team=team, user=UserFactory(username="leo"), role=Role.LEAD)
    MembershipFactory(team=team, user=UserFactory(username="gone", is_active=False), role=Role.LEAD)
    client.force_login(member)
    body = error_page(
        client.get(reverse("repository_connect", args=[team.slug])), 403, "Only team leads"
    )
    assert "Team leads</dt>" in body
    assert "<dd>lena, leo</dd>" in body
    assert "gone" not in body


def test_a_team_without_a_lead_points_to_the_organisations_admins(client, team, member):
    client.force_login(member)
    body = error_page(
        client.get(reverse("repository_connect", args=[team.slug])), 403, "Only team leads"
    )
    assert "has no team lead yet" in body


def test_the_403_page_shows_team_and_organisation_names_as_text(client, team, member, lead):
    hostile = "<script>alert(1)</script>"
    team.name = f"Fraud {hostile}"
    team.save()
    team.organization.name = f"Northwind {hostile}"
    team.organization.save()
    client.force_login(member)
    body = error_page(
        client.get(reverse("repository_connect", args=[team.slug])), 403, "Only team leads"
    )
    assert "Fraud &lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert hostile not in body


def test_a_viewer_who_posts_answers_gets_the_refusals_own_sentence(client, team, viewer):
    from assessments.services.assessments import assessment_start

    draft = assessment_start(team=team, user=MembershipFactory(team=team).user)
    client.force_login(viewer)
    response = client.post(reverse("questionnaire_section", args=[draft.pk, "context"]), {})
    error_page(response, 403, "Viewers can read the questionnaire but not answer it.")


def test_a_refusal_without_a_reason_still_says_what_happened(client, member):
    client.force_login(member)
    body = error_page(client.get("/refuse/"), 403, "You do not have permission to see this page.")
    assert "ask a lead of your team" in body


# --- 500 ---------------------------------------------------------------------------------------


def test_a_crash_answers_500_without_the_exception_or_a_stack_trace(member):
    client = Client(raise_request_exception=False)
    client.force_login(member)
    body = error_page(client.get("/crash/"), 500, "Something went wrong on our side.")
    assert "The error has been logged" in body
    assert f'href="{reverse("home")}"' in body


def test_the_500_page_needs_no_database(rf):
    # Without the db fixture any query raises: the page renders with the database gone.
    response = errors.server_error(rf.get("/crash/"))
    assert response.status_code == 500
    assert "Something went wrong on our side." in response.content.decode()


def test_when_even_the_500_page_fails_a_plain_sentence_goes_out(rf, monkeypatch):
    def broken(name):
        raise ValueError("Missing staticfiles manifest entry")

    monkeypatch.setattr(errors.loader, "get_template", broken)
    response = errors.server_error(rf.get("/crash/"))
    assert response.status_code == 500
    assert response.content.decode() == (
        "Something went wrong on our side, and the error has been logged. Try again in a minute."
    )


def test_a_crash_under_the_api_answers_in_the_error_shape(member):
    client = Client(raise_request_exception=False)
    client.force_login(member)
    body = api_error(client.get("/api/crash/"), 500, "server_error")
    assert SECRET not in str(body)


# --- 429 ---------------------------------------------------------------------------------------


def test_a_locked_out_login_answers_429_with_when_to_try_again(client, db):
    UserFactory(username="alice")
    for _ in range(ATTEMPT_LIMIT):
        client.post(reverse("login"), {"username": "alice", "password": "nope"})
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    body = error_page(response, 429, "Too many failed log-in attempts for this username.")
    assert response["Retry-After"] == str(LOCKOUT_SECONDS)
    assert f"Please wait {LOCKOUT_SECONDS // 60} minutes and try again." in body
    assert f'href="{reverse("login")}"' in body
    assert "_auth_user_id" not in client.session


def test_the_429_page_does_not_echo_the_username(client, db):
    hostile = "<img src=x onerror=alert(1)>"
    for _ in range(ATTEMPT_LIMIT + 1):
        response = client.post(reverse("login"), {"username": hostile, "password": "nope"})
    body = error_page(response, 429, "Too many failed log-in attempts")
    assert "<img src=x" not in body


# --- CSRF failure ------------------------------------------------------------------------------


def test_a_form_without_its_token_answers_403_and_says_nothing_was_saved(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "alice", "password": "nope"})
    body = error_page(response, 403, "Your form could not be sent, so nothing was saved.")
    assert "reload the page and send the form again" in body
    assert f'href="{reverse("home")}"' in body


def test_the_csrf_page_leads_back_to_the_form_it_came_from(db):
    client = Client(enforce_csrf_checks=True)
    form = 'http://testserver/form/?next="><script>alert(1)</script>'
    response = client.post("/form/", {}, HTTP_REFERER=form)
    body = error_page(response, 403, "Your form could not be sent")
    assert "Back to the form" in body
    assert 'href="http://testserver/form/?next=&quot;&gt;&lt;script&gt;' in body
    assert "<script>alert(1)" not in body


def test_the_csrf_page_never_links_to_another_site(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/form/", {}, HTTP_REFERER="https://evil.example/phish")
    body = error_page(response, 403, "Your form could not be sent")
    assert "evil.example" not in body
    assert "Go to your teams" in body


def test_a_foreign_origin_is_explained_as_such(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/form/", {}, HTTP_ORIGIN="https://evil.example")
    body = error_page(response, 403, "Your form could not be sent")
    assert "did not confirm that the form came from this site" in body


def test_a_post_under_the_api_without_a_token_answers_in_the_error_shape(db):
    client = Client(enforce_csrf_checks=True)
    api_error(client.post("/api/form/", {}), 403, "csrf_failed")


# --- 400 ---------------------------------------------------------------------------------------


def test_an_unknown_host_answers_400_with_a_sentence(client, db):
    response = client.get("/", HTTP_HOST="evil.example")
    error_page(response, 400, "The request could not be understood.")


# --- The icon ----------------------------------------------------------------------------------


def test_the_icon_is_served_and_favicon_ico_leads_to_it(client, db):
    assert finders.find("favicon.svg")
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/favicon.svg"
