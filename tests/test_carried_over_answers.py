"""A new assessment starts from the last one's answers, each marked until someone looks at it."""

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.maturity import load_catalogue
from assessments.maturity.sections import questionnaire_sections
from assessments.models import Answer, AssessmentStatus, Repository, Scan, ScanStatus
from assessments.services.answers import answers_confirm
from assessments.services.assessments import assessment_start

from .assessment_helpers import answer_everything, answers_all

SECTIONS = questionnaire_sections(load_catalogue())
FIRST, SECOND = SECTIONS[0], SECTIONS[1]


def section_url(assessment, section):
    return reverse("questionnaire_section", args=[assessment.pk, section])


@pytest.fixture
def last_quarter(team, member):
    assessment = assessment_start(team=team, user=member)
    answer_everything(assessment, answers_all("partly"), member)
    assessment.status = AssessmentStatus.SUBMITTED
    assessment.submitted_at = timezone.now() - timezone.timedelta(days=90)
    assessment.save()
    return assessment


@pytest.fixture
def draft(team, member, last_quarter):
    return assessment_start(team=team, user=member)


def scanned_with_ci(team):
    """A conclusive scan of acme/churn that found CI running the tests."""
    repository = Repository.objects.create(team=team, url="https://github.com/acme/churn.git")
    Scan.objects.create(
        repository=repository,
        status=ScanStatus.SUCCEEDED,
        commit="c0ffee" + "0" * 34,
        scanner_version="1",
        finished_at=timezone.now(),
        findings=[
            {
                "capability": "ci",
                "grade": 1.0,
                "strength": "ci_config",
                "reason": "CI runs the tests.",
                "path": ".github/workflows/ci.yml",
                "line": 12,
                "detector": "continuous_integration",
            }
        ],
        report={"inconclusive": False},
    )


def page_answers(assessment, section):
    return Answer.objects.filter(
        assessment=assessment, question_key__in=[q.key for q in section.questions]
    )


def test_starting_opens_the_first_page_with_every_answer_marked(
    client, draft, member, last_quarter
):
    assert not page_answers(draft, FIRST).filter(carried_over_from__isnull=True).exists()
    client.force_login(member)
    response = client.post(reverse("assessment_start", args=[draft.team.slug]))
    opened = client.get(response["Location"])
    assert opened["Location"] == section_url(draft, FIRST.key)
    body = client.get(opened["Location"]).content.decode()
    submitted_on = f"{timezone.localtime(last_quarter.submitted_at):%-d %b %Y}"
    assert f"carried over from the assessment submitted on {submitted_on}" in body
    visible = [q for q in FIRST.questions if f'id="question-{q.key}"' in body]
    assert body.count("data-needs-confirmation") >= len(visible) > 0
    assert "Nothing changed on this page" in body


def test_nothing_changed_confirms_the_page_and_moves_on(client, draft, member):
    client.force_login(member)
    versions = dict(page_answers(draft, FIRST).values_list("question_key", "version"))
    response = client.post(section_url(draft, FIRST.key), {"go": "confirm"})
    assert response["Location"] == section_url(draft, SECOND.key)
    confirmed = page_answers(draft, FIRST)
    assert not confirmed.filter(carried_over_from__isnull=False).exists()
    assert dict(confirmed.values_list("question_key", "version")) == versions
    assert page_answers(draft, SECOND).filter(carried_over_from__isnull=False).exists()
    # Opening the draft again resumes at the first page that still needs a look.
    assert client.get(reverse("assessment_open", args=[draft.pk]))["Location"] == section_url(
        draft, SECOND.key
    )


def test_changing_an_answer_makes_it_the_teams_own(client, draft, member):
    question = next(q for q in SECOND.questions if not q.skip_if)
    answer = Answer.objects.get(assessment=draft, question_key=question.key)
    client.force_login(member)
    response = client.post(
        reverse("answer_autosave", args=[draft.pk, question.key]),
        {"option": "yes", "version": answer.version, "note": ""},
    )
    assert response.status_code == 200
    answer.refresh_from_db()
    assert (answer.option_key, answer.carried_over_from) == ("yes", None)
    others = page_answers(draft, SECOND).exclude(question_key=question.key)
    assert not others.filter(carried_over_from__isnull=True).exists()


def test_a_page_post_with_a_change_and_confirm_keeps_the_change(client, draft, member):
    question = next(q for q in SECOND.questions if not q.skip_if)
    answer = Answer.objects.get(assessment=draft, question_key=question.key)
    client.force_login(member)
    client.post(
        section_url(draft, SECOND.key),
        {
            "go": "confirm",
            f"q-{question.key}": "no",
            f"v-{question.key}": answer.version,
        },
    )
    answer.refresh_from_db()
    assert answer.option_key == "no"
    assert not page_answers(draft, SECOND).filter(carried_over_from__isnull=False).exists()


def test_the_summary_lists_what_is_not_confirmed_and_goes_back_to_it(client, draft, member):
    client.force_login(member)
    client.post(section_url(draft, FIRST.key), {"go": "confirm"})
    body = client.get(reverse("assessment_summary", args=[draft.pk])).content.decode()
    assert "Not confirmed yet" in body
    carried = body.split("Not confirmed yet")[1]
    assert f"<strong>{SECOND.title}</strong>" in carried
    assert f"<strong>{FIRST.title}</strong>" not in carried
    assert f'href="{section_url(draft, SECOND.key)}">Back to the questions' in body


def test_with_everything_confirmed_back_to_the_questions_opens_the_first_page(
    client, draft, member
):
    answers_confirm(
        assessment=draft, question_keys=[q.key for s in SECTIONS for q in s.questions], user=member
    )
    client.force_login(member)
    body = client.get(reverse("assessment_summary", args=[draft.pk])).content.decode()
    assert "Not confirmed yet" not in body
    assert f'href="{section_url(draft, FIRST.key)}">Back to the questions' in body


def test_viewers_cannot_confirm(client, draft, viewer):
    client.force_login(viewer)
    response = client.post(section_url(draft, FIRST.key), {"go": "confirm"})
    assert response.status_code == 403
    assert not page_answers(draft, FIRST).filter(carried_over_from__isnull=True).exists()


def test_a_first_assessment_has_nothing_carried_over(client, team, member):
    draft = assessment_start(team=team, user=member)
    client.force_login(member)
    body = client.get(section_url(draft, FIRST.key)).content.decode()
    assert "carried over" not in body.lower()
    assert "Nothing changed on this page" not in body


def test_a_scanned_team_starts_with_what_its_repository_shows_suggested(client, team, member):
    scanned_with_ci(team)
    draft = assessment_start(team=team, user=member)
    answer = Answer.objects.get(assessment=draft, question_key="ci_runs_tests")
    assert answer.option_key == "yes"
    assert answer.suggested_from["repository"] == "acme/churn"
    assert answer.suggested_from["path"] == ".github/workflows/ci.yml"
    assert answer.suggested_from["url"] == (
        "https://github.com/acme/churn/blob/c0ffee" + "0" * 34 + "/.github/workflows/ci.yml#L12"
    )
    assert not Answer.objects.filter(assessment=draft, question_key="ci_gates_merge").exists()
    section = next(s for s in SECTIONS if any(q.key == "ci_runs_tests" for q in s.questions))
    client.force_login(member)
    body = client.get(section_url(draft, section.key)).content.decode()
    assert "Suggested by the scan of acme/churn at <code>c0ffee000000</code>" in body
    assert ".github/workflows/ci.yml:12" in body
    assert 'href="https://github.com/acme/churn/blob/c0ffee' in body
    assert "1 answer was suggested by the scan of your repositories" in body
    client.post(section_url(draft, section.key), {"go": "confirm"})
    answer.refresh_from_db()
    assert (answer.option_key, answer.suggested_from) == ("yes", None)


def test_a_carried_over_answer_is_never_replaced_by_a_suggestion(team, member, last_quarter):
    scanned_with_ci(team)
    draft = assessment_start(team=team, user=member)
    answer = Answer.objects.get(assessment=draft, question_key="ci_runs_tests")
    assert (answer.option_key, answer.suggested_from) == ("partly", None)
    assert answer.carried_over_from is not None


@pytest.mark.django_db(transaction=True)
def test_confirming_without_a_page_save_around_it_runs_in_its_own_transaction(
    team, member, last_quarter
):
    # Confirming locks the draft's row, which PostgreSQL only does inside a transaction.
    draft = assessment_start(team=team, user=member)
    keys = [question.key for question in FIRST.questions]
    assert answers_confirm(assessment=draft, question_keys=keys, user=member) > 0
    assert not page_answers(draft, FIRST).filter(carried_over_from__isnull=False).exists()
