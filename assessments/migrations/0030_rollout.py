from django.db import migrations, models


def delivery_state_from_the_old_columns(apps, schema_editor):
    """Invitations made before the state existed: an error means failed, a send time sent."""
    invitation = apps.get_model("assessments", "Invitation")
    invitation.objects.exclude(delivery_error="").update(delivery_state="failed")
    invitation.objects.filter(delivery_error="", sent_at__isnull=False).update(
        delivery_state="sent"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0029_kit_builds"),
    ]

    operations = [
        migrations.AddField(
            model_name="invitation",
            name="delivery_state",
            field=models.CharField(
                choices=[
                    ("queued", "Sending"),
                    ("sent", "Sent"),
                    ("retrying", "Retrying"),
                    ("failed", "Not delivered"),
                ],
                default="queued",
                max_length=10,
            ),
        ),
        migrations.RunPython(delivery_state_from_the_old_columns, migrations.RunPython.noop),
        migrations.AddField(
            model_name="forgeimport",
            name="read_codeowners",
            field=models.BooleanField(default=False),
        ),
    ]
