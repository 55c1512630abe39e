from django.db import migrations, models
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


def copy_the_latest_results_criticality(apps, schema_editor):
    Team = apps.get_model("assessments", "Team")
    Result = apps.get_model("assessments", "Result")
    criticality = Result.objects.filter(pk=OuterRef("latest_result_id")).values("criticality")
    Team.objects.filter(latest_result__isnull=False).update(
        criticality=Coalesce(Subquery(criticality[:1]), Value(""))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0020_team_badges"),
    ]

    operations = [
        migrations.AddField(
            model_name="team",
            name="criticality",
            field=models.CharField(blank=True, editable=False, max_length=40),
        ),
        migrations.RunPython(copy_the_latest_results_criticality, migrations.RunPython.noop),
    ]
