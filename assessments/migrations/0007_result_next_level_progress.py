"""Results stored before the progress to the next level was part of a result's snapshot get it
from their own capabilities, so dashboards and exports read every result the same way.

The rule is copied here rather than imported, so this migration keeps meaning what it meant
however the scoring code changes later (results of that time gated levels with every required
capability, which is what a missing ``gates_level`` stands for).
"""

from django.db import migrations

MAX_LEVEL = 2


def progress_of(outcome: dict) -> dict | None:
    level = outcome["level"]
    if level >= MAX_LEVEL:
        return None
    target = level + 1
    required = [c for c in outcome["capabilities"] if not c["optional"] and c["level"] <= target]
    in_place, blocking, missing, unknown = 0, [], [], []
    for capability in required:
        gates = capability.get("gates_level", True)
        if capability["met"]:
            in_place += 1
        elif gates and capability["status"] != "not_visible":
            blocking.append(capability["key"])
        elif capability["status"] in ("unknown", "not_visible"):
            unknown.append(capability["key"])
        else:
            missing.append(capability["key"])
    return {
        "level": target,
        "in_place": in_place,
        "total": len(required),
        "blocking": blocking,
        "missing": missing,
        "unknown": unknown,
    }


def add_progress(apps, schema_editor):
    Result = apps.get_model("assessments", "Result")
    changed = []
    for result in Result.objects.only("pk", "snapshot").iterator(chunk_size=500):
        outcome = result.snapshot.get("result", {})
        if "next_level_progress" in outcome or "capabilities" not in outcome:
            continue
        outcome["next_level_progress"] = progress_of(outcome)
        changed.append(result)
        if len(changed) == 500:
            Result.objects.bulk_update(changed, ["snapshot"])
            changed = []
    if changed:
        Result.objects.bulk_update(changed, ["snapshot"])


class Migration(migrations.Migration):
    dependencies = [("assessments", "0006_answer_note_line_endings")]

    operations = [migrations.RunPython(add_progress, migrations.RunPython.noop)]
