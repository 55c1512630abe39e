"""The admin's team page: the latest-result pointer is shown, never edited by hand."""

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db


def test_the_team_admin_page_shows_the_latest_result_read_only(client, team):
    superuser = get_user_model().objects.create_superuser("root", password="x" * 20)
    client.force_login(superuser)

    response = client.get(f"/admin/assessments/team/{team.pk}/change/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "Latest result" in body
    # An editable field would render a menu of every result in the database.
    assert 'name="latest_result"' not in body


def _superuser(client):
    superuser = get_user_model().objects.create_superuser("root", password="x" * 20)
    client.force_login(superuser)
    return superuser


def test_deleting_a_membership_in_the_admin_records_membership_removed(client, team, member):
    from assessments.models import AuditAction, AuditEvent, Membership

    root = _superuser(client)
    membership = Membership.objects.get(user=member, team=team)
    response = client.post(
        f"/admin/assessments/membership/{membership.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    event = AuditEvent.objects.get(action=AuditAction.MEMBERSHIP_REMOVED)
    assert (event.actor, event.team, event.details["username"]) == (root, team, "alice")


def test_bulk_deleting_memberships_in_the_admin_records_each(client, team, member, lead):
    from assessments.models import AuditAction, AuditEvent, Membership

    _superuser(client)
    ids = list(Membership.objects.filter(team=team).values_list("pk", flat=True))
    response = client.post(
        "/admin/assessments/membership/",
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )
    assert response.status_code == 302
    assert not Membership.objects.filter(team=team).exists()
    removed = AuditEvent.objects.filter(action=AuditAction.MEMBERSHIP_REMOVED)
    assert sorted(e.details["username"] for e in removed) == ["alice", "lena"]


def test_removing_a_member_from_the_team_admin_page_records_it(client, team, member):
    from assessments.models import AuditAction, AuditEvent, Membership

    _superuser(client)
    membership = Membership.objects.get(user=member, team=team)
    url = f"/admin/assessments/team/{team.pk}/change/"
    page = client.get(url)
    form = page.context["adminform"].form
    data = {
        "organization": team.organization.pk,
        "name": team.name,
        "slug": team.slug,
        "description": form.initial.get("description", ""),
    }
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name, field in management.fields.items():
            data[f"{formset.formset.prefix}-{name}"] = management.initial.get(name, field.initial)
        for index, inline_form in enumerate(formset.formset.forms):
            prefix = f"{formset.formset.prefix}-{index}"
            for name in inline_form.fields:
                value = inline_form[name].value()
                if value is not None:
                    data[f"{prefix}-{name}"] = getattr(value, "pk", value)
            if formset.formset.model is Membership:
                data[f"{prefix}-DELETE"] = "on"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    assert not Membership.objects.filter(pk=membership.pk).exists()
    event = AuditEvent.objects.get(action=AuditAction.MEMBERSHIP_REMOVED)
    assert event.details == {"username": "alice", "role": "member"}


def test_a_team_cannot_be_moved_to_another_organisation_in_the_admin(client, team):
    from assessments.models import Team
    from tests.factories import OrganizationFactory

    _superuser(client)
    elsewhere = OrganizationFactory(name="Elsewhere", slug="elsewhere")
    page = client.get(f"/admin/assessments/team/{team.pk}/change/").content.decode()
    assert 'name="organization"' not in page
    response = client.post(
        f"/admin/assessments/team/{team.pk}/change/",
        {
            "name": team.name,
            "slug": team.slug,
            "description": "Saved from the admin.",
            "organization": elsewhere.pk,
            "tags-TOTAL_FORMS": "0",
            "tags-INITIAL_FORMS": "0",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302  # saved: the other fields were taken
    saved = Team.objects.get(pk=team.pk)
    assert saved.description == "Saved from the admin."
    assert saved.organization_id == team.organization_id


def test_a_new_team_still_chooses_its_organisation_in_the_admin(client, team):
    _superuser(client)
    page = client.get("/admin/assessments/team/add/").content.decode()
    assert 'name="organization"' in page


def test_a_result_is_shown_in_the_admin_but_never_edited_or_added_by_hand(client, team, member):
    from assessments.services.results import result_compute

    from .assessment_helpers import answers_all
    from .test_results import submitted

    _superuser(client)
    result = result_compute(assessment=submitted(team, member, answers_all("yes")))
    page = client.get(f"/admin/assessments/result/{result.pk}/change/").content.decode()
    assert 'name="index"' not in page
    assert 'name="submitted_at"' not in page
    assert client.get("/admin/assessments/result/add/").status_code == 403


def test_a_saved_assessment_keeps_its_team_and_submission_time_in_the_admin(client, team, member):
    from .assessment_helpers import answers_all
    from .test_results import submitted

    _superuser(client)
    assessment = submitted(team, member, answers_all("yes"))
    page = client.get(f"/admin/assessments/assessment/{assessment.pk}/change/").content.decode()
    assert 'name="team"' not in page
    assert 'name="submitted_at' not in page
