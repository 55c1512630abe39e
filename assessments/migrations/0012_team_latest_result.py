import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def point_teams_at_their_latest_result(apps, schema_editor):
    """Every team with a submission gets the result of its latest one, in one statement."""
    Team = apps.get_model("assessments", "Team")
    Result = apps.get_model("assessments", "Result")
    latest = (
        Result.objects.filter(assessment__team=OuterRef("pk"), assessment__status="submitted")
        .order_by("-assessment__submitted_at")
        .values("pk")[:1]
    )
    Team.objects.update(latest_result=Subquery(latest))


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0011_answer_suggested_from"),
    ]

    operations = [
        migrations.AddField(
            model_name="team",
            name="latest_result",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="assessments.result",
            ),
        ),
        migrations.RunPython(point_teams_at_their_latest_result, migrations.RunPython.noop),
    ]
