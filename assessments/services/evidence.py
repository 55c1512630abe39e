"""Repository evidence for the maturity engine, read from the latest successful scans."""

from django.db.models import OuterRef, Subquery

from .. import maturity
from ..models import Repository, Scan, ScanStatus, Team


def evidence_for_team(team: Team) -> list[maturity.Evidence] | None:
    """Findings of each repository's latest successful, conclusive scan; None when none exists.

    None (no scan) and [] (scanned, nothing found) mean different things to the engine: only a
    scan that happened can contradict a claim.
    """
    latest_scan = (
        Scan.objects.filter(repository=OuterRef("pk"), status=ScanStatus.SUCCEEDED)
        .order_by("-finished_at", "-pk")
        .values("pk")[:1]
    )
    scan_ids = (
        Repository.objects.filter(team=team)
        .annotate(latest_scan=Subquery(latest_scan))
        .values("latest_scan")
    )
    scans = Scan.objects.filter(pk__in=scan_ids).values_list("findings", "report")
    evidence: list[maturity.Evidence] = []
    conclusive = False
    for findings, report in scans:
        if (report or {}).get("inconclusive"):
            continue
        conclusive = True
        evidence.extend(maturity.Evidence.from_dict(finding) for finding in findings)
    return evidence if conclusive else None
