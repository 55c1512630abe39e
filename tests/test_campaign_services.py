"""Starting, changing and archiving campaigns: who may, what is refused, what is recorded."""

from datetime import timedelta

import pytest
from django.utils import timezone

from assessments.errors import ActionNotAllowed, ApplicationError
from assessments.models import AuditEvent, Campaign
from assessments.services.campaigns import campaign_archive, campaign_update

from .campaign_helpers import a_campaign
from .factories import UserFactory


def test_an_org_admin_starts_a_campaign_and_the_log_says_so(team, org_admin):
    campaign = a_campaign(
        team.organization,
        org_admin,
        goal_kind="capability",
        goal_capability="data_validation",
        goal_level=2,
        scope_tags=[" unit:payments ", "unit:payments", ""],
        scope_criticalities=["critical"],
    )
    assert (campaign.goal_capability, campaign.goal_level) == ("data_validation", None)
    assert campaign.scope_tags == ["unit:payments"]
    assert campaign.owner == org_admin
    event = AuditEvent.objects.get(action="campaign.created")
    assert event.object_id == str(campaign.pk)
    assert event.details["parameter"] == "data_validation"


@pytest.mark.parametrize("who", ["member", "lead", "stranger_org_admin"])
def test_only_the_organisations_admins_start_campaigns(request, team, who):
    with pytest.raises(ActionNotAllowed, match="Only org admins"):
        a_campaign(team.organization, request.getfixturevalue(who))
    assert not Campaign.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"goal_kind": "capability", "goal_capability": "telepathy"}, "no capability 'telepathy'"),
        ({"goal_level": 3}, "A level goal needs the level to reach: 1 or 2."),
        ({"goal_kind": "vibes"}, "There is no goal kind 'vibes'"),
        ({"title": "   "}, "Give the campaign a title"),
        ({"title": "x" * 201}, "longer than 200 characters"),
        ({"scope_criticalities": ["urgent"]}, "There is no criticality 'urgent'"),
        ({"scope_tags": [f"t{i}" for i in range(21)]}, "at most 20 tags"),
        ({"deadline": timezone.localdate() - timedelta(days=11)}, "is before the start"),
        ({"deadline": timezone.localdate() - timedelta(days=1)}, "must be today"),
        ({"deadline": timezone.localdate() + timedelta(days=800)}, "at most two years"),
    ],
)
def test_a_bad_campaign_is_refused_in_one_sentence(team, org_admin, fields, message):
    with pytest.raises(ApplicationError, match=message):
        a_campaign(team.organization, org_admin, **fields)
    assert not Campaign.objects.exists()


def test_the_owner_belongs_to_the_organisation(team, org_admin, stranger_org_admin, member):
    with pytest.raises(ApplicationError, match="owner must be an active member"):
        a_campaign(team.organization, org_admin, owner=stranger_org_admin)
    assert a_campaign(team.organization, org_admin, owner=member).owner == member
    outsider = UserFactory(username="nobody")
    with pytest.raises(ApplicationError, match="owner must be an active member"):
        a_campaign(team.organization, org_admin, owner=outsider)


def test_a_superuser_may_start_and_own_a_campaign_in_any_organisation(team, django_user_model):
    """A superuser administers every organisation (access.organizations_of), without a row."""
    root = django_user_model.objects.create_superuser("root")
    assert a_campaign(team.organization, root).owner == root


def _fields(campaign, **overrides):
    fields = {
        "title": campaign.title,
        "goal_kind": campaign.goal_kind,
        "goal_level": campaign.goal_level,
        "goal_capability": campaign.goal_capability,
        "scope_tags": campaign.scope_tags,
        "scope_criticalities": campaign.scope_criticalities,
        "owner": campaign.owner,
        "starts_on": campaign.starts_on,
        "deadline": campaign.deadline,
    }
    fields.update(overrides)
    return fields


def test_a_change_records_only_what_changed(team, org_admin):
    campaign = a_campaign(team.organization, org_admin)
    campaign_update(campaign=campaign, user=org_admin, **_fields(campaign))
    assert not AuditEvent.objects.filter(action="campaign.changed").exists()
    campaign_update(campaign=campaign, user=org_admin, **_fields(campaign, goal_level=2))
    assert campaign.goal_level == 2
    event = AuditEvent.objects.get(action="campaign.changed")
    assert set(event.details) == {"title", "parameter"}


def test_a_past_deadline_may_stay_but_not_be_moved_into_the_past(team, org_admin):
    campaign = a_campaign(team.organization, org_admin)
    Campaign.objects.filter(pk=campaign.pk).update(
        deadline=timezone.localdate() - timedelta(days=2)
    )
    campaign.refresh_from_db()
    campaign_update(campaign=campaign, user=org_admin, **_fields(campaign, title="Renamed"))
    with pytest.raises(ApplicationError, match="must be today"):
        campaign_update(
            campaign=campaign,
            user=org_admin,
            **_fields(campaign, deadline=timezone.localdate() - timedelta(days=3)),
        )


def test_an_archived_campaign_no_longer_changes(team, org_admin, lead):
    campaign = a_campaign(team.organization, org_admin)
    with pytest.raises(ActionNotAllowed):
        campaign_archive(campaign=campaign, user=lead)
    campaign_archive(campaign=campaign, user=org_admin)
    assert campaign.is_archived
    assert AuditEvent.objects.filter(action="campaign.archived").count() == 1
    with pytest.raises(ApplicationError, match="archived"):
        campaign_archive(campaign=campaign, user=org_admin)
    with pytest.raises(ApplicationError, match="archived"):
        campaign_update(campaign=campaign, user=org_admin, **_fields(campaign, title="New"))


def test_a_campaign_whose_owner_is_gone_asks_for_one(team, org_admin, member):
    campaign = a_campaign(team.organization, org_admin, owner=member)
    member.delete()
    campaign.refresh_from_db()
    with pytest.raises(ApplicationError, match="Choose the campaign's owner"):
        campaign_update(campaign=campaign, user=org_admin, **_fields(campaign))
