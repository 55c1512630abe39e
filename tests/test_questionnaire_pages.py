"""The questionnaire pages through the Django test client (the browser tests drive the same)."""

import pytest
from django.urls import reverse

from assessments import maturity
from assessments.models import Answer, AssessmentStatus, Result
from assessments.services.answers import answer_save
from assessments.services.assessments import assessment_start

from .assessment_helpers import answer_everything, answers_all


@pytest.fixture
def draft(team, member):
    return assessment_start(team=team, user=member)


def section_url(assessment, section):
    return reverse("questionnaire_section", args=[assessment.pk, section])


def autosave(client, assessment, question, option, version, note=""):
    return client.post(
        reverse("answer_autosave", args=[assessment.pk, question]),
        {"option": option, "version": version, "note": note},
    )


def test_opening_a_draft_resumes_at_the_first_unanswered_page(client, draft, member):
    answer_everything(draft, answers_all("yes", context={}) | {}, member)
    client.force_login(member)
    response = client.get(reverse("assessment_open", args=[draft.pk]))
    assert response["Location"] == section_url(draft, "context")


def test_a_page_shows_its_questions_with_help_and_progress(client, draft, member):
    client.force_login(member)
    body = client.get(section_url(draft, "data")).content.decode()
    assert "data_schema_checked" in body
    assert "<span data-answered>0</span>" in body
    assert 'name="q-data_schema_checked"' in body


def test_a_plain_form_post_saves_the_page_and_moves_on(client, draft, member):
    client.force_login(member)
    response = client.post(
        section_url(draft, "context"),
        {
            "q-online_serving": "no",
            "v-online_serving": "0",
            "n-online_serving": "batch only",
            "go": "next",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == section_url(draft, "code_environment")
    answer = Answer.objects.get(assessment=draft, question_key="online_serving")
    assert (answer.option_key, answer.note, answer.version) == ("no", "batch only", 1)


def test_a_stale_plain_post_shows_the_conflict_and_keeps_the_other_value(
    client, draft, member, lead
):
    answer_save(
        assessment=draft,
        question_key="online_serving",
        option_key="yes",
        expected_version=0,
        user=lead,
    )
    client.force_login(member)
    response = client.post(
        section_url(draft, "context"), {"q-online_serving": "no", "v-online_serving": "0"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "lena changed this answer" in body
    assert Answer.objects.get(assessment=draft, question_key="online_serving").option_key == "yes"


def test_autosave_saves_one_answer_and_returns_its_version_and_progress(client, draft, member):
    client.force_login(member)
    response = autosave(client, draft, "code_in_git", "yes", 0)
    assert response.status_code == 200
    assert response.json()["version"] == 1
    assert response.json()["answered"] == 1


def test_autosave_answers_409_with_the_other_value(client, draft, member, lead):
    answer_save(
        assessment=draft,
        question_key="code_in_git",
        option_key="partly",
        expected_version=0,
        user=lead,
    )
    client.force_login(member)
    response = autosave(client, draft, "code_in_git", "yes", 0)
    assert response.status_code == 409
    assert response.json()["conflict"]["current_option"] == "partly"
    assert response.json()["conflict"]["updated_by"] == "lena"


@pytest.mark.parametrize(
    ("option", "version", "message"),
    [("maybe", "0", "'maybe' is not an answer"), ("yes", "x", "version is missing")],
)
def test_autosave_refuses_bad_input_with_a_sentence(
    client, draft, member, option, version, message
):
    client.force_login(member)
    response = autosave(client, draft, "code_in_git", option, version)
    assert response.status_code == 400
    assert message in response.json()["detail"]
    assert not Answer.objects.filter(assessment=draft).exists()


def test_viewers_read_but_cannot_answer(client, draft, viewer):
    client.force_login(viewer)
    body = client.get(section_url(draft, "context")).content.decode()
    assert "only members and leads can answer" in body
    assert autosave(client, draft, "code_in_git", "yes", 0).status_code == 403
    assert client.post(section_url(draft, "context"), {"q-online_serving": "no"}).status_code == 403
    assert not Answer.objects.filter(assessment=draft).exists()


def test_another_teams_member_gets_not_found_everywhere(client, draft, other_team_member):
    client.force_login(other_team_member)
    assert client.get(section_url(draft, "context")).status_code == 404
    assert autosave(client, draft, "code_in_git", "yes", 0).status_code == 404
    assert client.get(reverse("assessment_summary", args=[draft.pk])).status_code == 404
    assert not Answer.objects.filter(assessment=draft).exists()


def test_skip_logic_hides_online_serving_questions(client, draft, member):
    answer_save(
        assessment=draft,
        question_key="online_serving",
        option_key="no",
        expected_version=0,
        user=member,
    )
    client.force_login(member)
    body = client.get(section_url(draft, "cicd")).content.decode()
    start = body.index('id="question-load_tests"')
    assert " hidden" in body[start : body.index(">", start)]


def test_the_summary_lists_unanswered_questions_and_submitting_shows_the_result(
    client, draft, member, django_capture_on_commit_callbacks
):
    answer_everything(draft, answers_all("yes", unit_tests="no"), member)
    Answer.objects.filter(assessment=draft, question_key="load_tests").delete()
    client.force_login(member)
    body = client.get(reverse("assessment_summary", args=[draft.pk])).content.decode()
    assert "#question-load_tests" in body
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("assessment_summary", args=[draft.pk]))
    assert response["Location"] == reverse("assessment_result", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.status == AssessmentStatus.SUBMITTED
    assert Result.objects.filter(assessment=draft).exists()
    page = client.get(response["Location"]).content.decode()
    assert "Roadmap to level 2" in page
    assert 'id="radar-data"' in page
    assert "Unit tests" in page or "unit tests" in page.lower()


def test_the_result_page_waits_while_the_result_is_computed(client, draft, member):
    draft.status = AssessmentStatus.SUBMITTED
    draft.submitted_at = draft.created_at
    draft.save()
    client.force_login(member)
    body = client.get(reverse("assessment_result", args=[draft.pk])).content.decode()
    assert "being computed" in body
    assert 'http-equiv="refresh"' in body


def test_reopening_from_the_result_page_opens_a_new_draft(
    client, draft, member, django_capture_on_commit_callbacks
):
    answer_everything(draft, answers_all("partly"), member)
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("assessment_summary", args=[draft.pk]))
    response = client.post(reverse("assessment_reopen", args=[draft.pk]))
    new_draft = draft.team.assessments.get(status=AssessmentStatus.DRAFT)
    assert response["Location"] == reverse("assessment_open", args=[new_draft.pk])
    assert new_draft.answers.count() == draft.answers.count()


def test_history_compares_two_assessments(client, team, member, django_capture_on_commit_callbacks):
    ids = []
    for option in ("no", "yes"):
        assessment = assessment_start(team=team, user=member)
        answer_everything(assessment, answers_all(option), member)
        client.force_login(member)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("assessment_summary", args=[assessment.pk]))
        ids.append(assessment.pk)
    url = reverse("team_history", args=[team.slug])
    body = client.get(url, {"compare": ids}).content.decode()
    assert "compared with" in body
    assert "changed" in body
    assert client.get(url, {"compare": [ids[0]]}).status_code == 404


def test_an_autosave_costs_the_same_few_queries_however_many_answers_exist(
    client, draft, member, settings
):
    # As deployed with Redis: sessions come from the cache after their first request.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(member)
    client.get(section_url(draft, "context"))  # the session is now cached

    def queries_for_one_save(version):
        with CaptureQueriesContext(connection) as captured:
            response = autosave(client, draft, "online_serving", "no", version, note="n")
        assert response.status_code == 200
        return len(captured.captured_queries), response.json()["version"]

    few, version = queries_for_one_save(0)
    answer_everything(draft, answers_all("yes", online_serving="no"), member)
    version = Answer.objects.get(assessment=draft, question_key="online_serving").version
    many, _ = queries_for_one_save(version)
    assert few == many
    # User, assessment, role, row lock, the answers (versions and options), write.
    assert many <= 8


def test_notes_stored_with_crlf_before_normalisation_are_migrated_to_lf(draft, member):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("assessments.migrations.0006_answer_note_line_endings")
    answer_save(
        assessment=draft,
        question_key="online_serving",
        option_key="no",
        expected_version=0,
        user=member,
    )
    Answer.objects.filter(assessment=draft).update(note="first\r\nsecond\rthird")
    migration.normalise_line_endings(apps, None)
    answer = Answer.objects.get(assessment=draft, question_key="online_serving")
    assert (answer.note, answer.version) == ("first\nsecond\nthird", 1)


def test_history_draws_the_index_over_time_with_times_of_day(
    client, team, member, django_capture_on_commit_callbacks
):
    import json
    import re

    for option in ("no", "yes"):
        assessment = assessment_start(team=team, user=member)
        answer_everything(assessment, answers_all(option), member)
        client.force_login(member)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("assessment_summary", args=[assessment.pk]))
    body = client.get(reverse("team_history", args=[team.slug])).content.decode()
    figure = json.loads(
        re.search(r'<script id="trend-data" type="application/json">(.*?)</script>', body).group(1)
    )
    trace = figure["data"][0]
    # Two assessments submitted on one day are two points, told apart by their times.
    assert len(trace["x"]) == 2
    assert len(set(trace["x"])) == 2
    assert "T" in trace["x"][0]
    assert trace["y"][0] < trace["y"][1]
    assert "plotly.min.js" in body
    # The chart's title states what changed, not what is plotted.
    first, latest = trace["y"][0], trace["y"][1]
    heading = re.search(r'<h2 id="trend-heading">(.*?)</h2>', body).group(1)
    assert heading.startswith(f"Up {latest - first:.1f} points since ")
    assert f"index {first:.1f} to {latest:.1f}" in heading
    # Each dimension's own line is there, drawn when its legend entry is clicked.
    dimensions = figure["data"][1:]
    assert len(dimensions) == len(maturity.load_catalogue().dimensions) == 9
    assert {d["visible"] for d in dimensions} == {"legendonly"}
    assert all(len(d["x"]) == 2 for d in dimensions)


def test_the_history_title_says_down_or_unchanged_and_the_levels():
    from datetime import UTC, datetime
    from types import SimpleNamespace

    from assessments.views.results import history_finding

    def result(index, level):
        when = datetime(2026, 7, 10, 9, 0, tzinfo=UTC)
        return SimpleNamespace(
            index=index, overall_level=level, assessment=SimpleNamespace(submitted_at=when)
        )

    assert history_finding(result(80.0, 1), result(62.5, 0)) == (
        "Down 17.5 points since 10 Jul 2026: index 80.0 to 62.5, level 1 to 0"
    )
    assert history_finding(result(50.0, 1), result(50.04, 1)) == (
        "Index unchanged at 50.0 since 10 Jul 2026, level 1 throughout"
    )
