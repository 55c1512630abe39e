"""The questionnaire and result pages in a real browser."""

import json
import re

import pytest

from assessments.maturity import load_catalogue
from assessments.maturity.sections import questionnaire_sections
from assessments.models import Answer, Assessment, Result
from assessments.services.assessments import assessment_start, assessment_submit

from ..assessment_helpers import answer_everything, answers_all
from .conftest import axe_violations, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def answer_page(page, option):
    """Click `option` for every visible question of the page and wait until each is saved."""
    for fieldset in page.locator("fieldset.question:not([hidden])").all():
        radio = fieldset.locator(f"input[type=radio][value='{option}']")
        if radio.count() == 0:
            radio = fieldset.locator("input[type=radio]").first
        radio.check()
        fieldset.locator(".save-status").filter(has_text="Saved.").wait_for()


def test_a_member_fills_the_questionnaire_reloads_submits_and_sees_the_result(
    live_server, new_page, team, member
):
    page = new_page()
    log_in(page, live_server, member.username)
    page.goto(f"{live_server.url}/teams/{team.slug}/")
    page.get_by_role("button", name="Start an assessment").click()
    page.wait_for_url(re.compile(r"/questions/context/$"))

    sections = questionnaire_sections(load_catalogue())
    for number, section in enumerate(sections):
        expect_heading = f"{number + 1}. {section.title}"
        assert page.get_by_role("heading", name=expect_heading).is_visible()
        answer_page(page, "yes" if section.key != "context" else "critical")
        if number == 2:
            # Reload mid-way: every answer given so far is still there.
            page.reload()
            checked = page.locator("fieldset.question:not([hidden]) input[type=radio]:checked")
            assert checked.count() == page.locator("fieldset.question:not([hidden])").count()
        page.get_by_role("button", name=re.compile("Save and (continue|review)")).click()

    page.wait_for_url(re.compile(r"/summary/$"))
    assessment = Assessment.objects.get(team=team)
    assert Answer.objects.filter(assessment=assessment).count() >= 50
    page.get_by_role("button", name="Submit assessment").click()
    page.wait_for_url(re.compile(r"/result/$"))

    assert Result.objects.filter(assessment=assessment).exists()
    assert page.get_by_role("heading", name=re.compile("^Level$")).is_visible()
    assert page.get_by_role("heading", name=re.compile("Roadmap to level")).is_visible()
    page.locator(".chart .main-svg").first.wait_for()
    assert page.locator(".chart .scatterpolar, .chart .polar").count() > 0


def test_two_people_editing_one_answer_see_the_conflict(live_server, new_page, team, member, lead):
    draft = assessment_start(team=team, user=member)
    url = f"{live_server.url}/assessments/{draft.pk}/questions/code_environment/"
    first, second = new_page(), new_page()
    log_in(first, live_server, lead.username)
    log_in(second, live_server, member.username)
    first.goto(url)
    second.goto(url)

    first_question = first.locator("#question-code_in_git")
    first_question.locator("input[value=yes]").check()
    first_question.locator(".save-status").filter(has_text="Saved.").wait_for()

    second_question = second.locator("#question-code_in_git")
    second_question.locator("input[value=no]").check()
    conflict = second_question.locator(".conflict")
    conflict.wait_for()
    assert "lena changed this answer" in conflict.inner_text()
    assert Answer.objects.get(assessment=draft, question_key="code_in_git").option_key == "yes"

    second_question.get_by_role("button", name="Keep my answer").click()
    second_question.locator(".save-status").filter(has_text="Saved.").wait_for()
    answer = Answer.objects.get(assessment=draft, question_key="code_in_git")
    assert (answer.option_key, answer.version) == ("no", 2)


def test_a_hostile_team_name_is_shown_as_text(
    live_server, new_page, team, member, django_capture_on_commit_callbacks
):
    hostile = "</script><img src=x onerror=alert(1)>"
    team.name = hostile
    team.save()
    assessment = assessment_start(team=team, user=member)
    answer_everything(assessment, answers_all("partly"), member)
    with django_capture_on_commit_callbacks(execute=True):
        assessment_submit(assessment=assessment, user=member)

    page = new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(page, live_server, member.username)
    for path in ("/", f"/teams/{team.slug}/", f"/assessments/{assessment.pk}/result/"):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("load")
        assert hostile in page.locator("main").inner_text()
        assert page.locator("main img[src=x]").count() == 0
    page.locator(".chart .main-svg").first.wait_for()
    assert dialogs == []


def test_a_member_of_another_team_gets_not_found(
    live_server, new_page, team, member, other_team_member
):
    draft = assessment_start(team=team, user=member)
    page = new_page()
    log_in(page, live_server, other_team_member.username)
    for path in (f"/teams/{team.slug}/", f"/assessments/{draft.pk}/questions/context/"):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 404


def test_questionnaire_and_result_pages_have_no_serious_accessibility_violations(
    live_server, new_page, team, member, django_capture_on_commit_callbacks
):
    assessment = assessment_start(team=team, user=member)
    answer_everything(assessment, answers_all("partly"), member)
    page = new_page(bypass_csp=True)
    log_in(page, live_server, member.username)
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/questions/cicd/")
    assert axe_violations(page) == []

    with django_capture_on_commit_callbacks(execute=True):
        assessment_submit(assessment=assessment, user=member)
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/result/")
    page.locator(".chart .main-svg").first.wait_for()
    assert axe_violations(page) == []


def test_pages_and_charts_work_under_the_content_security_policy(
    live_server, new_page, team, member, django_capture_on_commit_callbacks
):
    assessment = assessment_start(team=team, user=member)
    answer_everything(assessment, answers_all("partly"), member)
    with django_capture_on_commit_callbacks(execute=True):
        assessment_submit(assessment=assessment, user=member)
    page = new_page()
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    log_in(page, live_server, member.username)
    response = page.goto(f"{live_server.url}/assessments/{assessment.pk}/result/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.locator(".chart .main-svg").first.wait_for()
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/")
    page.goto(f"{live_server.url}/api/docs/")
    page.locator(".swagger-ui").first.wait_for()
    assert violations == []


def test_hostile_notes_and_repository_names_show_as_text(live_server, new_page, team, lead):
    from assessments.models import Repository, Scan, ScanStatus
    from assessments.services.answers import answer_save

    hostile = "</textarea><img src=x onerror=alert(1)><script>alert(2)</script>"
    draft = assessment_start(team=team, user=lead)
    answer_save(
        assessment=draft,
        question_key="code_in_git",
        option_key="yes",
        note=hostile,
        expected_version=0,
        user=lead,
    )
    repository = Repository.objects.create(team=team, url=f"/srv/{hostile}")
    Scan.objects.create(repository=repository, status=ScanStatus.FAILED, failure_reason=hostile)
    page = new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(page, live_server, lead.username)
    page.goto(f"{live_server.url}/assessments/{draft.pk}/questions/code_environment/")
    assert page.locator("#note-code_in_git").input_value() == hostile
    for path in (f"/teams/{team.slug}/", f"/repositories/{repository.pk}/"):
        page.goto(f"{live_server.url}{path}")
        assert hostile in page.locator("main").inner_text()
        assert page.locator("main img[src=x]").count() == 0
    assert dialogs == []


def test_a_note_typed_before_the_answer_waits_for_it_and_keeps_its_lines(
    live_server, new_page, team, member
):
    draft = assessment_start(team=team, user=member)
    url = f"{live_server.url}/assessments/{draft.pk}/questions/code_environment/"
    page = new_page()
    log_in(page, live_server, member.username)
    page.goto(url)
    question = page.locator("#question-code_in_git")
    question.locator("textarea").fill("\nmonorepo\r\nsee docs/ml.md")
    question.locator(".save-status").filter(has_text="choose an answer").wait_for()
    assert not Answer.objects.filter(assessment=draft).exists()

    question.locator("input[value=yes]").check()
    question.locator(".save-status").filter(has_text="Saved.").wait_for()
    answer = Answer.objects.get(assessment=draft, question_key="code_in_git")
    assert (answer.option_key, answer.note) == ("yes", "\nmonorepo\nsee docs/ml.md")
    page.reload()
    reloaded = page.locator("#question-code_in_git textarea").input_value()
    assert reloaded == "\nmonorepo\nsee docs/ml.md"


def test_an_answer_the_server_was_too_busy_for_is_sent_again_after_retry_after(
    live_server, new_page, team, member
):
    draft = assessment_start(team=team, user=member)
    page = new_page()
    log_in(page, live_server, member.username)
    page.goto(f"{live_server.url}/assessments/{draft.pk}/questions/code_environment/")
    busy = json.dumps({"detail": "The database was busy.", "error": {"code": "database_busy"}})
    sent = []

    def first_busy(route):
        sent.append(route.request.headers.get("accept"))
        if len(sent) == 1:
            route.fulfill(
                status=503, headers={"Retry-After": "1"}, content_type="application/json", body=busy
            )
        else:
            route.continue_()

    page.route("**/answers/code_in_git/", first_busy)
    question = page.locator("#question-code_in_git")
    question.locator("input[value=yes]").check()
    question.locator(".save-status").filter(
        has_text="the server is busy; trying again in 1 second."
    ).wait_for()
    assert not Answer.objects.filter(assessment=draft).exists()

    question.locator(".save-status").filter(has_text="Saved.").wait_for()
    assert sent == ["application/json", "application/json"]
    answer = Answer.objects.get(assessment=draft, question_key="code_in_git")
    assert (answer.option_key, answer.version) == ("yes", 1)
