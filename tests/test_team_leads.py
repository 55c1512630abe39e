"""A team's leads, whom the home page names and campaign reminders write to: one read."""

from assessments.models import Role
from assessments.selectors import team_leads

from .factories import MembershipFactory, TeamFactory, UserFactory


def test_the_leads_are_the_active_leads_of_the_teams_asked_by_username(team):
    other = TeamFactory()
    MembershipFactory(team=team, role=Role.LEAD, user=UserFactory(username="zoe"))
    MembershipFactory(team=team, role=Role.LEAD, user=UserFactory(username="anna"))
    MembershipFactory(team=other, role=Role.LEAD, user=UserFactory(username="ben"))
    MembershipFactory(team=team, role=Role.MEMBER, user=UserFactory(username="carl"))
    MembershipFactory(team=team, role=Role.LEAD, user=UserFactory(username="gone", is_active=False))
    MembershipFactory(team=TeamFactory(), role=Role.LEAD, user=UserFactory(username="elsewhere"))
    MembershipFactory(
        team=None, organization=team.organization, role=Role.ORG_ADMIN, user=UserFactory()
    )
    rows = [(m.team_id, m.user.username) for m in team_leads(team_ids=[team.pk, other.pk])]
    assert rows == [(team.pk, "anna"), (other.pk, "ben"), (team.pk, "zoe")]
