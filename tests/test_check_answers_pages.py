"""The questionnaire page of the organisation's own questions ("<Organisation>'s own checks"):
after the catalogue's pages, only when the current checks ask a question, with the same
autosave, page buttons and roles as every other page."""

import pytest
from django.urls import reverse

from assessments import maturity
from assessments.maturity.sections import questionnaire_sections
from assessments.models import Answer, CheckAnswer
from assessments.services.assessments import assessment_start
from assessments.services.check_answers import check_answer_save
from assessments.services.custom_checks import check_set_import

from .assessment_helpers import answer_everything, answers_all

PAGE = "organisation-checks"
QUESTIONS = """\
checks:
  - key: incident_review
    title: Incidents reviewed
    dimension: governance
    level: 1
    question: "Does the team review <b>every</b> model incident?"
  - key: internal_registry
    title: Models registered in our internal registry
    dimension: validation_registry
    level: 1
    question: Are all production models registered in the Acme registry?
    rule: {dependency_present: acme-registry}
"""
RULES_ONLY = """\
checks:
  - key: model_card
    title: A model card
    dimension: governance
    level: 1
    rule: {file_exists: "**/MODEL_CARD.md"}
"""


@pytest.fixture
def draft(team, member):
    return assessment_start(team=team, user=member)


@pytest.fixture
def questions(team, org_admin):
    return check_set_import(organization=team.organization, yaml_text=QUESTIONS, actor=org_admin)[0]


def section_url(assessment, section):
    return reverse("questionnaire_section", args=[assessment.pk, section])


def last_catalogue_page():
    return questionnaire_sections(maturity.load_catalogue())[-1].key


def autosave(client, assessment, key, option, version, note=""):
    return client.post(
        reverse("check_answer_autosave", args=[assessment.pk, key]),
        {"option": option, "version": version, "note": note},
    )


def test_without_questions_there_is_no_extra_page(client, team, org_admin, draft, member):
    check_set_import(organization=team.organization, yaml_text=RULES_ONLY, actor=org_admin)
    client.force_login(member)
    body = client.get(section_url(draft, last_catalogue_page())).content.decode()
    assert "own checks" not in body
    assert "Save and review" in body
    assert client.get(section_url(draft, PAGE)).status_code == 404
    response = client.post(section_url(draft, last_catalogue_page()), {"go": "next"})
    assert response["Location"] == reverse("assessment_summary", args=[draft.pk])


def test_the_page_comes_after_the_catalogue_and_shows_the_questions(
    client, team, questions, draft, member
):
    client.force_login(member)
    last = client.get(section_url(draft, last_catalogue_page())).content.decode()
    assert f"{team.organization.name}&#x27;s own checks" in last
    assert "Save and continue" in last
    response = client.post(section_url(draft, last_catalogue_page()), {"go": "next"})
    assert response["Location"] == section_url(draft, PAGE)
    body = client.get(section_url(draft, PAGE)).content.decode()
    assert f"{team.organization.name}&#x27;s own checks</h2>" in body
    assert 'aria-current="page"' in body
    assert 'name="q-incident_review" value="yes"' in body
    assert 'name="q-incident_review" value="unknown"' in body
    assert 'value="na"' not in body
    assert "Scans also look for the dependency acme-registry" in body
    assert reverse("check_answer_autosave", args=[draft.pk, "__question__"]) in body
    assert (
        "<span data-answered>0</span> of <span data-total>2</span> questions on this page" in body
    )
    # User text is data: the question's markup is shown, never run.
    assert "&lt;b&gt;every&lt;/b&gt;" in body
    assert "<b>every</b>" not in body


def test_a_plain_form_post_saves_the_answers_and_goes_to_the_summary(
    client, questions, draft, member
):
    client.force_login(member)
    response = client.post(
        section_url(draft, PAGE),
        {
            "q-incident_review": "yes",
            "v-incident_review": "0",
            "n-incident_review": "<script>alert(1)</script> weekly review",
            "q-internal_registry": "partly",
            "v-internal_registry": "0",
            "go": "next",
        },
    )
    assert response["Location"] == reverse("assessment_summary", args=[draft.pk])
    saved = {a.check_key: a for a in CheckAnswer.objects.filter(assessment=draft)}
    assert {k: a.option_key for k, a in saved.items()} == {
        "incident_review": "yes",
        "internal_registry": "partly",
    }
    assert saved["incident_review"].check_set_version == questions
    assert saved["incident_review"].updated_by == member
    # Never in the engine's table.
    assert not Answer.objects.filter(assessment=draft).exists()
    body = client.get(section_url(draft, PAGE)).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; weekly review" in body
    assert "<script>alert(1)</script>" not in body
    response = client.post(section_url(draft, PAGE), {"go": "previous"})
    assert response["Location"] == section_url(draft, last_catalogue_page())


def test_a_note_without_an_answer_is_refused_and_kept_on_the_page(client, questions, draft, member):
    client.force_login(member)
    response = client.post(
        section_url(draft, PAGE),
        {"q-incident_review": "", "v-incident_review": "0", "n-incident_review": "my note"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Choose an answer too: a note is saved with its answer." in body
    assert "my note" in body
    assert not CheckAnswer.objects.exists()


def test_autosave_saves_one_answer_and_answers_409_when_someone_changed_it(
    client, questions, draft, member, lead
):
    client.force_login(member)
    response = autosave(client, draft, "incident_review", "yes", 0)
    assert response.status_code == 200
    assert response.json() == {"version": 1, "answered": 1, "total": 2}
    check_answer_save(
        assessment=draft,
        check_key="incident_review",
        option_key="no",
        expected_version=1,
        user=lead,
    )
    response = autosave(client, draft, "incident_review", "partly", 1)
    assert response.status_code == 409
    conflict = response.json()["conflict"]
    assert (conflict["current_option"], conflict["updated_by"]) == ("no", lead.username)
    assert CheckAnswer.objects.get(check_key="incident_review").option_key == "no"


@pytest.mark.parametrize(
    ("key", "option", "message"),
    [
        ("incident_review", "na", "'na' is not an answer to question 'incident_review'"),
        ("model_card", "yes", "There is no question 'model_card' in your organisation's"),
        ("data_schema_checked", "yes", "There is no question 'data_schema_checked'"),
    ],
)
def test_autosave_refuses_bad_input_with_a_sentence(
    client, questions, draft, member, key, option, message
):
    client.force_login(member)
    response = autosave(client, draft, key, option, 0)
    assert response.status_code == 400
    assert response.json()["detail"].startswith(message)
    assert not CheckAnswer.objects.exists()


def test_viewers_read_but_cannot_answer(client, questions, draft, viewer):
    client.force_login(viewer)
    body = client.get(section_url(draft, PAGE)).content.decode()
    assert "only members and leads can answer" in body
    assert autosave(client, draft, "incident_review", "yes", 0).status_code == 403
    response = client.post(
        section_url(draft, PAGE), {"q-incident_review": "yes", "v-incident_review": "0"}
    )
    assert response.status_code == 403
    assert not CheckAnswer.objects.exists()


def test_another_team_and_another_organisation_get_not_found(
    client, questions, draft, other_team_member, stranger_org_admin
):
    for stranger in (other_team_member, stranger_org_admin):
        client.force_login(stranger)
        assert client.get(section_url(draft, PAGE)).status_code == 404
        assert autosave(client, draft, "incident_review", "yes", 0).status_code == 404
        response = client.post(
            section_url(draft, PAGE), {"q-incident_review": "yes", "v-incident_review": "0"}
        )
        assert response.status_code == 404
    assert not CheckAnswer.objects.exists()


def test_a_submitted_assessment_is_read_only(
    client, questions, draft, member, django_capture_on_commit_callbacks
):
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("assessment_summary", args=[draft.pk]))
    assert client.get(section_url(draft, PAGE))["Location"] == reverse(
        "assessment_result", args=[draft.pk]
    )
    response = autosave(client, draft, "incident_review", "yes", 0)
    assert response.status_code == 400
    assert "submitted and is locked" in response.json()["detail"]
    assert not CheckAnswer.objects.exists()


def test_opening_and_the_summary_lead_to_the_unanswered_questions(client, questions, draft, member):
    answer_everything(draft, answers_all("yes"), member)
    client.force_login(member)
    response = client.get(reverse("assessment_open", args=[draft.pk]))
    assert response["Location"] == section_url(draft, PAGE)
    summary = client.get(reverse("assessment_summary", args=[draft.pk])).content.decode()
    assert f"{section_url(draft, PAGE)}#question-incident_review" in summary
    for key in ("incident_review", "internal_registry"):
        check_answer_save(
            assessment=draft, check_key=key, option_key="yes", expected_version=0, user=member
        )
    response = client.get(reverse("assessment_open", args=[draft.pk]))
    assert response["Location"] == reverse("assessment_summary", args=[draft.pk])
    summary = client.get(reverse("assessment_summary", args=[draft.pk])).content.decode()
    assert "Every question is answered." in summary


def test_reopening_carries_the_answers_over_to_be_confirmed(
    client, questions, draft, member, django_capture_on_commit_callbacks
):
    check_answer_save(
        assessment=draft,
        check_key="incident_review",
        option_key="partly",
        expected_version=0,
        user=member,
    )
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("assessment_summary", args=[draft.pk]))
    client.post(reverse("assessment_reopen", args=[draft.pk]))
    new_draft = draft.team.assessments.get(status="draft")
    carried = CheckAnswer.objects.get(assessment=new_draft)
    assert (carried.option_key, carried.needs_confirmation) == ("partly", True)
    body = client.get(section_url(new_draft, PAGE)).content.decode()
    assert "1 answer was carried over" in body
    assert "Nothing changed on this page" in body
    response = client.post(
        section_url(new_draft, PAGE),
        {"q-incident_review": "partly", "v-incident_review": "1", "go": "confirm"},
    )
    assert response["Location"] == reverse("assessment_summary", args=[new_draft.pk])
    carried.refresh_from_db()
    assert (carried.option_key, carried.version, carried.needs_confirmation) == (
        "partly",
        1,
        False,
    )
