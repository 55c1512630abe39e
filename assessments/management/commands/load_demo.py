from django.core.management.base import BaseCommand, CommandError

from assessments.errors import ApplicationError
from assessments.services.demo import DEMO_PASSWORD, demo_load


class Command(BaseCommand):
    help = "Create the demo organisation, teams and users (idempotent). Refused in production mode."

    def handle(self, *args, **options):
        try:
            logins = demo_load()
        except ApplicationError as error:
            raise CommandError(error.message) from error
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Log in with any of these users:"))
        for login in logins:
            where = f" of {login.team}" if login.team else ""
            self.stdout.write(f"  {login.username:<28} {login.role}{where}")
        self.stdout.write(f"Password for every demo user: {DEMO_PASSWORD}")
