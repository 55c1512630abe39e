"""Infrastructure as code, and how many environments it describes."""

from __future__ import annotations

import re
from collections import Counter

from ...tree import RepositorySnapshot
from ..base import Finding, Strength, keywords, register
from ..common import code_hits, config_hits, finding, first_hits
from ..paths import basename

TERRAFORM = keywords('resource "', "AWSTemplateFormatVersion", "Pulumi", "aws_cdk")
# CloudFormation and SAM templates need no AWSTemplateFormatVersion; their resources say AWS::.
CLOUDFORMATION = keywords("AWS::")
CLOUDFORMATION_RESOURCE = re.compile(r"""^["']?Type["']?\s*:\s*["']?AWS::\w+::""")
ENVIRONMENT_SEGMENTS = frozenset(
    {
        "dev",
        "development",
        "staging",
        "stage",
        "prod",
        "production",
        "preprod",
        "qa",
        "uat",
        "test",
        "sandbox",
    }
)


@register
def infrastructure(snapshot: RepositorySnapshot) -> list[Finding]:
    """Infrastructure as code, and how many environments it describes."""
    findings = []
    environments = _environments(snapshot)
    suffix = (
        f" for {len(environments)} environments ({', '.join(environments)})"
        if len(environments) >= 2
        else ""
    )
    for hit in first_hits(config_hits(snapshot, *TERRAFORM))[:2]:
        tool = (
            "CloudFormation"
            if "AWSTemplate" in hit.text
            else ("Terraform" if hit.path.endswith((".tf", ".hcl")) else "Infrastructure code")
        )
        findings.append(
            finding(
                "infrastructure_as_code",
                1,
                Strength.CODE,
                f"{tool} declares the infrastructure{suffix}.",
                hit,
            )
        )
    templates = [
        hit
        for hit in config_hits(snapshot, *CLOUDFORMATION)
        if hit.path.endswith((".yaml", ".yml", ".json", ".template"))
        and CLOUDFORMATION_RESOURCE.match(hit.text)
    ]
    if not findings:
        for hit in first_hits(templates)[:2]:
            findings.append(
                finding(
                    "infrastructure_as_code",
                    1,
                    Strength.CODE,
                    f"CloudFormation declares the infrastructure{suffix}.",
                    hit,
                )
            )
    for hit in first_hits(code_hits(snapshot, *TERRAFORM))[:1]:
        if "Pulumi" in hit.text or "aws_cdk" in hit.text:
            findings.append(
                finding(
                    "infrastructure_as_code",
                    1,
                    Strength.CODE,
                    f"Infrastructure is declared in code (Pulumi/CDK){suffix}.",
                    hit,
                )
            )
    for entry in snapshot.named(
        "Chart.yaml", "kustomization.yaml", "kustomization.yml", "Pulumi.yaml", "cdk.json"
    )[:2]:
        findings.append(
            finding(
                "infrastructure_as_code",
                1,
                Strength.FILE_NAME,
                f"{basename(entry.path)} declares deployable infrastructure{suffix}.",
                entry.path,
            )
        )
    for entry in snapshot.with_suffix(".bicep")[:1]:
        findings.append(
            finding(
                "infrastructure_as_code",
                1,
                Strength.FILE_NAME,
                f"Bicep templates declare the infrastructure{suffix}.",
                entry.path,
            )
        )
    return findings


def _environments(snapshot: RepositorySnapshot) -> list[str]:
    found: Counter[str] = Counter()
    for entry in snapshot.evidence:
        if entry.path.endswith((".tf", ".tfvars", ".yaml", ".yml", ".json", ".bicep", ".env")):
            for part in re.split(r"[/._-]", entry.path.lower()):
                if part in ENVIRONMENT_SEGMENTS:
                    found[part] += 1
    return sorted(found)
