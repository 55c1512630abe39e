"""The home page and a result in Chromium, on a desktop and a phone screen: axe-core finds
nothing serious, nothing is wider than the screen, and the summary's links lead somewhere.

HOME_RESULT_SCREENSHOTS=<folder> saves a screenshot of each page there, to look at them.
"""

import os
import re
from pathlib import Path

import pytest

from assessments.models import Result
from assessments.services.assessments import assessment_start, assessment_submit

from ..assessment_helpers import answer_everything, answers_all
from .conftest import axe_violations, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def check_page(page, name):
    folder = os.environ.get("HOME_RESULT_SCREENSHOTS")
    if folder:
        width = page.viewport_size["width"]
        page.screenshot(path=Path(folder) / f"{name}-{width}.png", full_page=True)
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the {name} page is {overflow} px wider than the screen"
    assert axe_violations(page) == []


@pytest.mark.parametrize("width", [1280, 390])
def test_home_and_result_pass_axe_fit_the_screen_and_lead_to_each_other(
    live_server, new_page, team, member, lead, other_team_member, width
):
    # A long name without a place to break must wrap rather than widen the page.
    team.name = "Fraud detection " + "Card-not-present-transactions" * 4
    team.save()
    assessment = assessment_start(team=team, user=member)
    answer_everything(assessment, answers_all("partly"), member)
    assessment_submit(assessment=assessment, user=member)
    assert Result.objects.filter(assessment=assessment).exists()

    page = new_page(viewport={"width": width, "height": 900}, bypass_csp=True)
    log_in(page, live_server, member.username)
    check_page(page, "home")
    card = page.locator(".team-card")
    assert card.count() == 1
    assert "lena (lead) can connect one" in card.inner_text()

    page.get_by_role("link", name=re.compile("Look at the latest result")).click()
    page.wait_for_url(re.compile(r"/result/$"))
    page.locator(".chart .main-svg").first.wait_for()
    check_page(page, "result")

    summary = page.get_by_role("region", name="Summary")
    first_step = summary.locator(".next-steps a").first
    assert first_step.is_visible()
    first_step.click()
    target = page.url.split("#", 1)[1]
    assert page.locator(f"[id='{target}']").is_visible()
    sections = page.get_by_role("navigation", name="Sections of this result")
    sections.get_by_role("link", name="Capabilities").click()
    assert page.url.endswith("#capabilities-heading")
    assert page.locator("#capabilities-heading").is_visible()
