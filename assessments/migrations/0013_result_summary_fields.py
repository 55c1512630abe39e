import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery

from assessments import maturity

BATCH = 500


def copy_summary_figures_from_snapshots(apps, schema_editor):
    """Fill the dashboards' small copies from each result's assessment and snapshot."""
    Result = apps.get_model("assessments", "Result")
    Assessment = apps.get_model("assessments", "Assessment")
    assessment = Assessment.objects.filter(pk=OuterRef("assessment_id"))
    Result.objects.update(
        team_id=Subquery(assessment.values("team_id")),
        submitted_at=Subquery(assessment.values("submitted_at")),
    )
    fields = [
        "dimension_levels",
        "dimension_index",
        "target_gaps",
        "next_level_in_place",
        "next_level_total",
        "criticality",
    ]
    batch = []
    for result in Result.objects.only("pk", "target_level", "snapshot").iterator(BATCH):
        outcome = result.snapshot.get("result", {})
        result.dimension_levels = dict(outcome.get("dimension_levels", {}))
        result.dimension_index = dict(outcome.get("dimension_index", {}))
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
        result.criticality = result.snapshot.get("target", {}).get("criticality") or ""
        batch.append(result)
        if len(batch) == BATCH:
            Result.objects.bulk_update(batch, fields)
            batch = []
    Result.objects.bulk_update(batch, fields)


def keep_snapshots_out_of_the_result_rows(apps, schema_editor):
    """On PostgreSQL, store each snapshot out of line (TOAST) even when it compresses small,
    so the result rows stay narrow and the dashboards' scans over them read a few megabytes,
    not every snapshot's first kilobytes; the small copies stay in the row (MAIN), where a
    filter reads them without a detour through TOAST. Rows written before keep their layout
    until rewritten (VACUUM FULL)."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE assessments_result SET (toast_tuple_target = 128), "
            "ALTER COLUMN dimension_levels SET STORAGE MAIN, "
            "ALTER COLUMN dimension_index SET STORAGE MAIN, "
            "ALTER COLUMN target_gaps SET STORAGE MAIN"
        )


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
            name="dimension_index",
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
        migrations.AddField(
            model_name="result",
            name="team",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="assessments.team",
            ),
        ),
        migrations.AddField(
            model_name="result",
            name="submitted_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.AddField(
            model_name="result",
            name="criticality",
            field=models.CharField(blank=True, max_length=40),
        ),
        migrations.AddIndex(
            model_name="result",
            index=models.Index(
                fields=["team", "submitted_at"],
                include=("index", "overall_level"),
                name="result_team_history",
            ),
        ),
        # Before the copies: PostgreSQL alters no table with foreign key checks still pending.
        migrations.RunPython(keep_snapshots_out_of_the_result_rows, migrations.RunPython.noop),
        migrations.RunPython(copy_summary_figures_from_snapshots, migrations.RunPython.noop),
    ]
