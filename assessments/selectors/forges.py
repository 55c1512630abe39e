"""Reads of forge connections and imports: records of an organisation's administration, which
only its admins read (`access.visible_to_org_admins`)."""

from django.db.models import QuerySet
from django.http import Http404

from ..access import UserOrAnonymous, visible_to_org_admins
from ..models import (
    ForgeConnection,
    ForgeImport,
    ImportState,
    Repository,
    ScanStatus,
)
from .repositories import latest_scan_subquery


def forge_connection_list() -> QuerySet[ForgeConnection]:
    """Every connection with its organisation, before tenancy (the API's TeamScoped views
    narrow it)."""
    return ForgeConnection.objects.select_related("organization").order_by("organization", "owner")


def forge_connection_list_for_user(*, user: UserOrAnonymous) -> QuerySet[ForgeConnection]:
    return visible_to_org_admins(forge_connection_list(), user)


def forge_connection_get_for_user(*, user: UserOrAnonymous, connection_id: int) -> ForgeConnection:
    connection = forge_connection_list_for_user(user=user).filter(pk=connection_id).first()
    if connection is None:
        raise Http404("No such forge connection.")
    return connection


def forge_connection_get_unscoped(*, connection_id: int) -> ForgeConnection:
    """The connection whoever asks, or 404: for its push webhook, whose signature (checked
    against the connection's own secret) authenticates the caller instead of a user."""
    connection = ForgeConnection.objects.select_related("organization").filter(pk=connection_id)
    found = connection.first()
    if found is None:
        raise Http404("No such forge connection.")
    return found


def forge_import_list(*, connection: ForgeConnection | None = None) -> QuerySet[ForgeImport]:
    """Imports (of one connection), newest first, before tenancy."""
    imports = ForgeImport.objects.select_related("connection", "organization")
    if connection is not None:
        imports = imports.filter(connection=connection)
    return imports.order_by("-created_at", "-pk")


def forge_import_get_for_user(*, user: UserOrAnonymous, import_id: int) -> ForgeImport:
    forge_import = visible_to_org_admins(forge_import_list(), user).filter(pk=import_id).first()
    if forge_import is None:
        raise Http404("No such import.")
    return forge_import


def import_progress(forge_import: ForgeImport) -> dict[str, int]:
    """The first scans of the repositories the import created: waiting their turn, queued,
    running, scanned, failed; one query."""
    rows = Repository.objects.filter(forge_import=forge_import).annotate(
        last_status=latest_scan_subquery("status")
    )
    progress = dict.fromkeys(("created", "waiting", "queued", "running", "scanned", "failed"), 0)
    for pending, status in rows.values_list("first_scan_pending", "last_status"):
        progress["created"] += 1
        if pending or status is None:
            progress["waiting"] += 1
        elif status == ScanStatus.QUEUED:
            progress["queued"] += 1
        elif status == ScanStatus.RUNNING:
            progress["running"] += 1
        elif status == ScanStatus.FAILED:
            progress["failed"] += 1
        else:
            progress["scanned"] += 1
    return progress


def import_in_progress(forge_import: ForgeImport, progress: dict[str, int]) -> bool:
    """Whether its page should keep refreshing."""
    return forge_import.state in (ImportState.QUEUED, ImportState.RUNNING) or bool(
        progress["waiting"] or progress["queued"] or progress["running"]
    )
