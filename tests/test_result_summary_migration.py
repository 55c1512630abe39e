"""The migration that gives results their small copies runs on a database that has results.

It is run for real, backwards to the migration before it and forwards again, on the test
database: a data migration that works on empty tables can still fail on full ones (PostgreSQL
refuses to alter a table while foreign key checks of updated rows are pending).
"""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from assessments.models import Result
from assessments.services.results import result_compute

from .assessment_helpers import answers_all
from .test_results import submitted

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("assessments", "0012_team_latest_result")]
AFTER = [("assessments", "0013_result_summary_fields")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def test_existing_results_get_their_copies_when_the_columns_arrive(team, member):
    result = result_compute(assessment=submitted(team, member, answers_all("partly")))
    expected = Result.objects.values(
        "team_id",
        "submitted_at",
        "criticality",
        "dimension_index",
        "dimension_levels",
        "target_gaps",
        "next_level_in_place",
        "next_level_total",
    ).get(pk=result.pk)
    assert expected["team_id"] == team.pk
    assert expected["submitted_at"] is not None
    try:
        _migrate(BEFORE)
        _migrate(AFTER)
    finally:
        # Whatever happened, the database ends at the latest schema for the tests after.
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    copied = Result.objects.values(*expected).get(pk=result.pk)
    assert copied == expected


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL storage setting")
def test_on_postgresql_snapshots_leave_the_row_and_the_small_copies_stay(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, attstorage FROM pg_attribute WHERE attrelid = "
            "'assessments_result'::regclass AND attname IN "
            "('snapshot', 'dimension_levels', 'dimension_index', 'target_gaps')"
        )
        storage = dict(cursor.fetchall())
        cursor.execute("SELECT reloptions FROM pg_class WHERE oid = 'assessments_result'::regclass")
        options = cursor.fetchone()[0]
    assert storage == {
        "snapshot": "x",
        "dimension_levels": "m",
        "dimension_index": "m",
        "target_gaps": "m",
    }
    assert "toast_tuple_target=128" in options
