"""A compiled query answers as its queryset does, with every run's own ids, and builds the
instances the ORM would."""

import pytest
from django.db import connection

from assessments.compiled_queries import CompiledQuery, concrete_columns, instance_from
from assessments.models import Assessment, Membership, Team
from assessments.services.assessments import assessment_start

from .factories import MembershipFactory, TeamFactory

ROLES = CompiledQuery(
    lambda team_id, user_id: (
        Membership.objects.filter(team_id=team_id, user_id=user_id)
        .order_by("role")
        .values_list("role", "team__name", "created_at")
    )
)


def _queryset_rows(team_id, user_id):
    return list(
        Membership.objects.filter(team_id=team_id, user_id=user_id)
        .order_by("role")
        .values_list("role", "team__name", "created_at")
    )


def test_it_answers_each_run_with_that_runs_ids(team, member, lead):
    other_team = TeamFactory(organization=team.organization)
    MembershipFactory(team=other_team, user=member, role="lead")

    for team_id, user_id in [
        (team.pk, member.pk),
        (other_team.pk, member.pk),
        (team.pk, lead.pk),
        (other_team.pk, lead.pk),
    ]:
        assert ROLES.rows(team_id=team_id, user_id=user_id) == _queryset_rows(team_id, user_id)
    assert ROLES.rows(team_id=other_team.pk, user_id=member.pk)[0][:2] == ("lead", other_team.name)
    assert ROLES.rows(team_id=other_team.pk, user_id=lead.pk) == []


def test_it_converts_values_as_the_orm_does(team, member):
    draft = assessment_start(team=team, user=member)
    columns = CompiledQuery(
        lambda assessment_id: Assessment.objects.filter(pk=assessment_id).values_list(
            "created_at", "team__organization__name"
        )
    )

    ((created_at, organization_name),) = columns.rows(assessment_id=draft.pk)

    assert created_at == draft.created_at
    assert created_at.tzinfo is not None
    assert organization_name == team.organization.name


def test_it_refuses_a_query_that_leaves_an_id_out(team):
    ignoring_user = CompiledQuery(
        lambda team_id, user_id: Team.objects.filter(pk=team_id).values_list("pk")
    )

    with pytest.raises(ValueError, match="does not use user_id"):
        ignoring_user.rows(team_id=team.pk, user_id=1)


def test_instances_are_the_ones_the_orm_loads(team, member):
    draft = assessment_start(team=team, user=member)
    row = Assessment.objects.filter(pk=draft.pk).values_list(
        *concrete_columns(Assessment), *concrete_columns(Team, "team__")
    )[0]

    assessment = instance_from(Assessment, row, 0, "default")
    loaded_team = instance_from(Team, row, len(Assessment._meta.concrete_fields), "default")

    loaded = Assessment.objects.select_related("team").get(pk=draft.pk)
    for field in Assessment._meta.concrete_fields:
        assert getattr(assessment, field.attname) == getattr(loaded, field.attname)
    for field in Team._meta.concrete_fields:
        assert getattr(loaded_team, field.attname) == getattr(loaded.team, field.attname)
    assert not assessment._state.adding
    assert assessment._state.db == "default"


def test_a_session_signs_in_its_user_until_they_are_deactivated_or_deleted(client, member):
    client.force_login(member)
    signed_in = client.get("/").wsgi_request.user
    assert signed_in.is_authenticated
    assert (signed_in.pk, signed_in.get_username()) == (member.pk, member.username)
    assert signed_in.password == member.password

    type(member).objects.filter(pk=member.pk).update(is_active=False)
    assert not client.get("/").wsgi_request.user.is_authenticated

    type(member).objects.filter(pk=member.pk).update(is_active=True)
    client.force_login(member)
    member.delete()
    assert not client.get("/").wsgi_request.user.is_authenticated


def test_a_password_change_elsewhere_ends_the_session(client, member):
    client.force_login(member)
    member.set_password("a new secret phrase")
    member.save()
    assert not client.get("/").wsgi_request.user.is_authenticated


def test_an_id_no_column_holds_matches_nothing_as_with_the_orm(client, team, member):
    too_large = 10**20
    assert ROLES.rows(team_id=too_large, user_id=member.pk) == []
    client.force_login(member)
    # The assessment's page reads it through a compiled query: a 404, not a database error.
    assert client.get(f"/assessments/{too_large}/").status_code == 404


def test_each_run_takes_exactly_the_ids_it_was_built_with(team, member):
    ROLES.rows(team_id=team.pk, user_id=member.pk)
    with pytest.raises(TypeError, match="team_id, user_id"):
        ROLES.rows(team_id=team.pk)
    with pytest.raises(TypeError):
        ROLES.rows(team_id=team.pk, user_id=member.pk, assessment_id=1)


@pytest.mark.django_db(transaction=True)
def test_a_locking_query_is_refused_outside_a_transaction_every_time():
    from django.db import transaction
    from django.db.transaction import TransactionManagementError

    team = TeamFactory()
    locked = CompiledQuery(
        lambda team_id: Team.objects.select_for_update().filter(pk=team_id).values_list("pk")
    )
    with transaction.atomic():
        assert locked.rows(team_id=team.pk) == [(team.pk,)]
    for _ in range(2):  # compiled already: the check is the run's own
        with pytest.raises(TransactionManagementError):
            locked.rows(team_id=team.pk)


@pytest.mark.django_db(transaction=True)
def test_each_thread_runs_its_own_compiled_copy_on_its_own_connection():
    import threading

    from django.db import connection

    team = TeamFactory()
    query = CompiledQuery(lambda team_id: Team.objects.filter(pk=team_id).values_list("name"))
    assert query.rows(team_id=team.pk) == [(team.name,)]
    answers = []

    def other_thread():
        try:
            answers.append(query.rows(team_id=team.pk))
        finally:
            connection.close()

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join()
    assert answers == [[(team.name,)]]
    assert len(query._compiled) <= 2  # one per connection (the other thread's may be gone)


def test_on_postgresql_the_server_plans_it_once_per_connection_and_the_orm_as_before(team, member):
    if connection.vendor != "postgresql":
        pytest.skip("Only PostgreSQL prepares statements.")

    def prepared():
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            return [statement for (statement,) in cursor.fetchall()]

    for _ in range(2):
        assert ROLES.rows(team_id=team.pk, user_id=member.pk) == _queryset_rows(team.pk, member.pk)
    ours = [statement for statement in prepared() if "assessments_membership" in statement]
    assert len(ours) == 1
    # The ORM's own queries still bind their values on the client: never prepared.
    assert not [statement for statement in prepared() if "pg_prepared_statements" in statement]


def test_with_prepared_statements_off_the_compiled_queries_answer_the_same(team, member):
    """DATABASE_PREPARED_STATEMENTS=false (settings: prepare_threshold None), for a pooler
    that cannot keep prepared statements: the values still travel apart, nothing is prepared."""
    if connection.vendor != "postgresql":
        pytest.skip("Only PostgreSQL prepares statements.")
    connection.ensure_connection()
    raw = connection.connection
    threshold = raw.prepare_threshold
    raw.prepare_threshold = None
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM pg_prepared_statements")
            (before,) = cursor.fetchone()
        roles = CompiledQuery(
            lambda team_id, user_id: Membership.objects.filter(
                team_id=team_id, user_id=user_id
            ).values_list("role")
        )
        expected = list(
            Membership.objects.filter(team_id=team.pk, user_id=member.pk).values_list("role")
        )
        for _ in range(3):
            assert roles.rows(team_id=team.pk, user_id=member.pk) == expected
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM pg_prepared_statements")
            assert cursor.fetchone() == (before,)
    finally:
        raw.prepare_threshold = threshold


def test_timestamps_read_once_per_text_are_the_ones_the_orm_reads(team, member, lead):
    first, second = Membership.objects.filter(team=team).order_by("pk")[:2]
    Membership.objects.filter(pk=second.pk).update(created_at=first.created_at)
    MembershipFactory(team=team, role="viewer")
    created = CompiledQuery(
        lambda team_id: (
            Membership.objects.filter(team_id=team_id)
            .order_by("pk")
            .values_list("created_at", flat=True)
        )
    )

    rows = [row[0] for row in created.rows(team_id=team.pk)]
    orm = list(
        Membership.objects.filter(team_id=team.pk)
        .order_by("pk")
        .values_list("created_at", flat=True)
    )

    assert rows == orm
    assert [value.tzinfo for value in rows] == [value.tzinfo for value in orm]
    assert rows[0] == rows[1] != rows[2]


def test_a_text_value_is_passed_as_the_query_names_it_and_only_so(team):
    by_slug = CompiledQuery(
        lambda slug: Team.objects.filter(slug=slug).values_list("pk"), texts=["slug"]
    )

    assert by_slug.rows(slug=team.slug) == [(team.pk,)]
    assert by_slug.rows(slug="no-such-team") == []
    assert by_slug.rows(slug="'; DROP TABLE x; --") == []
    with pytest.raises(TypeError):
        by_slug.rows(slug=team.pk)
    with pytest.raises(TypeError):
        ROLES.rows(team_id=str(team.pk), user_id=1)
