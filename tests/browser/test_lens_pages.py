"""The lens pages in Chromium at 1280 px and 390 px: the result's "Other readings", the
organisation settings page and the overview led by Microsoft's levels fit the screen and axe-core
finds nothing serious.

LENS_SCREENSHOTS=<folder> saves a screenshot of each page there, to look at them.
"""

import os
from pathlib import Path

import pytest

from assessments.models import HeadlineLens, Organization, Result
from assessments.services.assessments import assessment_start, assessment_submit

from ..assessment_helpers import answer_everything, answers_all
from ..dashboards.conftest import add_teams
from .conftest import axe_violations, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def check_page(page, name, *, element=None):
    folder = os.environ.get("LENS_SCREENSHOTS")
    if folder:
        width = page.viewport_size["width"]
        target = page.locator(element) if element else page
        options = {} if element else {"full_page": True}
        target.screenshot(path=Path(folder) / f"{name}-{width}.png", **options)
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the {name} page is {overflow} px wider than the screen"
    assert axe_violations(page) == []


@pytest.mark.parametrize("width", [1280, 390])
def test_the_lens_pages_fit_the_screen_and_pass_axe(
    live_server, new_page, team, member, org_admin, width
):
    organization = Organization.objects.get(pk=team.organization_id)
    assessment = assessment_start(team=team, user=member)
    answer_everything(
        assessment, answers_all("yes", drift_monitored="partly", ci_runs_tests="no"), member
    )
    assessment_submit(assessment=assessment, user=member)
    assert Result.objects.filter(assessment=assessment).exists()
    add_teams(organization, 8, months=2)

    page = new_page(viewport={"width": width, "height": 900}, bypass_csp=True)
    log_in(page, live_server, org_admin.username)
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/result/")
    page.locator("#lenses-heading").wait_for()
    check_page(page, "result-lenses", element="section.lenses")

    page.goto(f"{live_server.url}/organisation/settings/")
    check_page(page, "organisation-settings")
    page.get_by_label("Microsoft's MLOps maturity model (0-4)").check()
    page.get_by_role("button", name="Save").click()
    page.get_by_text("now leads with Microsoft").wait_for()
    organization.refresh_from_db()
    assert organization.headline_lens == HeadlineLens.MICROSOFT

    page.goto(f"{live_server.url}/dashboard/")
    page.locator("#microsoft-levels-heading").wait_for()
    check_page(page, "overview-microsoft")
    page.goto(f"{live_server.url}/")
    check_page(page, "home-microsoft")
