"""Campaign reminders: e-mail a team's leads before the deadline and while the team is late.

The periodic task runs every hour (settings.CELERY_BEAT_SCHEDULE); each reminder is owed once
per ISO week (maturity.campaigns.reminder_due). That it is sent once, even when two workers
run the task at the same moment, rests on the database: the reminder's ledger row is inserted
first, in the transaction that sends the e-mail, under a unique constraint. The second worker's
insert waits for the first transaction and then conflicts, so only the worker whose row went in
sends. An e-mail that fails rolls its row back, and the next run sends it again.
"""

from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from .. import maturity
from ..maturity.campaigns import reminder_due
from ..models import Campaign, CampaignReminder, ReminderKind, Team
from ..selectors.campaigns import campaign_goal, campaign_progress
from ..selectors.teams import team_leads

# How long before the deadline teams not done yet are reminded, once a week.
REMINDER_LEAD = timedelta(days=14)


def _day(value: date) -> str:
    return date_format(value, "j M Y")


def _lead_addresses(team_ids: list[int]) -> dict[int, list[str]]:
    addresses: dict[int, list[str]] = {}
    for team_id, email in (
        team_leads(team_ids=team_ids)
        .exclude(user__email="")
        .order_by("user__email")
        .values_list("team_id", "user__email")
    ):
        addresses.setdefault(team_id, []).append(email)
    return addresses


def _message(campaign: Campaign, team: Team, kind: str, today: date) -> tuple[str, str]:
    titles = {c.key: c.title for c in maturity.load_catalogue().capabilities}
    ask = campaign_goal(campaign).ask(titles)
    deadline = _day(campaign.deadline)
    if kind == ReminderKind.LATE:
        subject = f"{team.name} is late for the campaign “{campaign.title}”"
        opening = f"The deadline was {deadline}, and {team.name} has not done it yet."
    else:
        days = (campaign.deadline - today).days
        subject = f"{days} day{'s' if days != 1 else ''} left: “{campaign.title}”"
        opening = f"The deadline is {deadline}, and {team.name} has not done it yet."
    owner = campaign.owner.get_username() if campaign.owner else "an org admin"
    body = (
        f"The campaign “{campaign.title}” of {campaign.organization.name} asks {team.name} to "
        f"{ask} by {deadline}.\n\n{opening}\n\n"
        "Where every team stands: "
        f"{settings.SITE_URL}{reverse('campaign_detail', args=[campaign.pk])}\n"
        f"Questions go to the campaign's owner, {owner}.\n\n"
        "You receive this as a lead of the team, at most once a week.\n"
    )
    return subject, body


def _send_once(
    campaign: Campaign, team: Team, kind: str, period: str, to: list[str], today: date
) -> bool:
    """Insert the reminder's row and send it, in one transaction; False when another run's row
    is there already (sent, or being sent)."""
    with transaction.atomic():
        _, created = CampaignReminder.objects.get_or_create(
            campaign=campaign,
            team=team,
            kind=kind,
            period=period,
            defaults={"sent_at": timezone.now(), "recipients": len(to)},
        )
        if not created:
            return False
        subject, body = _message(campaign, team, kind, today)
        send_mail(subject, body, None, to)
    return True


def campaign_reminders_send(*, today: date | None = None) -> int:
    """Send the reminders owed today for every open campaign; return how many were sent.

    A team whose leads have no e-mail address gets none, and no ledger row, so a lead added
    later is still reminded that week."""
    today = today or timezone.localdate()
    sent = 0
    campaigns = Campaign.objects.filter(archived_at__isnull=True, starts_on__lte=today)
    for campaign in campaigns.select_related("organization", "owner").order_by("id"):
        progress = campaign_progress(campaign=campaign, today=today, with_series=False)
        owed = []
        for row in progress.teams:
            due = reminder_due(
                row.state, today=today, deadline=campaign.deadline, lead=REMINDER_LEAD
            )
            if due is not None:
                owed.append((row.team, due))
        if not owed:
            continue
        addresses = _lead_addresses([team.pk for team, _ in owed])
        for team, (kind, period) in owed:
            if addresses.get(team.pk) and _send_once(
                campaign, team, kind, period, addresses[team.pk], today
            ):
                sent += 1
    return sent
