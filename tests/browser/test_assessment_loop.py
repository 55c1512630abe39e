"""The assessment loop in a real browser: scan first, then ask only what the scan cannot see;
a later assessment starts from the last one, each carried-over answer marked until confirmed."""

import re
import time

import pytest

from assessments.maturity import load_catalogue
from assessments.maturity.sections import questionnaire_sections
from assessments.models import Answer, Assessment, AssessmentStatus, Result, Scan
from assessments.services.repositories import repository_connect

from ..scanning.archetypes import LEVEL_TWO
from ..scanning.gitrepo import make_repo
from .conftest import axe_violations, log_in

pytestmark = pytest.mark.django_db(transaction=True)

SECTIONS = questionnaire_sections(load_catalogue())


class Clicks:
    """Counts what a person does: every click and every choice."""

    def __init__(self):
        self.count = 0

    def click(self, locator):
        self.count += 1
        locator.click()

    def check(self, locator):
        self.count += 1
        locator.check()


def answer_what_is_open(page, clicks, option="partly"):
    """Answer the page's visible questions that have no answer yet, as a person would."""
    answered = 0
    for fieldset in page.locator("fieldset.question:not([hidden])").all():
        if fieldset.locator("input[type=radio]:checked").count():
            continue
        radio = fieldset.locator(f"input[type=radio][value='{option}']")
        if radio.count() == 0:
            radio = fieldset.locator("input[type=radio]").first
        clicks.check(radio)
        fieldset.locator(".save-status").filter(has_text="Saved.").wait_for()
        answered += 1
    return answered


def next_page(page, clicks):
    confirm = page.get_by_role("button", name="Nothing changed on this page")
    if confirm.count():
        clicks.click(confirm)
    else:
        clicks.click(page.get_by_role("button", name=re.compile("Save and (continue|review)")))


def test_a_scanned_team_completes_its_first_assessment_answering_only_what_a_scan_cannot_see(
    live_server, new_page, team, lead, tmp_path, capsys
):
    repository = repository_connect(
        team=team, user=lead, url=str(make_repo(tmp_path / "repo", LEVEL_TWO))
    )
    assert Scan.objects.get(repository=repository).status == "succeeded"
    page = new_page()
    log_in(page, live_server, lead.username)
    clicks = Clicks()
    started = time.monotonic()
    page.goto(f"{live_server.url}/teams/{team.slug}/")
    clicks.click(page.get_by_role("button", name="Start an assessment"))
    page.wait_for_url(re.compile(rf"/questions/{SECTIONS[0].key}/$"))

    by_hand = 0
    seen_suggestions = 0
    for number in range(len(SECTIONS)):
        assert page.get_by_role("heading", name=f"{number + 1}. {SECTIONS[number].title}")
        seen_suggestions += page.locator("p.suggested").count()
        by_hand += answer_what_is_open(page, clicks, "critical" if number == 0 else "partly")
        next_page(page, clicks)
    page.wait_for_url(re.compile(r"/summary/$"))
    assert "Not confirmed yet" not in page.content()
    clicks.click(page.get_by_role("button", name="Submit assessment"))
    page.wait_for_url(re.compile(r"/result/$"))
    elapsed = time.monotonic() - started

    assessment = Assessment.objects.get(team=team)
    assert assessment.status == AssessmentStatus.SUBMITTED
    assert Result.objects.filter(assessment=assessment).exists()
    suggested = seen_suggestions
    total = Answer.objects.filter(assessment=assessment).count()
    assert suggested >= 10, "the scan should answer a good part of the questionnaire"
    assert not Answer.objects.filter(assessment=assessment, suggested_from__isnull=False).exists()
    with capsys.disabled():
        print(
            f"\nfirst assessment with a scanned repository: {clicks.count} clicks, "
            f"{elapsed:.1f} s in the browser, {suggested} of {total} answers suggested by the "
            f"scan, {by_hand} answered by hand"
        )


def test_a_later_assessment_marks_carried_over_answers_until_confirmed_or_changed(
    live_server, new_page, team, lead, django_capture_on_commit_callbacks
):
    from assessments.services.assessments import assessment_start, assessment_submit

    from ..assessment_helpers import answer_everything, answers_all

    first = assessment_start(team=team, user=lead)
    answer_everything(first, answers_all("partly"), lead)
    with django_capture_on_commit_callbacks(execute=True):
        assessment_submit(assessment=first, user=lead)

    page = new_page(bypass_csp=True)  # axe-core is injected as a script
    log_in(page, live_server, lead.username)
    # The home page names the team's one next action (no repository is connected yet); the
    # team's name leads to its page, where the new assessment starts.
    card = page.locator(".team-card")
    assert card.locator(".team-action .btn-primary").inner_text().startswith("Connect a repository")
    card.get_by_role("link", name=team.name, exact=True).click()
    page.get_by_role("button", name="Start an assessment").click()
    page.wait_for_url(re.compile(rf"/questions/{SECTIONS[0].key}/$"))
    assert page.get_by_text(re.compile("carried over from the assessment submitted on")).count()
    assert axe_violations(page) == []
    # Confirm two pages as they are.
    for _ in range(2):
        assert page.locator("[data-needs-confirmation]").count() > 0
        page.get_by_role("button", name="Nothing changed on this page").click()
    # Change three answers on the third page: each loses its mark as it is saved.
    fieldsets = page.locator("fieldset.question:not([hidden])")
    for index in range(3):
        fieldset = fieldsets.nth(index)
        fieldset.locator("input[type=radio][value='no']").check()
        fieldset.locator(".save-status").filter(has_text="Saved.").wait_for()
        assert fieldset.locator("[data-needs-confirmation]").count() == 0
    page.goto(page.url.rsplit("/questions/", 1)[0] + "/summary/")
    assert page.get_by_role("heading", name="Not confirmed yet").is_visible()
    assert page.locator("details.carried-over-section").count() == len(SECTIONS) - 2
    assert axe_violations(page) == []
    page.get_by_role("button", name="Submit assessment").click()
    page.wait_for_url(re.compile(r"/result/$"))
    draft = Assessment.objects.exclude(pk=first.pk).get(team=team)
    changed = Answer.objects.filter(assessment=draft, option_key="no")
    assert changed.count() == 3
    assert not changed.filter(carried_over_from__isnull=False).exists()
    # The history chart now draws both submissions.
    page.goto(f"{live_server.url}/teams/{team.slug}/history/")
    page.locator("[data-figure] .main-svg").first.wait_for()
    points = page.evaluate("document.querySelector('[data-figure]').data[0].x.length")
    assert points == 2
