"""The result page: a summary first (level, target, index, the next three steps, contradictions),
sections a reader can jump to, and the detail below, for the team's people only."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import Repository, Result, Scan, ScanStatus
from assessments.services.assessments import assessment_start, assessment_submit

from .assessment_helpers import answer_everything, answers_all

PROOF_OF_CONCEPT = {
    "online_serving": "no",
    "models_in_production": "none",
    "data_change_frequency": "rarely",
    "retraining_frequency": "rarely",
    "business_criticality": "proof_of_concept",
    "team_size": "one",
}


@pytest.fixture
def submit(team, member, django_capture_on_commit_callbacks):
    def submit(answers):
        draft = assessment_start(team=team, user=member)
        answer_everything(draft, answers, member)
        with django_capture_on_commit_callbacks(execute=True):
            assessment_submit(assessment=draft, user=member)
        return Result.objects.get(assessment=draft)

    return submit


def result_page(client, user, result) -> str:
    client.force_login(user)
    response = client.get(reverse("assessment_result", args=[result.assessment_id]))
    assert response.status_code == 200
    return response.content.decode()


def summary_of(body: str) -> str:
    start = body.index('<section class="result-summary"')
    return body[start : body.index("</section>", start)]


def test_the_summary_comes_first_with_level_target_index_and_the_next_three_steps(
    client, submit, member
):
    result = submit(answers_all("partly"))
    roadmap = result.snapshot["roadmap"]
    assert len(roadmap) > 3
    body = result_page(client, member, result)
    summary = summary_of(body)
    assert body.index(summary) < body.index('id="why-heading"')
    assert f'<p class="big">{result.overall_level}</p>' in summary
    assert f'<p class="big">{result.target_level}</p>' in summary
    assert f"{result.index:.1f}" in summary
    assert f"Next steps to level {result.target_level}" in summary
    for step in roadmap[:3]:
        assert f'<a href="#{step["id"]}">{step["title"]}</a>' in summary
        assert f'id="{step["id"]}"' in body
    assert roadmap[3]["title"] not in summary
    assert f"All {len(roadmap)} steps of the roadmap" in summary


def test_every_section_link_leads_to_a_heading_on_the_page(client, submit, member):
    body = result_page(client, member, submit(answers_all("partly")))
    start = body.index('<nav class="page-sections')
    nav = body[start : body.index("</nav>", start)]
    targets = re.findall(r'href="#([^"]+)"', nav)
    assert {"why-heading", "roadmap-heading", "capabilities-heading"} <= set(targets)
    for target in targets + re.findall(r'href="#([^"]+)"', summary_of(body)):
        assert f'id="{target}"' in body, target


def test_the_summary_counts_the_contradictions_and_links_to_them(client, team, submit, member):
    repository = Repository.objects.create(team=team, url="https://git.example.com/r")
    Scan.objects.create(
        repository=repository,
        status=ScanStatus.SUCCEEDED,
        commit="a" * 40,
        scanner_version="1",
        finished_at=timezone.now(),
        findings=[],
        report={"inconclusive": False},
    )
    result = submit(answers_all("yes"))
    count = len(result.snapshot["result"]["contradictions"])
    assert count > 1
    body = result_page(client, member, result)
    summary = summary_of(body)
    assert (
        f'<a href="#contradictions-heading"><strong>{count} contradictions</strong></a>' in summary
    )
    assert 'href="#contradictions-heading">Contradictions</a>' in body
    assert 'id="contradictions-heading"' in body


def test_without_a_scan_the_summary_says_the_answers_were_not_checked(client, submit, member):
    body = result_page(client, member, submit(answers_all("partly")))
    assert "no repository scan was behind this result" in summary_of(body)
    assert 'href="#contradictions-heading"' not in body


def test_a_team_at_its_target_sees_what_would_come_next_in_the_summary(client, submit, member):
    result = submit(answers_all("partly", context=PROOF_OF_CONCEPT))
    assert result.snapshot["roadmap"] == []
    summary = summary_of(result_page(client, member, result))
    assert "Next, if the target rises" in summary
    assert f"level {result.overall_level + 1} is not required now" in summary


def test_the_detail_sections_are_all_still_there_for_the_print_report(client, submit, member):
    body = result_page(client, member, submit(answers_all("partly")))
    for heading in (
        "Why this level",
        "Recommended target",
        "Dimensions",
        "Roadmap to level",
        "Debt statement",
        "ML Test Score lens",
        "Capabilities",
    ):
        assert heading in body
    # The summary prints; only the jump links and the buttons are left out of print.
    assert 'class="result-summary"' in body
    assert '<nav class="page-sections no-print"' in body


@pytest.mark.parametrize("who", ["member", "lead", "org_admin"])
def test_the_teams_people_see_the_result(client, submit, request, who):
    result = submit(answers_all("partly"))
    body = result_page(client, request.getfixturevalue(who), result)
    assert "On this page" in body


@pytest.mark.parametrize("who", ["other_team_member", "stranger_org_admin"])
def test_anyone_else_gets_not_found(client, submit, request, who):
    result = submit(answers_all("partly"))
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("assessment_result", args=[result.assessment_id]))
    assert response.status_code == 404
    assert "Fraud Detection" not in response.content.decode()


def test_the_team_name_is_escaped(client, team, submit, member):
    team.name = '<img src=x onerror="alert(1)">'
    team.save()
    body = result_page(client, member, submit(answers_all("partly")))
    assert "<img src=x" not in body
    assert "&lt;img src=x" in body
