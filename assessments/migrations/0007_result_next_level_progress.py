"""Results stored before the progress to the next level was part of a result's snapshot get it
from their own capabilities, so dashboards and exports read every result the same way."""

from django.db import migrations

from assessments.maturity.scoring import MaturityResult


def add_progress(apps, schema_editor):
    Result = apps.get_model("assessments", "Result")
    for result in Result.objects.only("pk", "snapshot").iterator():
        outcome = result.snapshot.get("result", {})
        if "next_level_progress" in outcome:
            continue
        progress = MaturityResult.from_dict(outcome).next_level_progress
        outcome["next_level_progress"] = progress.to_dict() if progress is not None else None
        Result.objects.filter(pk=result.pk).update(snapshot=result.snapshot)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0006_answer_note_line_endings")]

    operations = [migrations.RunPython(add_progress, migrations.RunPython.noop)]
