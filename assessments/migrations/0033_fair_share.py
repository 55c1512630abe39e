from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0032_check_answers"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("membership.added", "Added a member"),
                    ("membership.role_changed", "Changed a member's role"),
                    ("membership.removed", "Removed a member"),
                    ("invitation.sent", "Sent an invitation"),
                    ("invitation.revoked", "Revoked an invitation"),
                    ("invitation.accepted", "Accepted an invitation"),
                    ("invitation.delivery_failed", "An invitation's email was not delivered"),
                    ("membership.granted_by_sso", "Added a member from an SSO group"),
                    ("membership.removed_by_sso", "Removed a member who left an SSO group"),
                    ("sso_rule.added", "Added an SSO group rule"),
                    ("sso_rule.deleted", "Deleted an SSO group rule"),
                    ("exemption.requested", "Asked for an exemption"),
                    ("exemption.approved", "Approved an exemption"),
                    ("exemption.rejected", "Rejected an exemption"),
                    ("exemption.withdrawn", "Withdrew an exemption request"),
                    ("repository.connected", "Connected a repository"),
                    ("repository.removed", "Disconnected a repository"),
                    ("token.created", "Created an API token"),
                    ("token.revoked", "Revoked an API token"),
                    ("badge.enabled", "Turned the maturity badge on"),
                    ("badge.disabled", "Turned the maturity badge off"),
                    ("campaign.created", "Started a campaign"),
                    ("campaign.changed", "Changed a campaign"),
                    ("campaign.archived", "Archived a campaign"),
                    ("forge.connected", "Connected a forge"),
                    ("import.ran", "Imported a forge's repositories"),
                    ("forge.webhook_secret_set", "Set a forge's webhook secret"),
                    ("check_set.imported", "Imported the organisation's checks"),
                    ("organization.headline_lens_changed", "Changed the headline model"),
                ],
                max_length=40,
            ),
        ),
        migrations.AddIndex(
            model_name="scan",
            index=models.Index(
                condition=models.Q(("status__in", ["queued", "running"])),
                fields=["repository"],
                name="scan_in_flight",
            ),
        ),
    ]
