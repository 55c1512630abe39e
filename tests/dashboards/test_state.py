"""The dashboards' cache key reads the same state, compiled for members and admins or built
by the ORM for everyone else."""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Max, TextField
from django.db.models.functions import Cast

from assessments.access import member_id, teams_of_member, visible_teams
from assessments.selectors.dashboards import freshness
from tests.factories import UserFactory

from .conftest import add_teams


def state_the_plain_way(user):
    """`dashboard_state` as one `aggregate()` of the visible teams."""
    fingerprint = {
        name: Max(Cast(value, TextField())) for name, value in freshness._fingerprint_sql().items()
    }
    row = visible_teams(user).order_by().aggregate(teams=freshness._TeamsDigest(), **fingerprint)
    return tuple(sorted(row.items()))


def test_every_kind_of_user_reads_the_state_the_plain_way_does(
    team, member, org_admin, other_team_member, stranger_org_admin
):
    add_teams(team.organization, 3, months=2)
    nobody = UserFactory()
    inactive = UserFactory(is_active=False)
    superuser = UserFactory(is_superuser=True)
    users = [member, org_admin, other_team_member, stranger_org_admin, nobody, inactive]
    states = {}
    for user in [*users, superuser, AnonymousUser()]:
        states[user] = freshness.dashboard_state(user=user)
        assert states[user] == state_the_plain_way(user), user
    # Members and admins see different teams, so their keys differ; nobody's teams read None.
    assert states[member] != states[org_admin]
    assert dict(states[nobody])["teams"] is None
    assert dict(states[AnonymousUser()]) == dict.fromkeys(freshness._STATE_NAMES)


def test_a_members_teams_by_id_are_their_visible_teams(team, member, org_admin, other_team_member):
    add_teams(team.organization, 2, months=1)
    for user in (member, org_admin, other_team_member):
        by_id = teams_of_member(member_id(user))
        assert set(by_id.values_list("pk", flat=True)) == set(
            visible_teams(user).values_list("pk", flat=True)
        )
        assert str(by_id.query) == str(visible_teams(user).query)
    assert member_id(UserFactory(is_superuser=True)) is None
    assert member_id(UserFactory(is_active=False)) is None
    assert member_id(AnonymousUser()) is None


def test_the_filter_and_team_choices_compiled_for_members_match_the_orms(
    team, member, org_admin, other_team_member, stranger_org_admin
):
    from assessments.selectors.dashboards import compare

    add_teams(team.organization, 3, months=1)
    for user in (member, org_admin, other_team_member, stranger_org_admin, UserFactory()):
        teams = visible_teams(user)
        assert compare._CHOICES_OF_MEMBER.rows(user_id=user.pk) == list(compare._choices(teams))
        assert compare._TEAMS_OF_MEMBER.rows(user_id=user.pk) == list(compare._team_choices(teams))
    organizations, tags, headlines = compare.filter_choices_for_user(user=org_admin)
    assert organizations == [(team.organization.slug, team.organization.name)]
    assert headlines == {team.organization.slug: team.organization.headline_lens}
    assert tags == sorted(tags)
    assert tags
    assert (
        len(compare.team_choices_for_user(user=org_admin)) == visible_teams(org_admin).count() == 5
    )
