from django.db import migrations, models

from assessments import maturity

BATCH = 500


def copy_summary_figures_from_snapshots(apps, schema_editor):
    """Fill the dashboards' small copies from each stored snapshot, a batch at a time."""
    Result = apps.get_model("assessments", "Result")
    fields = ["dimension_levels", "target_gaps", "next_level_in_place", "next_level_total"]
    batch = []
    for result in Result.objects.only("pk", "target_level", "snapshot").iterator(BATCH):
        outcome = result.snapshot.get("result", {})
        result.dimension_levels = dict(outcome.get("dimension_levels", {}))
        result.target_gaps = sorted(
            capability["key"]
            for capability in outcome.get("capabilities", [])
            if not capability["met"]
            and not capability.get("optional", False)
            and capability["level"] <= result.target_level
        )
        progress = maturity.next_level_progress(outcome) if outcome else None
        result.next_level_in_place = progress["in_place"] if progress else None
        result.next_level_total = progress["total"] if progress else None
        batch.append(result)
        if len(batch) == BATCH:
            Result.objects.bulk_update(batch, fields)
            batch = []
    Result.objects.bulk_update(batch, fields)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0012_team_latest_result"),
    ]

    operations = [
        migrations.AddField(
            model_name="result",
            name="dimension_levels",
            field=models.JSONField(default=dict),
        ),
        migrations.AddField(
            model_name="result",
            name="target_gaps",
            field=models.JSONField(default=list),
        ),
        migrations.AddField(
            model_name="result",
            name="next_level_in_place",
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="result",
            name="next_level_total",
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(copy_summary_figures_from_snapshots, migrations.RunPython.noop),
    ]
