"""An organisation's own checks: importing a check set as a new version, and recording what a
scan found for each check.

A version is never changed: importing (or editing on the page, which imports the edited text)
adds the next number, and scans apply the highest. Importing the same checks as the current
version adds nothing, so a check set synchronised from a git repository on every push keeps
one version per real change.
"""

import dataclasses
from collections.abc import Sequence

from django.contrib.auth.models import User
from django.db import transaction

from .. import scanning
from ..access import is_admin_of_organization
from ..errors import ActionNotAllowed, ApplicationError
from ..maturity import load_catalogue
from ..maturity.custom_checks import CheckSetError, export_check_set, parse_check_set
from ..models import (
    AuditAction,
    CheckSetVersion,
    Organization,
    RepositoryCheckOutcome,
    Scan,
)
from .audit import audit_record


class CheckSetInvalid(ApplicationError):
    """The check set's YAML is invalid: `problems` holds one sentence per problem, each naming
    its line; nothing was saved."""

    def __init__(self, problems: Sequence[str]):
        self.problems = tuple(problems)
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        super().__init__(
            f"The check set was not imported ({count} {noun}): " + " ".join(self.problems),
            extra={"problems": list(self.problems)},
        )


def check_set_import(
    *, organization: Organization, yaml_text: str, actor: User | None
) -> tuple[CheckSetVersion, bool]:
    """Validate `yaml_text` and make it the organisation's current check set.

    Returns the current version and whether it is new (false when the text says what the
    current version already says). Raises CheckSetInvalid with every problem, or
    ActionNotAllowed for anyone but the organisation's admins."""
    if actor is not None and not is_admin_of_organization(actor, organization.pk):
        raise ActionNotAllowed("Only the organisation's admins change its checks.")
    try:
        check_set = parse_check_set(yaml_text, load_catalogue())
    except CheckSetError as error:
        raise CheckSetInvalid(error.problems) from None
    document = check_set.content()
    with transaction.atomic():
        # Serialise imports per organisation, so two at once get consecutive numbers.
        Organization.objects.select_for_update().get(pk=organization.pk)
        current = CheckSetVersion.objects.filter(organization=organization).first()
        if current is not None and current.document == document:
            return current, False
        number = current.number + 1 if current is not None else 1
        numbered = dataclasses.replace(check_set, version=number)
        version = CheckSetVersion(
            organization=organization,
            number=number,
            counts_towards_levels=check_set.counts_towards_levels,
            document=document,
            yaml_text=export_check_set(numbered),
            created_by=actor,
        )
        version.full_clean()
        version.save()
        audit_record(
            organization=organization,
            actor=actor,
            action=AuditAction.CHECK_SET_IMPORTED,
            target=version,
            details={
                "version": number,
                "checks": len(check_set.checks),
                "counts_towards_levels": check_set.counts_towards_levels,
            },
        )
    return version, True


def check_outcomes_record(
    *,
    scan: Scan,
    version: CheckSetVersion,
    outcomes: Sequence[scanning.CheckOutcome],
) -> None:
    """Store what a finished scan found for each check of `version` (replacing any earlier
    record for this scan, so a redelivered scan stores them once)."""
    with transaction.atomic():
        RepositoryCheckOutcome.objects.filter(scan=scan).delete()
        RepositoryCheckOutcome.objects.bulk_create(
            RepositoryCheckOutcome(
                scan=scan,
                version=version,
                check_key=outcome.key,
                passed=outcome.passed,
                reason=outcome.reason[:300],
                path=outcome.path[:500],
                line=outcome.line,
            )
            for outcome in outcomes
        )
