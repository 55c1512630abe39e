"""A team's maturity badge: off unless the team turns it on, reached only through a secret URL."""

from django.conf import settings
from django.db import models

from .teams import Team, TeamOwned


class TeamBadge(TeamOwned):
    """The badge is on while this row exists. `token` is the badge URL's secret part: anyone
    with the URL sees the team's level and index, nothing else, so it is kept in clear to be
    shown to the team again; turning the badge off deletes it, and a new one gets a new token.
    """

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="badge")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"badge of {self.team}"
