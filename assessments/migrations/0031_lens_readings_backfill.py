"""Stored results get their lens readings (0028 added the columns).

Its own migration, outside a transaction: each batch commits on its own, so the results table is
never locked for the whole backfill, and pages go on reading results meanwhile (a result not yet
read through the lenses is read on request, see selectors.result_lenses).
"""

from django.db import migrations, transaction

from assessments.maturity import CatalogueError
from assessments.maturity.lenses import lens_readings_of_snapshot
from assessments.maturity.versions import load_catalogue_version

BATCH = 500


def read_stored_results_through_the_lenses(apps, schema_editor):
    """Every stored result gets its lens readings, computed from its snapshot on the catalogue
    version it was scored with. A result whose catalogue version cannot be loaded is left
    without readings (its page and the API then compute them on read, or say they cannot)."""
    Result = apps.get_model("assessments", "Result")
    fields = ["lenses", "microsoft_level", "eu_ai_act_articles"]
    batch = []
    catalogues = {}
    for result in (
        Result.objects.filter(lenses={}).only("pk", "catalogue_version", "snapshot").iterator(BATCH)
    ):
        outcome = result.snapshot.get("result")
        version = result.catalogue_version
        if not outcome:
            continue
        if version not in catalogues:
            try:
                catalogues[version] = load_catalogue_version(version)
            except CatalogueError:
                catalogues[version] = None
        if catalogues[version] is None:
            continue
        readings = lens_readings_of_snapshot(catalogues[version], outcome)
        result.lenses = readings
        result.microsoft_level = readings["microsoft"]["level"]
        result.eu_ai_act_articles = {
            a["article"]: a["status"] for a in readings["eu_ai_act"]["articles"]
        }
        batch.append(result)
        if len(batch) == BATCH:
            with transaction.atomic():
                Result.objects.bulk_update(batch, fields)
            batch = []
    with transaction.atomic():
        Result.objects.bulk_update(batch, fields)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("assessments", "0030_rollout"),
    ]

    operations = [
        migrations.RunPython(
            read_stored_results_through_the_lenses, migrations.RunPython.noop, elidable=True
        ),
    ]
