"""One push webhook for a whole forge connection: a signed push queues a scan of the pushed
repository's connections in the connection's organisation, and nothing else."""

import hashlib
import hmac
import json

import pytest
from django.urls import reverse

from assessments.models import AuditAction, AuditEvent, ForgeConnection, Repository, Scan
from assessments.services.webhooks import forge_webhook_secret_reset

from .factories import OrganizationFactory, TeamFactory

CLONE_URL = "https://github.com/acme/churn.git"


@pytest.fixture
def connection(team):
    return ForgeConnection.objects.create(
        organization=team.organization,
        kind="github",
        api_url="https://api.github.com",
        owner="acme",
    )


@pytest.fixture
def connected(team):
    return Repository.objects.create(team=team, url=CLONE_URL, branch="")


def push(repository_url="https://github.com/acme/churn", ref="refs/heads/main"):
    return {
        "ref": ref,
        "repository": {
            "clone_url": f"{repository_url}.git",
            "html_url": repository_url,
            "default_branch": "main",
        },
    }


def deliver(client, connection, secret, payload, *, event="push", provider="github"):
    body = json.dumps(payload).encode()
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return client.post(
        reverse("forge_webhook", args=[connection.pk, provider]),
        body,
        content_type="application/json",
        headers={"X-Hub-Signature-256": signature, "X-GitHub-Event": event},
    )


def test_a_signed_push_queues_a_scan_of_the_connected_repository(
    client, connection, connected, org_admin
):
    secret = forge_webhook_secret_reset(connection=connection, user=org_admin)
    response = deliver(client, connection, secret, push())
    assert response.status_code == 202
    assert Scan.objects.filter(repository=connected, trigger="webhook").count() == 1
    event = AuditEvent.objects.get(action=AuditAction.FORGE_WEBHOOK_SECRET_SET)
    assert secret not in json.dumps(event.details)


def test_a_push_to_another_branch_or_an_unconnected_repository_queues_nothing(
    client, connection, connected, org_admin
):
    secret = forge_webhook_secret_reset(connection=connection, user=org_admin)
    assert deliver(client, connection, secret, push(ref="refs/heads/feature")).status_code == 202
    other = push("https://github.com/acme/not-connected")
    assert deliver(client, connection, secret, other).json()["detail"] == "Event ignored."
    assert deliver(client, connection, secret, push(), event="ping").status_code == 202
    assert not Scan.objects.exists()


def test_another_organisations_repository_at_the_same_address_is_left_alone(
    client, connection, connected, org_admin
):
    elsewhere = Repository.objects.create(
        team=TeamFactory(organization=OrganizationFactory()), url=CLONE_URL
    )
    secret = forge_webhook_secret_reset(connection=connection, user=org_admin)
    deliver(client, connection, secret, push())
    assert Scan.objects.filter(repository=connected).count() == 1
    assert not Scan.objects.filter(repository=elsewhere).exists()


def test_a_bad_signature_a_wrong_forge_or_no_secret_is_refused(
    client, connection, connected, org_admin
):
    refused = deliver(client, connection, "guess", push())
    assert refused.status_code == 403
    assert refused.json()["detail"] == "This connection's webhook is not set up."
    secret = forge_webhook_secret_reset(connection=connection, user=org_admin)
    wrong = deliver(client, connection, "guess", push())
    assert wrong.status_code == 403
    assert "does not match the secret of this connection" in wrong.json()["detail"]
    gitlab = deliver(client, connection, secret, push(), provider="gitlab")
    assert gitlab.status_code == 403
    assert "takes github events" in gitlab.json()["detail"]
    assert not Scan.objects.exists()


def test_a_renewed_secret_replaces_the_old_one(client, connection, connected, org_admin):
    old = forge_webhook_secret_reset(connection=connection, user=org_admin)
    new = forge_webhook_secret_reset(connection=connection, user=org_admin)
    assert deliver(client, connection, old, push()).status_code == 403
    assert deliver(client, connection, new, push()).status_code == 202


def test_only_the_organisations_admins_set_it_up(client, connection, lead, org_admin):
    url = reverse("forge_webhook_secret", args=[connection.pk])
    client.force_login(lead)
    assert client.post(url).status_code in (403, 404)
    assert not ForgeConnection.objects.get(pk=connection.pk).webhook_secret_encrypted
    client.force_login(org_admin)
    page = client.post(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert reverse("forge_webhook", args=[connection.pk, "github"]) in body
    assert ForgeConnection.objects.get(pk=connection.pk).webhook_secret_encrypted
