import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0014_exemptions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "action",
                    models.CharField(
                        choices=[
                            ("membership.added", "Added a member"),
                            ("membership.role_changed", "Changed a member's role"),
                            ("exemption.requested", "Asked for an exemption"),
                            ("exemption.approved", "Approved an exemption"),
                            ("exemption.rejected", "Rejected an exemption"),
                            ("exemption.withdrawn", "Withdrew an exemption request"),
                            ("repository.connected", "Connected a repository"),
                            ("repository.removed", "Disconnected a repository"),
                            ("token.created", "Created an API token"),
                            ("token.revoked", "Revoked an API token"),
                        ],
                        max_length=40,
                    ),
                ),
                ("object_type", models.CharField(max_length=40)),
                ("object_id", models.CharField(max_length=40)),
                ("details", models.JSONField(blank=True, default=dict)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "organization",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="audit_events",
                        to="assessments.organization",
                    ),
                ),
                (
                    "team",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="audit_events",
                        to="assessments.team",
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-id"],
                "indexes": [
                    models.Index(fields=["organization", "created_at"], name="audit_org_created")
                ],
            },
        ),
    ]
