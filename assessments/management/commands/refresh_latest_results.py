from typing import Any

from django.core.management.base import BaseCommand

from assessments.models import Team
from assessments.services.results import teams_latest_result_refresh

BATCH = 500


class Command(BaseCommand):
    help = (
        "Point every team at the result of its latest submission and rewrite its copy for the "
        "dashboards (LatestResult). Results written through the app keep both current; run it "
        "after an upgrade during which an older version of the app went on writing results."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        team_ids = list(Team.objects.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(team_ids), BATCH):
            teams_latest_result_refresh(team_ids=team_ids[start : start + BATCH])
        self.stdout.write(f"Refreshed the latest result of {len(team_ids)} team(s).")
