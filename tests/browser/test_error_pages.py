"""The error pages in Chromium, on a desktop and a phone screen: axe-core finds nothing serious,
nothing is wider than the screen, and the way back is visible without scrolling.

ERROR_PAGE_SCREENSHOTS=<folder> saves a screenshot of each page there, to look at them.
"""

import os
from pathlib import Path

import pytest

from assessments.models import Role
from assessments.services.login_guard import ATTEMPT_LIMIT, login_attempt_begin

from ..factories import MembershipFactory, UserFactory
from .conftest import PASSWORD, axe_violations, log_in

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = (1280, 390)


def check_page(page, *, status, response, heading):
    assert response.status == status
    folder = os.environ.get("ERROR_PAGE_SCREENSHOTS")
    if folder:
        width = page.viewport_size["width"]
        page.screenshot(path=Path(folder) / f"{status}-{heading[:12]}-{width}.png", full_page=True)
    assert page.get_by_role("heading", level=1).inner_text() == heading
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page is {overflow} px wider than the screen"
    way_back = page.locator(".error-actions a").first
    assert way_back.is_visible()
    assert way_back.bounding_box()["y"] + way_back.bounding_box()["height"] <= 800
    assert axe_violations(page) == []


@pytest.mark.parametrize("width", WIDTHS)
def test_error_pages_pass_axe_and_fit_the_screen(
    live_server, new_page, settings, team, member, lead, width
):
    # The project's URLs plus a view that crashes on purpose (tests/test_error_pages.py).
    settings.ROOT_URLCONF = "tests.test_error_pages"
    # Long names, one without a place to break, must wrap rather than widen the page.
    team.name = "Fraud detection " + "Card-not-present-transactions" * 6
    team.save()
    long_lead = UserFactory(username="l" * 150)
    MembershipFactory(team=team, user=long_lead, role=Role.LEAD)
    viewport = {"width": width, "height": 800}
    page = new_page(viewport=viewport, bypass_csp=True)
    log_in(page, live_server, member.username)

    response = page.goto(f"{live_server.url}/no/such/page/")
    check_page(page, status=404, response=response, heading="There is no page at this address.")

    response = page.goto(f"{live_server.url}/teams/{team.slug}/repositories/connect/")
    check_page(
        page,
        status=403,
        response=response,
        heading="Only team leads and org admins can connect repositories.",
    )

    response = page.goto(f"{live_server.url}/crash/")
    check_page(page, status=500, response=response, heading="Something went wrong on our side.")

    visitor = new_page(viewport=viewport, bypass_csp=True)
    visitor.goto(f"{live_server.url}/accounts/login/")
    visitor.context.clear_cookies()  # the form's token no longer matches any cookie
    visitor.get_by_label("Username").fill(member.username)
    visitor.get_by_label("Password").fill(PASSWORD)
    with visitor.expect_navigation() as navigation:
        visitor.get_by_role("button", name="Log in").click()
    check_page(
        visitor,
        status=403,
        response=navigation.value,
        heading="Your form could not be sent, so nothing was saved.",
    )

    for _ in range(ATTEMPT_LIMIT + 1):
        login_attempt_begin(username=lead.username)
    visitor.goto(f"{live_server.url}/accounts/login/")
    visitor.get_by_label("Username").fill(lead.username)
    visitor.get_by_label("Password").fill(PASSWORD)
    with visitor.expect_navigation() as navigation:
        visitor.get_by_role("button", name="Log in").click()
    check_page(
        visitor,
        status=429,
        response=navigation.value,
        heading="Too many failed log-in attempts for this username.",
    )
