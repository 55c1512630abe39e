"""The audit log as the services write it: each change records exactly one event with who did
it and a few facts, in the same transaction; a refused or invalid change records none."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from assessments.errors import ActionNotAllowed, ApplicationError
from assessments.models import AuditAction, AuditEvent, Role
from assessments.services.audit import audit_record
from assessments.services.exemptions import (
    exemption_approve,
    exemption_reject,
    exemption_request,
    exemption_withdraw,
)
from assessments.services.memberships import membership_set
from assessments.services.repositories import repository_connect, repository_disconnect
from assessments.services.tokens import api_token_create, api_token_revoke

from .factories import OrganizationFactory, UserFactory
from .scanning.gitrepo import make_repo

TODAY = date(2026, 6, 1)


def only_event(action):
    """The one event of `action`; fails when there are none or several."""
    events = list(AuditEvent.objects.filter(action=action))
    assert len(events) == 1, events
    return events[0]


def ask(team, user, capability="feature_store"):
    return exemption_request(
        team=team,
        user=user,
        capability_key=capability,
        reason="No features are shared.",
        expires_on=TODAY + timedelta(days=90),
        today=TODAY,
    )


def test_adding_a_member_records_who_added_whom(team, org_admin):
    newcomer = UserFactory(username="nadia")
    membership = membership_set(
        user=newcomer, role=Role.MEMBER, organization=team.organization, team=team, actor=org_admin
    )
    event = only_event(AuditAction.MEMBERSHIP_ADDED)
    assert (event.organization, event.team, event.actor) == (team.organization, team, org_admin)
    assert (event.object_type, event.object_id) == ("membership", str(membership.pk))
    assert event.details == {"username": "nadia", "role": "member"}


def test_changing_a_role_records_the_old_and_the_new_role(team, member, org_admin):
    membership_set(
        user=member, role=Role.LEAD, organization=team.organization, team=team, actor=org_admin
    )
    event = only_event(AuditAction.MEMBERSHIP_ROLE_CHANGED)
    assert event.actor == org_admin
    assert event.details == {"username": "alice", "old_role": "member", "new_role": "lead"}
    assert not AuditEvent.objects.filter(action=AuditAction.MEMBERSHIP_ADDED).exists()


def test_setting_the_role_a_user_holds_records_nothing(team, member, org_admin):
    membership_set(
        user=member, role=Role.MEMBER, organization=team.organization, team=team, actor=org_admin
    )
    assert not AuditEvent.objects.exists()


def test_making_an_org_admin_records_it_once_without_a_team(team):
    user = UserFactory(username="ada")
    for _ in range(2):
        membership_set(user=user, role=Role.ORG_ADMIN, organization=team.organization, actor=None)
    event = only_event(AuditAction.MEMBERSHIP_ADDED)
    assert (event.team, event.actor) == (None, None)
    assert event.details == {"username": "ada", "role": "org_admin"}


@pytest.mark.parametrize("role", ["", "owner"])
def test_an_invalid_role_records_nothing(team, org_admin, role):
    user = UserFactory(username="nadia")
    with pytest.raises((ApplicationError, ValidationError)):
        membership_set(
            user=user, role=role, organization=team.organization, team=team, actor=org_admin
        )
    assert not AuditEvent.objects.exists()


def test_a_team_role_without_a_team_records_nothing(team, org_admin):
    with pytest.raises(ApplicationError):
        membership_set(
            user=UserFactory(), role=Role.LEAD, organization=team.organization, actor=org_admin
        )
    assert not AuditEvent.objects.exists()


def test_each_exemption_step_records_one_event_by_whoever_took_it(team, lead, org_admin):
    asked = ask(team, lead)
    requested = only_event(AuditAction.EXEMPTION_REQUESTED)
    assert (requested.actor, requested.team, requested.object_id) == (lead, team, str(asked.pk))
    assert requested.details == {"capability": "feature_store", "expires_on": "2026-08-30"}

    exemption_approve(exemption=asked, user=org_admin, today=TODAY)
    assert only_event(AuditAction.EXEMPTION_APPROVED).actor == org_admin

    other = ask(team, lead, capability="ci")
    exemption_reject(exemption=other, user=org_admin, note="CI applies to every team.")
    rejected = only_event(AuditAction.EXEMPTION_REJECTED)
    assert rejected.details["capability"] == "ci"

    third = ask(team, lead, capability="ci")
    exemption_withdraw(exemption=third, user=lead)
    assert only_event(AuditAction.EXEMPTION_WITHDRAWN).actor == lead
    assert AuditEvent.objects.count() == 6


def test_refused_exemption_steps_record_nothing(team, lead, member, org_admin):
    with pytest.raises(ActionNotAllowed):
        ask(team, member)
    with pytest.raises(ApplicationError):
        ask(team, lead, capability="no_such_capability")
    asked = ask(team, lead)
    AuditEvent.objects.all().delete()
    with pytest.raises(ApplicationError):
        ask(team, lead)  # a second request for the same capability
    with pytest.raises(ActionNotAllowed):
        exemption_approve(exemption=asked, user=lead, today=TODAY)
    with pytest.raises(ApplicationError):
        exemption_reject(exemption=asked, user=org_admin, note="")
    exemption_withdraw(exemption=asked, user=lead)
    with pytest.raises(ApplicationError):
        exemption_approve(exemption=asked, user=org_admin, today=TODAY)
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["exemption.withdrawn"]


def test_connecting_and_disconnecting_a_repository_records_its_address_and_no_secret(
    team, lead, tmp_path
):
    path = make_repo(tmp_path / "repo", {"README.md": "hello"})
    repository = repository_connect(
        team=team, user=lead, url=str(path), branch="main", access_token="glpat-secret-value"
    )
    connected = only_event(AuditAction.REPOSITORY_CONNECTED)
    assert connected.details == {"url": str(path), "branch": "main", "project": ""}
    assert (connected.actor, connected.object_id) == (lead, str(repository.pk))
    repository_id = repository.pk
    repository_disconnect(repository=repository, user=lead)
    removed = only_event(AuditAction.REPOSITORY_REMOVED)
    assert removed.object_id == str(repository_id)
    assert removed.details["url"] == str(path)
    assert "secret" not in str(list(AuditEvent.objects.values_list("details", flat=True)))


def test_a_refused_or_duplicate_repository_records_nothing(team, lead, member, tmp_path):
    path = make_repo(tmp_path / "repo", {"README.md": "hello"})
    with pytest.raises(ActionNotAllowed):
        repository_connect(team=team, user=member, url=str(path))
    with pytest.raises(ApplicationError):
        repository_connect(team=team, user=lead, url="file:///etc")
    repository = repository_connect(team=team, user=lead, url=str(path))
    with pytest.raises(ApplicationError):
        repository_connect(team=team, user=lead, url=str(path))
    with pytest.raises(ActionNotAllowed):
        repository_disconnect(repository=repository, user=member)
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["repository.connected"]


def test_a_token_is_recorded_in_each_organisation_of_its_owner_without_its_secret(team, member):
    OrganizationFactory()  # an organisation the member does not belong to
    token, plaintext = api_token_create(user=member, name="ci export")
    created = only_event(AuditAction.TOKEN_CREATED)
    assert (created.organization, created.team, created.actor) == (team.organization, None, member)
    assert created.details == {"name": "ci export"}
    assert plaintext not in str(created.details)
    assert token.prefix not in str(created.details)

    api_token_revoke(token=token, user=member)
    api_token_revoke(token=token, user=member)  # already revoked: nothing changes
    assert only_event(AuditAction.TOKEN_REVOKED).actor == member


def test_a_superusers_token_is_recorded_in_every_organisation(team, django_user_model):
    """It reaches every organisation's data (access.organizations_of), member or not."""
    other = OrganizationFactory()
    root = django_user_model.objects.create_superuser("root")
    api_token_create(user=root, name="everything")
    created = AuditEvent.objects.filter(action=AuditAction.TOKEN_CREATED)
    assert set(created.values_list("organization", flat=True)) == {team.organization.pk, other.pk}


def test_refused_token_changes_record_nothing(member, lead):
    with pytest.raises(ApplicationError):
        api_token_create(user=member, name="  ")
    token, _ = api_token_create(user=member, name="mine")
    AuditEvent.objects.all().delete()
    with pytest.raises(ActionNotAllowed):
        api_token_revoke(token=token, user=lead)
    assert not AuditEvent.objects.exists()


def test_the_log_is_written_only_inside_the_change_s_transaction(transactional_db, team):
    with pytest.raises(RuntimeError, match="transaction"):
        audit_record(
            organization=team.organization,
            actor=None,
            action=AuditAction.MEMBERSHIP_ADDED,
            target=team,
            details={},
        )


def test_the_admin_site_only_reads_the_log(admin_client, team, org_admin):
    user = UserFactory()
    membership_set(
        user=user, role=Role.LEAD, organization=team.organization, team=team, actor=org_admin
    )
    event = AuditEvent.objects.get()
    base = "/admin/assessments/auditevent/"
    assert admin_client.get(base).status_code == 200
    assert admin_client.get(f"{base}{event.pk}/change/").status_code == 200
    assert (
        admin_client.post(f"{base}{event.pk}/change/", {"action": "token.created"}).status_code
        == 403
    )
    assert admin_client.post(f"{base}{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert admin_client.get(f"{base}add/").status_code == 403
    assert AuditEvent.objects.get().action == AuditAction.MEMBERSHIP_ADDED


def test_removing_a_member_records_who_removed_whom_and_their_role(team, member, org_admin):
    from assessments.models import Membership
    from assessments.services.memberships import membership_remove

    membership = Membership.objects.get(user=member, team=team)
    membership_id = membership.pk
    assert membership_remove(membership=membership, actor=org_admin) is True
    assert not Membership.objects.filter(pk=membership_id).exists()
    event = only_event(AuditAction.MEMBERSHIP_REMOVED)
    assert (event.organization, event.team, event.actor) == (team.organization, team, org_admin)
    assert (event.object_type, event.object_id) == ("membership", str(membership_id))
    assert event.details == {"username": "alice", "role": "member"}
    # Removing it again changes nothing and records nothing more.
    assert membership_remove(membership=membership, actor=org_admin) is False
    assert AuditEvent.objects.filter(action=AuditAction.MEMBERSHIP_REMOVED).count() == 1


def test_removing_an_org_admin_records_the_organisation_wide_role(team, org_admin):
    from assessments.models import Membership
    from assessments.services.memberships import membership_remove

    membership = Membership.objects.get(user=org_admin, role=Role.ORG_ADMIN)
    membership_remove(membership=membership, actor=None)
    event = only_event(AuditAction.MEMBERSHIP_REMOVED)
    assert (event.team, event.actor) == (None, None)
    assert event.details == {"username": "olga", "role": "org_admin"}
