"""Reads about exemptions: the ones a user may see, the ones in force, the requests an org admin
decides on, and a result read with the exemptions in force.

"In force" is read from the date every time (`active_on`), never stored, so an exemption
expires on its day without a job. Every list goes through `access.visible_to`: a team's people
and its organisation's admins see its exemptions, nobody else.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from .. import maturity
from ..access import UserOrAnonymous, administered_organization_ids, visible_to
from ..maturity.exemptions import stored_result_with_exemptions
from ..maturity.lenses import lens_readings
from ..maturity.versions import load_catalogue_version
from ..models import Exemption, ExemptionStatus, Result, Team


def active_on(day: date, prefix: str = "") -> Q:
    """Approved and not expired on `day` (the expiry date is the last day in force); the one
    rule for a query, as `Exemption.is_active_on` is for one row."""
    return Q(**{f"{prefix}status": ExemptionStatus.APPROVED, f"{prefix}expires_on__gte": day})


def _with_people(queryset: QuerySet[Exemption]) -> QuerySet[Exemption]:
    return queryset.select_related("team__organization", "requested_by", "decided_by")


def exemption_list(
    *,
    team_id: int | None = None,
    status: str | None = None,
    active: bool | None = None,
    today: date | None = None,
) -> QuerySet[Exemption]:
    """Exemptions (of one team, in one status, in force on `today` or not), newest request
    first, before tenancy: the caller narrows them to a user (the API's TeamScoped views do)."""
    exemptions = Exemption.objects.all()
    if team_id is not None:
        exemptions = exemptions.filter(team_id=team_id)
    if status is not None:
        exemptions = exemptions.filter(status=status)
    if active is not None:
        if today is None:
            raise ValueError("reading exemptions in force needs the day")
        exemptions = exemptions.filter(active_on(today) if active else ~active_on(today))
    return _with_people(exemptions).order_by("-requested_at", "-id")


def exemption_list_for_user(
    *, user: UserOrAnonymous, team: Team | None = None, status: str | None = None
) -> QuerySet[Exemption]:
    """The exemptions of the teams the user can see (of one team, in one status), newest
    request first."""
    return visible_to(
        exemption_list(team_id=team.pk if team is not None else None, status=status), user
    )


@dataclass(frozen=True)
class ExemptionOverview:
    """What the exemptions page shows: requests waiting (oldest first), exemptions in force
    (ending soonest first), and the latest closed ones (rejected, withdrawn or expired)."""

    waiting: list[Exemption]
    active: list[Exemption]
    closed: list[Exemption]


def exemption_overview_for_user(
    *, user: UserOrAnonymous, today: date, team: Team | None = None, closed_limit: int = 50
) -> ExemptionOverview:
    """The exemptions of the teams the user can see (or of one team), in three lists, in three
    queries however many there are; older closed ones are left to the API."""
    visible = exemption_list_for_user(user=user, team=team)
    return ExemptionOverview(
        waiting=list(
            visible.filter(status=ExemptionStatus.REQUESTED).order_by("requested_at", "id")
        ),
        active=list(visible.filter(active_on(today)).order_by("expires_on", "id")),
        closed=list(
            visible.exclude(status=ExemptionStatus.REQUESTED)
            .exclude(active_on(today))
            .order_by("-decided_at", "-id")[:closed_limit]
        ),
    )


def exemption_get_for_user(*, user: UserOrAnonymous, exemption_id: int) -> Exemption:
    """The exemption, or 404 when it does not exist or the user may not see it
    (indistinguishable)."""
    try:
        return _with_people(visible_to(Exemption.objects.all(), user)).get(pk=exemption_id)
    except Exemption.DoesNotExist:
        raise Http404("No such exemption.") from None


def exemption_requests_to_decide(*, user: UserOrAnonymous) -> list[Exemption]:
    """Requests waiting for a decision in the organisations the user administers, oldest first:
    the queue an org admin works through. Empty for everyone else."""
    waiting = Exemption.objects.filter(status=ExemptionStatus.REQUESTED)
    administered = administered_organization_ids(user)
    if administered is not None:
        waiting = waiting.filter(team__organization_id__in=administered)
    return list(_with_people(waiting).order_by("requested_at", "id"))


def exemptions_active_for_team(*, team: Team, today: date) -> list[Exemption]:
    """The team's exemptions in force today, by capability."""
    return list(
        _with_people(Exemption.objects.filter(active_on(today), team=team)).order_by(
            "capability_key", "expires_on"
        )
    )


def exemptions_waiting_for_team(*, team: Team) -> list[Exemption]:
    """The team's requests still waiting for a decision, oldest first."""
    return list(
        _with_people(
            Exemption.objects.filter(team=team, status=ExemptionStatus.REQUESTED)
        ).order_by("requested_at", "id")
    )


def exemption_counts_for_team(*, team: Team, today: date) -> dict[str, int]:
    """{"active": capabilities exempted today, "waiting": requests waiting}, in one query."""
    return Exemption.objects.filter(team=team).aggregate(
        active=Count("capability_key", filter=active_on(today), distinct=True),
        waiting=Count("pk", filter=Q(status=ExemptionStatus.REQUESTED)),
    )


def exemptions_active_count_by_team(
    *, team_ids: QuerySet[Any] | Iterable[int], today: date
) -> dict[int, int]:
    """{team id: number of capabilities exempted today} for the given teams that have any, in
    one query: how many exemptions each team's reading with exemptions rests on (the result
    page, and the dashboards beside their raw figures).

    Capabilities are counted, not rows: a renewal approved in an exemption's last days is in
    force beside it for a while, yet the team is exempted from one capability, not two."""
    rows = (
        Exemption.objects.filter(active_on(today), team_id__in=team_ids)
        .order_by()
        .values("team_id")
        .annotate(capabilities=Count("capability_key", distinct=True))
        .values_list("team_id", "capabilities")
    )
    return dict(rows)


@dataclass(frozen=True)
class ReadingWithExemptions:
    """A result read with the team's exemptions in force on `as_of`, beside its raw reading."""

    outcome: maturity.MaturityResult
    exemptions: tuple[Exemption, ...]
    as_of: date
    # The other lenses' readings of `outcome` (maturity.lenses): an exempted capability counts
    # as not applicable there too, met for Microsoft's levels and not counted for an article.
    lenses: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def level(self) -> int:
        return self.outcome.level

    @property
    def index(self) -> float:
        return self.outcome.index

    @property
    def capabilities(self) -> tuple[str, ...]:
        return tuple(sorted({e.capability_key for e in self.exemptions}))


def result_with_exemptions(
    *, result: Result, today: date, exemptions: list[Exemption] | None = None
) -> ReadingWithExemptions | None:
    """The result read with the team's exemptions in force today; None when none is in force
    (or none names a capability of the result's catalogue version), as there is then no second
    reading to show. Pass `exemptions` when they are already read."""
    if exemptions is None:
        exemptions = exemptions_active_for_team(team=result.assessment.team, today=today)
    catalogue = load_catalogue_version(result.catalogue_version)
    applied = tuple(e for e in exemptions if catalogue.has_capability(e.capability_key))
    if not applied:
        return None
    answers = dict(result.assessment.answers.values_list("question_key", "option_key"))
    outcome = stored_result_with_exemptions(
        catalogue,
        answers,
        result.snapshot["result"],
        exempted={e.capability_key for e in applied},
    )
    return ReadingWithExemptions(
        outcome=outcome,
        exemptions=applied,
        as_of=today,
        lenses=lens_readings(catalogue, outcome),
    )
