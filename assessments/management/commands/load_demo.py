from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from assessments.demo import DEMO_PASSWORD, demo_load, synthetic_organization_load
from assessments.errors import ApplicationError

DEFAULT_MONTHS = 12


class Command(BaseCommand):
    help = (
        "Create the demo organisation, teams and users (idempotent). With --teams N, also a "
        "synthetic organisation of N teams with --months M of history. Refused in production mode."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--teams",
            type=int,
            help="also create a synthetic organisation with this many teams",
        )
        parser.add_argument(
            "--months",
            type=int,
            help=f"months of history per synthetic team (default {DEFAULT_MONTHS}; needs --teams)",
        )

    def handle(
        self, *args: Any, teams: int | None = None, months: int | None = None, **options: Any
    ) -> None:
        if months is not None and teams is None:
            raise CommandError("--months applies to a synthetic organisation: add --teams N.")
        try:
            logins = demo_load()
            synthetic = None
            if teams is not None:
                synthetic = synthetic_organization_load(
                    teams=teams, months=months if months is not None else DEFAULT_MONTHS
                )
        except ApplicationError as error:
            raise CommandError(error.message) from error
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Log in with any of these users:"))
        for login in logins:
            where = f" of {login.team}" if login.team else ""
            self.stdout.write(f"  {login.username:<28} {login.role}{where}")
        if synthetic is not None:
            self.stdout.write(
                f"  {synthetic.admin_username:<28} Organisation admin of "
                f"{synthetic.organization.name} ({synthetic.assessments} assessments)"
            )
        self.stdout.write(f"Password for every demo user: {DEMO_PASSWORD}")
