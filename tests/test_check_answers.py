"""The organisation's reading with the team's answers: a check with only a question passes on
"yes", a check with a rule and a question passes on the scan's evidence first and the answer
otherwise, and the organisation's level (when counted) follows; the result page and its
query count."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import selectors
from assessments.models import CheckAnswer, RepositoryCheckOutcome
from assessments.services.assessments import assessment_start, assessment_submit
from assessments.services.check_answers import check_answer_save
from assessments.services.custom_checks import check_set_import
from assessments.services.repositories import repository_connect

from .scanning.archetypes import ORCHESTRATED
from .scanning.gitrepo import commit, make_repo, write_files
from .test_organization_checks import rescan, submitted_result

CHECKS = """\
counts_towards_levels: true
checks:
  - key: incident_review
    title: Incidents reviewed
    dimension: governance
    level: 1
    question: Does the team review every model incident within a week?
  - key: internal_registry
    title: Models registered in our internal registry
    dimension: validation_registry
    level: 1
    question: Are all production models registered in the Acme registry?
    rule: {dependency_present: acme-registry}
"""


def answer(result, key, option, user, note=""):
    """The answer the team gave before submitting (written directly: a submitted assessment
    is read-only, and these tests vary the answer under one result)."""
    CheckAnswer.objects.update_or_create(
        assessment=result.assessment,
        check_key=key,
        defaults={
            "option_key": option,
            "note": note,
            "updated_by": user,
            "check_set_version": selectors.check_set_current(
                organization_id=result.assessment.team.organization_id
            ),
        },
    )


def reading_of(result):
    reading = selectors.organization_checks_for_result(result=result)
    return {c["key"]: (c["passed"], c["source"]) for c in reading["checks"]}, reading


def test_a_check_with_only_a_question_passes_when_the_team_answers_yes(team, lead, org_admin):
    check_set_import(organization=team.organization, yaml_text=CHECKS, actor=org_admin)
    result = submitted_result(team, lead)
    assert result.overall_level >= 1
    checks, reading = reading_of(result)
    assert checks["incident_review"] == (None, None)
    assert reading["level"] == 0
    assert reading["checks"][0]["rule"] is None
    assert reading["checks"][0]["answer"] is None

    answer(result, "incident_review", "partly", lead)
    checks, reading = reading_of(result)
    assert checks["incident_review"] == (False, "answered")
    assert reading["checks"][0]["answer"]["grade"] == 0.5

    answer(result, "incident_review", "yes", lead, note="Every Monday.")
    answer(result, "internal_registry", "yes", lead)
    checks, reading = reading_of(result)
    assert checks == {
        "incident_review": (True, "answered"),
        "internal_registry": (True, "answered"),
    }
    assert reading["level"] == result.overall_level
    given = reading["checks"][0]["answer"]
    assert (given["option"], given["label"], given["note"]) == ("yes", "Yes", "Every Monday.")
    assert (given["check_set_version"], given["updated_by"]) == (1, lead.username)


def test_the_scans_evidence_wins_over_the_answer_and_the_answer_over_no_evidence(
    tmp_path, team, lead, org_admin, django_capture_on_commit_callbacks
):
    check_set_import(organization=team.organization, yaml_text=CHECKS, actor=org_admin)
    repo = make_repo(tmp_path / "churn", ORCHESTRATED)
    with django_capture_on_commit_callbacks(execute=True):
        repository = repository_connect(team=team, user=lead, url=str(repo))
    # A check with only a question is for the team: the scan records nothing for it.
    outcomes = RepositoryCheckOutcome.objects.filter(scan__repository=repository)
    assert list(outcomes.values_list("check_key", "passed")) == [("internal_registry", False)]
    result = submitted_result(team, lead)
    assert reading_of(result)[0]["internal_registry"] == (False, "scanned")

    # No evidence found: the team's answer decides ("Don't know" is no answer).
    answer(result, "internal_registry", "unknown", lead)
    assert reading_of(result)[0]["internal_registry"] == (False, "scanned")
    answer(result, "internal_registry", "yes", lead)
    assert reading_of(result)[0]["internal_registry"] == (True, "answered")

    # Evidence found: it settles the check, whatever the answer.
    answer(result, "internal_registry", "no", lead)
    assert reading_of(result)[0]["internal_registry"] == (False, "answered")
    write_files(
        repo, {"requirements.txt": ORCHESTRATED["requirements.txt"] + "acme-registry==2.1\n"}
    )
    commit(repo, "Register the model in the Acme registry")
    rescan(repository, django_capture_on_commit_callbacks)
    checks, reading = reading_of(result)
    assert checks["internal_registry"] == (True, "scanned")
    assert reading["checks"][1]["answer"]["option"] == "no"


def test_an_assessment_without_answers_reads_as_before(team, lead, org_admin):
    rules_only = CHECKS.split("  - key: internal_registry")[0].replace(
        "    question: Does the team review every model incident within a week?\n",
        "    rule: {file_exists: INCIDENTS.md}\n",
    )
    check_set_import(organization=team.organization, yaml_text=rules_only, actor=org_admin)
    result = submitted_result(team, lead)
    checks, reading = reading_of(result)
    assert checks == {"incident_review": (None, None)}
    assert reading["checks"][0]["answer"] is None
    assert reading["checks"][0]["rule_text"] == "a file matching INCIDENTS.md"


def test_answers_of_another_assessment_do_not_count(team, lead, org_admin):
    check_set_import(organization=team.organization, yaml_text=CHECKS, actor=org_admin)
    first = submitted_result(team, lead)
    second = submitted_result(team, lead)
    answer(first, "incident_review", "yes", lead)
    assert reading_of(second)[0]["incident_review"] == (None, None)
    assert reading_of(first)[0]["incident_review"] == (True, "answered")


def test_the_result_page_says_what_decided_each_check(client, team, lead, member, org_admin):
    check_set_import(organization=team.organization, yaml_text=CHECKS, actor=org_admin)
    result = submitted_result(team, lead)
    answer(result, "incident_review", "yes", lead, note="<script>alert(1)</script> see wiki")
    client.force_login(member)
    page = client.get(reverse("assessment_result", args=[result.assessment_id])).content.decode()
    assert '✓ passing</span> <span class="meta org-check-source">· answered</span>' in page
    assert f"Answered “Yes” by {lead.username}" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; see wiki" in page
    assert "<script>alert(1)</script>" not in page
    # The registry check has a rule nobody scanned yet and no answer.
    assert "? not scanned or answered yet" in page
    assert "Not answered in this assessment." in page


def _checks_yaml(count):
    lines = ["counts_towards_levels: true", "checks:"]
    for number in range(count):
        lines += [
            f"  - key: question_{number}",
            f"    title: Question {number}",
            "    dimension: governance",
            "    level: 1",
            f"    question: Is practice {number} in place?",
        ]
        if number % 2:
            lines.append(f"    rule: {{file_exists: PRACTICE_{number}.md}}")
    return "\n".join(lines) + "\n"


def test_the_result_page_query_count_stays_flat_as_checks_and_answers_grow(
    client, team, lead, member, org_admin
):
    result = submitted_result(team, lead)
    client.force_login(member)
    url = reverse("assessment_result", args=[result.assessment_id])
    counts = []
    for size in (2, 12):
        check_set_import(
            organization=team.organization, yaml_text=_checks_yaml(size), actor=org_admin
        )
        for number in range(size):
            answer(result, f"question_{number}", "yes" if number % 3 else "no", lead)
        client.get(url)  # caches warmed alike for both sizes
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url).content.decode()
        assert page.count("org-check-answer") == size
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_answers_given_in_the_draft_are_read_once_submitted(
    team, lead, org_admin, django_capture_on_commit_callbacks
):
    from .assessment_helpers import answer_everything, answers_all

    check_set_import(organization=team.organization, yaml_text=CHECKS, actor=org_admin)
    draft = assessment_start(team=team, user=lead)
    answer_everything(draft, answers_all("yes"), lead)
    check_answer_save(
        assessment=draft,
        check_key="incident_review",
        option_key="yes",
        expected_version=0,
        user=lead,
    )
    with django_capture_on_commit_callbacks(execute=True):
        assessment_submit(assessment=draft, user=lead)
    draft.refresh_from_db()
    checks, reading = reading_of(draft.result)
    assert checks == {"incident_review": (True, "answered"), "internal_registry": (None, None)}
    assert reading["level"] == 0  # the registry check of level 1 is not known to pass


def test_a_result_with_only_questions_does_not_wait_for_a_scan(client, team, lead, org_admin):
    only_questions = CHECKS.split("  - key: internal_registry")[0]
    check_set_import(organization=team.organization, yaml_text=only_questions, actor=org_admin)
    result = submitted_result(team, lead)
    answer(result, "incident_review", "yes", lead)
    client.force_login(lead)
    page = client.get(reverse("assessment_result", args=[result.assessment_id])).content.decode()
    assert f"answered by {team.name} in this assessment" in page
    assert "no repository has been scanned with them yet" not in page


def test_a_rule_no_scan_has_applied_yet_caps_nothing_but_an_unanswered_question_does(
    team, lead, org_admin
):
    rule_only = """\
counts_towards_levels: true
checks:
  - key: internal_registry
    title: Models registered in our internal registry
    dimension: validation_registry
    level: 1
    rule: {dependency_present: acme-registry}
"""
    check_set_import(organization=team.organization, yaml_text=rule_only, actor=org_admin)
    result = submitted_result(team, lead)
    assert result.overall_level >= 1
    checks, reading = reading_of(result)
    # No repository scanned under this version: not visible, as in the engine; not a failure.
    assert checks["internal_registry"] == (None, None)
    assert reading["level"] == result.overall_level
    check_set_import(organization=team.organization, yaml_text=CHECKS, actor=org_admin)
    checks, reading = reading_of(result)
    # A question nobody answered counts as not passing, as an unknown answer does.
    assert checks["incident_review"] == (None, None)
    assert reading["level"] == 0
