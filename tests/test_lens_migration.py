"""The migration that adds the lens readings fills them in for results already stored.

Run for real, back to the migration before it and forwards again, as the summary fields'
migration test does: a data migration that works on empty tables can still fail on full ones.
"""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from assessments.models import Result
from assessments.services.results import result_compute

from .assessment_helpers import answers_all
from .test_results import submitted

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("assessments", "0026_forge_webhook_secret")]
AFTER = [("assessments", "0031_lens_readings_backfill")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def test_stored_results_are_read_through_the_lenses_when_the_columns_arrive(team, member):
    result = result_compute(assessment=submitted(team, member, answers_all("partly")))
    expected = Result.objects.values("lenses", "microsoft_level", "eu_ai_act_articles").get(
        pk=result.pk
    )
    assert expected["lenses"]["microsoft"]["level"] == expected["microsoft_level"] == 0
    assert set(expected["eu_ai_act_articles"].values()) == {"partly"}
    try:
        _migrate(BEFORE)
        _migrate(AFTER)
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    assert Result.objects.values(*expected).get(pk=result.pk) == expected


def test_a_result_on_a_catalogue_that_cannot_be_loaded_is_left_without_readings(team, member):
    result = result_compute(assessment=submitted(team, member, answers_all("yes")))
    Result.objects.filter(pk=result.pk).update(catalogue_version="2019.1")
    try:
        _migrate(BEFORE)
        _migrate(AFTER)
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    stored = Result.objects.get(pk=result.pk)
    assert stored.lenses == {}
    assert stored.microsoft_level is None
