"""Every page of the app in Chromium, in the light and the dark colour mode: axe-core finds
nothing serious, the browser logs no error, charts draw, and nothing is wider than the screen.

A page added to the app belongs in `pages()` below.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from assessments.models import Campaign, ForgeConnection, ForgeImport, ImportState, Repository, Role
from assessments.services.assessments import assessment_start, assessment_submit
from assessments.services.badges import badge_enable
from assessments.services.campaigns import campaign_create
from assessments.services.check_answers import check_answer_save
from assessments.services.custom_checks import check_set_import
from assessments.services.exemptions import exemption_approve, exemption_request
from assessments.services.invitations import invitation_create
from assessments.services.kits import kit_build_request
from assessments.services.repositories import repository_connect
from assessments.services.sso import group_mapping_rule_create

from ..assessment_helpers import answer_everything, answers_all
from ..factories import MembershipFactory, TeamFactory, UserFactory
from ..scanning.archetypes import LEVEL_TWO
from ..scanning.gitrepo import make_repo
from .conftest import axe_violations, log_in

pytestmark = pytest.mark.django_db(transaction=True)

ORGANISATION_CHECKS = """\
counts_towards_levels: true
checks:
  - key: internal_registry
    title: Models registered in our <b>internal</b> registry
    dimension: validation_registry
    level: 1
    question: Are all production models registered in the Acme registry?
    rule: {dependency_present: acme-registry}
  - key: ci_config
    title: CI runs on every change
    dimension: cicd
    level: 2
    rule: {file_exists: ".github/workflows/*.yml"}
"""


def _submitted(team, user, answer):
    assessment = assessment_start(team=team, user=user)
    answer_everything(assessment, answers_all(answer), user)
    # The organisation's own question too, so the result says what the answer decided.
    check_answer_save(
        assessment=assessment,
        check_key="internal_registry",
        option_key=answer,
        note="Registered as <i>acme/churn</i> in the registry.",
        expected_version=assessment.check_answers.filter(check_key="internal_registry")
        .values_list("version", flat=True)
        .first()
        or 0,
        user=user,
    )
    assessment_submit(assessment=assessment, user=user)
    return assessment


@pytest.fixture
def organisation(team, lead, member, org_admin, tmp_path, django_capture_on_commit_callbacks):
    """A team with a scanned repository, two submitted assessments and a draft, an exemption in
    force and a request waiting; a second team; a campaign past its deadline; the
    organisation's own checks, counted towards levels, applied by the scan."""
    check_set_import(organization=team.organization, yaml_text=ORGANISATION_CHECKS, actor=org_admin)
    repository = repository_connect(
        team=team, user=lead, url=str(make_repo(tmp_path / "repo", LEVEL_TWO))
    )
    # Built as a worker builds it, so that the kit's page shows the kit.
    with django_capture_on_commit_callbacks(execute=True):
        kit_build_request(repository=repository, capability="experiment_tracking")
    with django_capture_on_commit_callbacks(execute=True):
        first = _submitted(team, lead, "partly")
        second = _submitted(team, lead, "yes")
    draft = assessment_start(team=team, user=lead)
    other = TeamFactory(organization=team.organization, name="Search", slug="search")
    MembershipFactory(team=other, user=UserFactory(username="sam"), role=Role.LEAD)
    with django_capture_on_commit_callbacks(execute=True):
        _submitted(other, org_admin, "partly")
    soon = timezone.localdate() + timedelta(days=60)
    exemption_approve(
        exemption=exemption_request(
            team=team,
            user=lead,
            capability_key="feature_store",
            reason="No features are shared between our models.\nThe warehouse holds them.",
            expires_on=soon,
        ),
        user=org_admin,
        note="Agreed until a second model needs them.",
    )
    exemption_request(
        team=team,
        user=lead,
        capability_key="monitoring",
        reason='<script>alert("x")</script> Batch scoring only; reviewed by hand every week.',
        expires_on=soon,
    )
    badge_enable(team=team, actor=lead)
    campaign = campaign_create(
        organization=team.organization,
        user=org_admin,
        title='Level 2 for <b>"all"</b>',
        goal_kind="level",
        goal_level=2,
        deadline=soon,
    )
    # Started a month ago and due yesterday: the chart has days to draw and a team is late.
    Campaign.objects.filter(pk=campaign.pk).update(
        starts_on=timezone.localdate() - timedelta(days=30),
        deadline=timezone.localdate() - timedelta(days=1),
    )
    _, invitation_token = invitation_create(
        inviter=lead,
        organization=team.organization,
        team=team,
        email="nadia@example.com",
        role=Role.MEMBER,
    )
    expired, expired_token = invitation_create(
        inviter=lead,
        organization=team.organization,
        team=team,
        email="old@example.com",
        role=Role.VIEWER,
    )
    expired.expires_at = timezone.now() - timedelta(days=1)
    expired.save(update_fields=["expires_at"])
    connection = ForgeConnection.objects.create(
        organization=team.organization,
        kind="github",
        api_url="https://api.github.com",
        owner="acme-machine-learning-platform",
        token_encrypted="x",
    )
    rows = [
        {
            "full_name": f"acme-machine-learning-platform/{name}",
            "clone_url": f"https://github.com/acme-machine-learning-platform/{name}.git",
            "team": team_slug,
            "action": action,
            "topics": topics,
        }
        for name, team_slug, action, topics in (
            (
                "fraud-scoring-feature-pipeline-with-a-very-long-name",
                team.slug,
                "create",
                ["fraud"],
            ),
            ("search-ranking", "search", "create", ["search", "ranking"]),
            ("old-experiments", None, "archived", []),
            ("someone-elses-fork", None, "fork", []),
            ("misc-scripts", None, "unmapped", []),
        )
    ]
    preview = ForgeImport.objects.create(
        organization=team.organization,
        connection=connection,
        rules=f"topic:fraud = {team.slug}\ntopic:search = search",
        preview=rows,
        counts={"create": 2, "exists": 0, "unmapped": 1, "archived": 1, "fork": 1},
        api_calls=1,
    )
    finished = ForgeImport.objects.create(
        organization=team.organization,
        connection=connection,
        state=ImportState.FINISHED,
        preview=[dict(row, action="created") if row["action"] == "create" else row for row in rows],
        counts={"listed": 5, "created": 1, "archived": 1, "fork": 1, "unmapped": 1, "exists": 1},
        api_calls=2,
        finished_at=timezone.now(),
    )
    Repository.objects.filter(pk=repository.pk).update(forge_import=finished)
    group_mapping_rule_create(
        organization=team.organization,
        group="ml-fraud-detection-leads",
        team=team,
        role=Role.LEAD,
        actor=org_admin,
    )
    return {
        "campaign": campaign,
        "connection": connection,
        "preview": preview,
        "finished": finished,
        "team": team,
        "invitation_token": invitation_token,
        "expired_token": expired_token,
        "repository": repository,
        "first": first,
        "second": second,
        "draft": draft,
    }


def pages(data):
    """(name, user, path) of every page; None logs nobody in."""
    team, draft = data["team"], data["draft"]
    first, second = data["first"].pk, data["second"].pk
    repository = data["repository"].pk
    return [
        ("login", None, "/accounts/login/"),
        ("home", "lena", "/"),
        ("team", "lena", f"/teams/{team.slug}/"),
        ("questionnaire", "lena", f"/assessments/{draft.pk}/questions/data/"),
        (
            "organisation questions",
            "lena",
            f"/assessments/{draft.pk}/questions/organisation-checks/",
        ),
        ("summary", "lena", f"/assessments/{draft.pk}/summary/"),
        ("result", "lena", f"/assessments/{second}/result/"),
        ("history", "lena", f"/teams/{team.slug}/history/?compare={first}&compare={second}"),
        ("repository", "lena", f"/repositories/{data['repository'].pk}/"),
        ("level-up kit", "lena", f"/repositories/{repository}/kits/experiment_tracking/"),
        ("connect", "lena", f"/teams/{team.slug}/repositories/connect/"),
        ("badge", "lena", f"/teams/{team.slug}/badge/"),
        ("profile", "lena", "/accounts/profile/"),
        ("password", "lena", "/accounts/password/"),
        ("methodology", "lena", "/methodology/"),
        ("team exemptions", "lena", f"/exemptions/?team={team.slug}"),
        (
            "exemption request",
            "lena",
            f"/teams/{team.slug}/exemptions/request/?capability=data_validation",
        ),
        ("exemptions", "olga", "/exemptions/"),
        ("campaigns", "lena", "/campaigns/"),
        ("campaign", "lena", f"/campaigns/{data['campaign'].pk}/"),
        ("campaign as admin", "olga", f"/campaigns/{data['campaign'].pk}/"),
        ("campaign start", "olga", "/campaigns/new/"),
        ("campaign change", "olga", f"/campaigns/{data['campaign'].pk}/edit/"),
        ("audit log", "olga", "/audit/"),
        ("forges", "olga", "/forges/"),
        ("forge", "olga", f"/forges/{data['connection'].pk}/"),
        ("import preview", "olga", f"/imports/{data['preview'].pk}/"),
        ("import finished", "olga", f"/imports/{data['finished'].pk}/"),
        ("audit log filtered", "olga", f"/audit/?team={team.slug}&action=no.such.change"),
        ("single sign-on group rules", "olga", "/organisation/sso/"),
        ("organisation checks", "olga", "/organisation/checks/"),
        ("organisation settings", "olga", "/organisation/settings/"),
        ("dashboard", "olga", "/dashboard/"),
        ("debt", "olga", "/dashboard/debt/"),
        ("compare", "olga", f"/dashboard/compare/?team={team.slug}&team=search"),
        ("invitations", "lena", f"/teams/{team.slug}/invitations/"),
        ("organisation invitations", "olga", "/invitations/"),
        ("invitation", None, f"/invitations/{data['invitation_token']}/"),
        ("expired invitation", None, f"/invitations/{data['expired_token']}/"),
        ("not allowed", "alice", f"/teams/{team.slug}/repositories/connect/"),
        ("not found", "lena", "/teams/no-such-team/"),
    ]


@pytest.mark.parametrize(
    ("scheme", "width"), [("light", 1280), ("dark", 390)], ids=["light-desktop", "dark-phone"]
)
def test_every_page_is_accessible_error_free_and_fits_the_screen(
    live_server, new_page, organisation, scheme, width
):
    sessions = {}
    for name, username, path in pages(organisation):
        if username not in sessions:
            page = new_page(
                viewport={"width": width, "height": 900}, color_scheme=scheme, bypass_csp=True
            )
            if username:
                log_in(page, live_server, username)
            page.errors = []
            page.on("pageerror", lambda error, page=page: page.errors.append(str(error)))
            page.on(
                "console",
                lambda message, page=page: (
                    page.errors.append(message.text) if message.type == "error" else None
                ),
            )
            sessions[username] = page
        page = sessions[username]
        page.errors.clear()
        response = page.goto(live_server.url + path)
        expected = {"not allowed": 403, "not found": 404, "expired invitation": 404}.get(name, 200)
        assert response.status == expected, f"{name}: {response.status}"
        if page.locator("[data-figure], [data-dashboard-figure]").count():
            page.locator(".main-svg").first.wait_for()

        assert page.evaluate("document.documentElement.dataset.bsTheme") == scheme
        # The status of a refused page is the only error the browser may report.
        errors = [e for e in page.errors if not re.search(rf"status of {expected}\b", e)]
        assert errors == [], f"{name}: {errors}"
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"the {name} page is {overflow} px wider than the screen"
        assert axe_violations(page) == [], name


@pytest.mark.parametrize("width", [1280, 390])
def test_the_account_menu_opens_within_the_screen_and_logs_out(live_server, new_page, lead, width):
    page = new_page(viewport={"width": width, "height": 800})
    log_in(page, live_server, lead.username)
    menu = page.locator(".account-menu")
    assert not page.get_by_role("button", name="Log out").is_visible()

    menu.locator("summary").click()
    panel = menu.locator(".account-panel").bounding_box()
    assert panel["x"] >= 0
    assert panel["x"] + panel["width"] <= width
    assert page.get_by_text(f"Signed in as {lead.username}").is_visible()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/")
