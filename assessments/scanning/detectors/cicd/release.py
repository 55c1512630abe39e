"""Release: load and contract tests before a model is deployed, and staged promotion."""

from __future__ import annotations

import re

from ...tree import RepositorySnapshot
from ..base import Finding, Strength, keywords, register
from ..ciconfig import ci_configs
from ..common import code_hits, config_hits, finding, first_hits, test_hits
from .configs import ci_name, delivering_configs

LOAD_TESTS = keywords("from locust", "import locust", "HttpUser", "k6/http", "schemathesis")
CONTRACT = keywords("TestClient(", "/predict", "/invocations", "test_client(")
# CodeDeploy runs these functions against the new version before and after shifting traffic.
TRAFFIC_HOOKS = keywords("PreTraffic:", "BeforeAllowTraffic", "AfterAllowTestTraffic")
LOAD_IN_CI = re.compile(
    r"\blocust\b|\bk6 run\b|\bvegeta\b|\bhey -|\bwrk -|artillery run|schemathesis"
)
PROMOTION = keywords(
    "canaryTrafficPercent",
    "kind: Rollout",
    "traffic_split",
    "traffic_percentage",
    "TrafficRoutingConfiguration",
    "CanarySize",
    "LinearStepSize",
    "BlueGreenUpdatePolicy",
    "trafficSplit",
    "DeploymentPreference",
    "Category: Approval",
    "weight.green=",
    "weight.blue=",
)
# Every SageMaker endpoint has production variants: one variant is no A/B test.
SINGLE_TARGET = re.compile(r"""["']?\w*["']?\s*[:=]\s*100\s*[,}]""")
ENVIRONMENT_LINE = re.compile(
    r"^(environment|deployment)\s*:\s*['\"]?(prod|production|staging|stage|preprod|qa|uat)\b"
    r"|^name\s*:\s*['\"]?(prod|production|staging|preprod)\b",
    re.I,
)


@register
def serving_checks(snapshot: RepositorySnapshot) -> list[Finding]:
    """Load tests and API contract tests before a model is deployed."""
    findings = []
    for config in ci_configs(snapshot):
        for number, _ in config.search(LOAD_IN_CI)[:1]:
            findings.append(
                finding(
                    "pre_deployment_checks",
                    1,
                    Strength.CI_CONFIG,
                    f"{ci_name(config)} load-tests or contract-tests the service.",
                    config.path,
                    number,
                )
            )
    for hit in first_hits(code_hits(snapshot, *LOAD_TESTS, tests=True))[:1]:
        findings.append(
            finding(
                "pre_deployment_checks",
                1,
                Strength.CODE,
                "Load or schema tests exercise the prediction service.",
                hit,
            )
        )
    for entry in snapshot.matching("*locustfile*", "*k6*.js", "*load[-_]test*.js")[:1]:
        findings.append(
            finding(
                "pre_deployment_checks",
                0.5,
                Strength.FILE_NAME,
                f"A load test script exists ({entry.path}).",
                entry.path,
            )
        )
    for hit in first_hits(config_hits(snapshot, *TRAFFIC_HOOKS))[:1]:
        findings.append(
            finding(
                "pre_deployment_checks",
                1,
                Strength.CODE,
                "Deployment hooks test the new version before traffic shifts to it.",
                hit,
            )
        )
    contract = test_hits(snapshot, *CONTRACT)
    clients = {h.path for h in contract if "client" in h.text.lower()}
    endpoints = {h.path for h in contract if "/predict" in h.text or "/invocations" in h.text}
    for path in sorted(clients & endpoints)[:1]:
        findings.append(
            finding(
                "pre_deployment_checks",
                1,
                Strength.CODE,
                "API contract tests call the prediction endpoint.",
                path,
            )
        )
    return findings


@register
def promotion(snapshot: RepositorySnapshot) -> list[Finding]:
    """Staged promotion: deployment environments, canary or A/B traffic splits."""
    findings = []
    for config in delivering_configs(snapshot):
        for index, (number, text) in enumerate(config.lines):
            previous = config.lines[index - 1][1] if index else ""
            if ENVIRONMENT_LINE.search(text) and (
                not text.lower().startswith("name") or previous.startswith("environment")
            ):
                findings.append(
                    finding(
                        "staged_promotion",
                        1,
                        Strength.CI_CONFIG,
                        f"{ci_name(config)} deploys through named environments"
                        " (approvals live on the CI server).",
                        config.path,
                        number,
                    )
                )
                break
    hits = code_hits(snapshot, *PROMOTION) + config_hits(snapshot, *PROMOTION)
    # All traffic to one model (``traffic_split={"0": 100}``) splits nothing.
    for hit in [h for h in first_hits(hits) if not SINGLE_TARGET.search(h.text)][:1]:
        findings.append(
            finding(
                "staged_promotion",
                1,
                Strength.CODE,
                "Traffic is shifted gradually (canary, blue/green or A/B).",
                hit,
            )
        )
    return findings
