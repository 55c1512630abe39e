from typing import Any

from django.core.management.base import BaseCommand

from assessments.models import Organization
from assessments.services.organization_months import organization_months_rebuild


class Command(BaseCommand):
    help = (
        "Recount every organisation's results per month from the results themselves. Run it "
        "after changing TIME_ZONE (months are counted in the site's time zone); results "
        "written or deleted through the app keep the counts current without it."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        organization_months_rebuild()
        count = Organization.objects.count()
        self.stdout.write(f"Recounted the months of {count} organisation(s).")
