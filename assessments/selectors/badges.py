"""Reads for the maturity badge: the team's own, and the two figures behind a badge URL."""

from typing import NamedTuple

from ..models import Team, TeamBadge


class BadgeFigures(NamedTuple):
    level: int | None  # None: the team has no submitted assessment yet
    maturity_index: float | None


def badge_for_team(*, team: Team) -> TeamBadge | None:
    return TeamBadge.objects.filter(team=team).first()


def badge_figures(*, token: str) -> BadgeFigures | None:
    """The level and index behind a badge URL; None when no badge has this token.

    One query along the token's unique index to the team's latest result; nothing else about
    the team is read, so nothing else can reach the badge.
    """
    row = (
        TeamBadge.objects.filter(token=token)
        .values_list("team__latest_result__overall_level", "team__latest_result__index")
        .first()
    )
    return None if row is None else BadgeFigures(*row)
