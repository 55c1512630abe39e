"""Campaign reminders: once per week before the deadline and while late, to the team's leads,
and never twice when two workers run the task at once."""

import threading
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.utils import timezone

from assessments.models import Campaign, CampaignReminder, Role
from assessments.services.campaign_reminders import campaign_reminders_send
from assessments.services.campaigns import campaign_archive
from assessments.tasks import send_campaign_reminders

from .campaign_helpers import a_campaign, stored_result
from .factories import MembershipFactory, TeamFactory, UserFactory


@pytest.fixture
def leads(team):
    for name in ("lena", "leo"):
        user = UserFactory(username=name, email=f"{name}@example.com")
        MembershipFactory(team=team, user=user, role=Role.LEAD)
    # Members are not reminded; nor is a lead without an address.
    MembershipFactory(team=team, user=UserFactory(username="mo", email="mo@example.com"))
    MembershipFactory(team=team, user=UserFactory(username="nomail", email=""), role=Role.LEAD)


def _campaign(team, org_admin, *, deadline_in):
    campaign = a_campaign(team.organization, org_admin)
    deadline = timezone.localdate() + timedelta(days=deadline_in)
    Campaign.objects.filter(pk=campaign.pk).update(
        starts_on=min(deadline, timezone.localdate()) - timedelta(days=30), deadline=deadline
    )
    campaign.refresh_from_db()
    return campaign


def test_before_the_deadline_the_leads_are_reminded_once_a_week(team, org_admin, leads):
    campaign = _campaign(team, org_admin, deadline_in=10)
    today = timezone.localdate()
    assert campaign_reminders_send(today=today) == 1
    assert campaign_reminders_send(today=today) == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["lena@example.com", "leo@example.com"]
    assert "10 days left" in message.subject
    assert "asks Fraud Detection to reach level 1 by" in message.body
    # An absolute link: the email is read outside the app.
    assert f"{settings.SITE_URL}/campaigns/{campaign.pk}/" in message.body
    assert campaign_reminders_send(today=today + timedelta(days=7)) == 1
    assert [r.kind for r in CampaignReminder.objects.all()] == ["before_deadline"] * 2


def test_nothing_is_sent_weeks_before_the_deadline(team, org_admin, leads):
    _campaign(team, org_admin, deadline_in=30)
    assert campaign_reminders_send(today=timezone.localdate()) == 0
    assert mail.outbox == []


def test_late_teams_are_reminded_once_a_week_until_done(team, org_admin, leads):
    _campaign(team, org_admin, deadline_in=-3)
    today = timezone.localdate()
    assert campaign_reminders_send(today=today) == 1
    assert campaign_reminders_send(today=today) == 0
    assert "is late" in mail.outbox[0].subject
    assert CampaignReminder.objects.get().kind == "late"
    stored_result(team, level=1)
    assert campaign_reminders_send(today=today + timedelta(days=7)) == 0
    assert len(mail.outbox) == 1


def test_archived_campaigns_and_teams_without_lead_addresses_get_none(team, org_admin, leads):
    archived = _campaign(team, org_admin, deadline_in=-3)
    campaign_archive(campaign=archived, user=org_admin)
    TeamFactory(organization=team.organization, name="No leads")
    _campaign(team, org_admin, deadline_in=-3)
    assert campaign_reminders_send(today=timezone.localdate()) == 1
    assert CampaignReminder.objects.get().team == team


def test_the_periodic_task_is_scheduled_and_sends(team, org_admin, leads):
    schedule = settings.CELERY_BEAT_SCHEDULE["send-campaign-reminders"]
    assert schedule["task"] == send_campaign_reminders.name
    _campaign(team, org_admin, deadline_in=2)
    assert send_campaign_reminders.delay().get() == 1
    assert len(mail.outbox) == 1


class SlowEmailBackend(EmailBackend):
    """Keeps the sending transaction open a while, so a second run reaches the ledger while
    the first has not committed yet: the race the unique row must settle."""

    def send_messages(self, messages):
        time.sleep(0.5)
        return super().send_messages(messages)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_send_each_reminder_once(settings, team, org_admin, leads):
    settings.EMAIL_BACKEND = f"{__name__}.SlowEmailBackend"
    second = TeamFactory(organization=team.organization, name="Search")
    MembershipFactory(
        team=second, user=UserFactory(username="sam", email="sam@example.com"), role=Role.LEAD
    )
    _campaign(team, org_admin, deadline_in=-1)
    today = timezone.localdate()
    start = threading.Barrier(2)
    counts, errors = [], []

    def run():
        try:
            start.wait()
            counts.append(campaign_reminders_send(today=today))
        except Exception as error:  # reported below, not lost in the thread
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=run) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert errors == []
    assert sorted(counts) == [0, 2] or sorted(counts) == [1, 1]
    assert sum(counts) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["lena@example.com", "sam@example.com"]
    assert CampaignReminder.objects.count() == 2
