"""Writes of the questionnaire flow: start, submit, reopen. Answering is in answers.py."""

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import DEFAULT_DB_ALIAS, IntegrityError, transaction
from django.utils import timezone

from .. import maturity, selectors
from ..access import can_edit_team
from ..compiled_queries import CompiledQuery
from ..errors import ActionNotAllowed, ApplicationError
from ..models import Answer, Assessment, AssessmentStatus, Team


def _require_editor(user: User, team: Team) -> None:
    if not can_edit_team(user, team):
        raise ActionNotAllowed("Only members, team leads and org admins can change assessments.")


# Runs on every autosave: compiled once (see CompiledQuery), inside the transaction that holds
# the lock, as every caller of `_locked_draft` is.
_LOCKED_STATUS = CompiledQuery(
    lambda assessment_id: (
        Assessment.objects.select_for_update()
        .filter(pk=assessment_id)
        .order_by()
        .values_list("id", "status")
    )
)


def _locked_draft(assessment_id: int) -> Assessment:
    """The assessment row locked for this transaction, refusing when it is no longer a draft."""
    found = _LOCKED_STATUS.rows(assessment_id=assessment_id)
    if not found:
        raise Assessment.DoesNotExist("Assessment matching query does not exist.")
    assessment = Assessment.from_db(DEFAULT_DB_ALIAS, ["id", "status"], found[0])
    if not assessment.is_draft:
        raise ApplicationError(
            "This assessment was submitted and is locked; reopen it to change answers."
        )
    return assessment


@dataclass(frozen=True)
class DraftOpened:
    """What starting an assessment did: the team's draft, and whether this call created it."""

    assessment: Assessment
    created: bool


def assessment_start(*, team: Team, user: User, copy_from: Assessment | None = None) -> Assessment:
    """The team's draft: the open one, or a new one (see `assessment_open_draft`)."""
    return assessment_open_draft(team=team, user=user, copy_from=copy_from).assessment


@transaction.atomic
def assessment_open_draft(
    *, team: Team, user: User, copy_from: Assessment | None = None
) -> DraftOpened:
    """Open the team's draft, or create one prefilled from `copy_from` or the latest submission,
    saying which happened: callers answer "created" or "already there" from this, never by
    looking for a draft first (another member may start one in between).

    Teams amend their previous answers rather than starting from nothing every quarter; answers
    to questions the current catalogue no longer has are left behind.
    """
    _require_editor(user, team)
    existing = Assessment.objects.filter(team=team, status=AssessmentStatus.DRAFT).first()
    if existing is not None:
        return DraftOpened(existing, created=False)
    if copy_from is not None and copy_from.team_id != team.id:
        raise ApplicationError("An assessment can only be copied within its own team.")
    source = copy_from or selectors.latest_submission_for_team(team=team)
    catalogue = maturity.load_catalogue()
    try:
        with transaction.atomic():
            assessment = Assessment.objects.create(
                team=team, catalogue_version=catalogue.version, created_by=user, copied_from=source
            )
    except IntegrityError:
        # Another member started the draft at the same moment: use theirs.
        return DraftOpened(
            Assessment.objects.get(team=team, status=AssessmentStatus.DRAFT), created=False
        )
    if source is not None:
        Answer.objects.bulk_create(
            Answer(
                assessment=assessment,
                question_key=answer.question_key,
                option_key=answer.option_key,
                note=answer.note,
                updated_by_id=answer.updated_by_id,
                carried_over_from=source.submitted_at,
            )
            for answer in source.answers.all()
            if catalogue.has_question(answer.question_key)
            and answer.option_key in _option_keys(catalogue.question(answer.question_key))
        )
        # Imported here: that module builds on this one's rules for answers.
        from .check_answers import check_answers_carry_over

        check_answers_carry_over(assessment=assessment, source=source)
    _suggest_from_evidence(assessment, catalogue, user)
    return DraftOpened(assessment, created=True)


def _suggest_from_evidence(
    assessment: Assessment, catalogue: maturity.Catalogue, user: User
) -> None:
    """Answer what the team's scanned repositories already show, marked to be confirmed.

    Only questions nobody has answered are suggested: a carried-over answer is the team's
    own word, and the evidence beside it is shown as a hint instead.
    """
    sources = selectors.evidence_sources_for_team(assessment.team)
    if not sources:
        return
    where = dict(sources)
    chosen = dict(assessment.answers.values_list("question_key", "option_key"))
    suggestions = maturity.suggest_answers(catalogue, list(where))
    Answer.objects.bulk_create(
        Answer(
            assessment=assessment,
            question_key=key,
            option_key=suggestion.option,
            updated_by=user,
            suggested_from={
                **where[suggestion.evidence],
                "path": suggestion.evidence.path,
                "line": suggestion.evidence.line,
                "reason": suggestion.evidence.reason,
            },
        )
        for key, suggestion in suggestions.items()
        # Skip logic hides some questions given the context answers carried over.
        if key not in chosen and catalogue.is_visible(catalogue.question(key), chosen)
    )


def _option_keys(question: maturity.Question) -> list[str]:
    return [option.key for option in question.options]


@transaction.atomic
def assessment_submit(*, assessment: Assessment, user: User) -> Assessment:
    """Lock the assessment and compute its result in a worker once the submission is committed."""
    from ..tasks import compute_result

    _require_editor(user, assessment.team)
    locked = _locked_draft(assessment.pk)
    locked.status = AssessmentStatus.SUBMITTED
    locked.submitted_by = user
    locked.submitted_at = timezone.now()
    locked.save(update_fields=["status", "submitted_by", "submitted_at"])
    transaction.on_commit(lambda: compute_result.delay(locked.pk))
    return locked


def assessment_reopen(*, assessment: Assessment, user: User) -> DraftOpened:
    """Submitted assessments never change; reopening starts a new draft with the same answers,
    or returns the team's open draft (see `assessment_open_draft`), saying which happened."""
    if assessment.is_draft:
        raise ApplicationError("This assessment is still a draft; keep editing it.")
    return assessment_open_draft(team=assessment.team, user=user, copy_from=assessment)
