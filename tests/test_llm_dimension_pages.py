"""A team without LLM applications answers so once: the dimension reads "not applicable" on the
result page, in its radar, in the API and on dashboards, never as level 0 or 2."""

import json
import re

import pytest
from django.urls import reverse

from assessments.models import Result
from assessments.services.assessments import assessment_start, assessment_submit

from .assessment_helpers import answer_everything, answers_all

LLM_QUESTIONS = (
    "prompts_versioned",
    "llm_evaluation_in_ci",
    "llm_guardrails",
    "llm_calls_traced",
    "llm_models_pinned",
    "retrieval_corpus_refreshed",
)


@pytest.fixture
def submit(team, member, django_capture_on_commit_callbacks):
    def submit(answers):
        draft = assessment_start(team=team, user=member)
        answer_everything(draft, answers, member)
        with django_capture_on_commit_callbacks(execute=True):
            assessment_submit(assessment=draft, user=member)
        return Result.objects.get(assessment=draft)

    return submit


def without_llm(option):
    answers = answers_all(option, llm_applications_in_use="no")
    for key in LLM_QUESTIONS:
        del answers[key]  # hidden by skip logic: nobody answers them
    return answers


def page(client, member, result):
    client.force_login(member)
    return client.get(reverse("assessment_result", args=[result.assessment_id])).content.decode()


def radar_axes(body):
    figure = json.loads(
        re.search(r'<script id="radar-data" type="application/json">(.*?)</script>', body).group(1)
    )
    return set(figure["data"][0]["theta"])


def test_a_team_without_llm_applications_sees_the_dimension_not_applicable(client, member, submit):
    result = submit(without_llm("partly"))
    body = page(client, member, result)
    assert re.search(
        r'<tr class="not-applicable"><th scope="row">LLM applications</th>'
        r'<td colspan="2">Not applicable</td></tr>',
        body,
    )
    assert "<caption>LLM applications (not applicable)</caption>" in body
    assert "LLM applications" not in radar_axes(body)
    assert "Not applicable to this team, so not drawn: LLM applications." in body
    assert "Weakest dimension: <strong>LLM applications" not in body
    # Dashboards count, rank and take medians of the applicable dimensions only.
    assert "llm_applications" not in result.dimension_levels
    assert "llm_applications" not in result.dimension_index
    assert result.snapshot["result"]["not_applicable_dimensions"] == ["llm_applications"]


def test_a_team_with_llm_applications_sees_the_dimension_scored(client, member, submit):
    result = submit(answers_all("partly", llm_applications_in_use="without_retrieval"))
    body = page(client, member, result)
    assert '<tr class="not-applicable">' not in body
    assert "<caption>LLM applications (level 0)</caption>" in body
    assert "LLM applications" in radar_axes(body)
    assert result.dimension_levels["llm_applications"] == 0
    assert result.snapshot["result"]["not_applicable_dimensions"] == []
    capabilities = {c["key"]: c for c in result.snapshot["result"]["capabilities"]}
    assert capabilities["retrieval_data_refresh"]["status"] == "not_applicable"
    assert "– not applicable" in body


def test_the_api_names_the_not_applicable_dimensions(client, member, submit):
    result = submit(without_llm("yes"))
    client.force_login(member)
    body = client.get(f"/api/v1/assessments/{result.assessment_id}/result/").json()
    assert body["not_applicable_dimensions"] == ["llm_applications"]
    # The existing fields keep their meaning: every capability met.
    assert body["dimensions"]["llm_applications"] == 2
    assert body["weakest_dimension"] == ""


def test_the_catalogue_api_lists_the_six_llm_capabilities_under_their_contract_keys(client, member):
    client.force_login(member)
    body = client.get("/api/v1/catalogue/").json()
    llm = [c["key"] for c in body["capabilities"] if c["dimension"] == "llm_applications"]
    assert llm == [
        "prompt_versioning",
        "llm_evaluation",
        "guardrails",
        "llm_tracing",
        "llm_model_pinning",
        "retrieval_data_refresh",
    ]


def test_a_team_whose_repository_calls_llms_gets_the_llm_context_suggested(team, member):
    from django.utils import timezone

    from assessments.models import Answer, Repository, Scan, ScanStatus

    repository = Repository.objects.create(team=team, url="https://github.com/acme/chat.git")
    Scan.objects.create(
        repository=repository,
        status=ScanStatus.SUCCEEDED,
        commit="c0ffee" + "0" * 34,
        scanner_version="1",
        finished_at=timezone.now(),
        findings=[
            {
                "capability": "llm_model_pinning",
                "grade": 0.0,
                "strength": "code",
                "reason": "Models are named by floating aliases such as gpt-4o.",
                "path": "app.py",
                "line": 4,
                "detector": "llm_model_pinning",
            }
        ],
        report={"inconclusive": False},
    )
    draft = assessment_start(team=team, user=member)
    suggested = Answer.objects.get(assessment=draft, question_key="llm_applications_in_use")
    assert suggested.option_key == "with_retrieval"
    assert suggested.suggested_from["path"] == "app.py"
    # A grade 0 finding never suggests an answer to the practice itself.
    assert not Answer.objects.filter(assessment=draft, question_key="llm_models_pinned").exists()
