"""Monitoring in production: drift and model quality, and the service's errors and latency."""

from __future__ import annotations

import re

from ...tree import RepositorySnapshot
from ..base import Finding, Strength, keywords, register
from ..ciconfig import ci_configs
from ..common import code_hits, config_hits, finding, first_hits
from ..imports import files_importing, first_per_path
from ..paths import is_test_path

DRIFT_TOOLS: dict[str, str] = {
    "evidently": "Evidently",
    "whylogs": "whylogs",
    "nannyml": "NannyML",
    "alibi_detect": "Alibi Detect",
    "frouros": "Frouros",
    "arize": "Arize",
    "fiddler": "Fiddler",
    "deepchecks": "Deepchecks",
}
CLOUD_MONITORS = keywords(
    "DefaultModelMonitor(",
    "ModelQualityMonitor(",
    "ModelBiasMonitor(",
    "MonitoringSchedule",
    "create_monitoring_schedule(",
    "ModelDeploymentMonitoringJob",
    "ModelMonitoringAlertConfig",
    "model_monitoring",
    "MonitorDefinition(",
    "MonitorSchedule(",
    "DataDriftSignal(",
    "DataDriftPreset",
    "data_drift",
    "drift_detect",
)
# TFDV comparing new (serving) statistics with a baseline: drift and skew detection, when a
# job does it (a notebook exploring a dataset's spans monitors nothing).
TFDV_DRIFT = keywords(
    "previous_statistics=",
    "serving_statistics=",
    "drift_comparator",
    "skew_comparator",
)
OPERATIONAL = keywords(
    "prometheus_client",
    "prometheus_fastapi_instrumentator",
    "Instrumentator(",
    "kind: PrometheusRule",
    "alertmanager",
    "opentelemetry",
)
# Metrics of a managed endpoint or serving function that alarms watch.
ENDPOINT_ALARMS = keywords(
    "Invocation5XXErrors",
    "Invocation4XXErrors",
    "ModelLatency",
    # CloudFormation alarms on the serving function's or API's errors and latency
    "MetricName: Errors",
    "MetricName: 5XXError",
    "MetricName: Latency",
)
# A permission to list monitoring schedules (``sagemaker:ListMonitoringSchedules``) monitors
# nothing.
IAM_ACTION = re.compile(r"\b[a-z0-9-]+:[A-Z]\w*Monitoring")
DRIFT_WORDS = re.compile(r"drift|monitor", re.I)


@register
def drift_monitoring(snapshot: RepositorySnapshot) -> list[Finding]:
    """Drift and performance monitoring of the model in production."""
    findings = []
    for prefix, tool in DRIFT_TOOLS.items():
        sites = [
            s for s in first_per_path(files_importing(snapshot, prefix)) if not is_test_path(s.path)
        ]
        if prefix == "deepchecks":
            sites = [s for s in sites if "drift" in s.module.lower()]
        for site in sites[:1]:
            findings.append(
                finding(
                    "monitoring",
                    1,
                    Strength.CODE,
                    f"{tool} monitors data or prediction drift.",
                    site,
                )
            )
    monitors = code_hits(snapshot, *CLOUD_MONITORS) + config_hits(snapshot, *CLOUD_MONITORS)
    monitors += [h for h in code_hits(snapshot, *TFDV_DRIFT) if h.path.endswith(".py")]
    for hit in first_hits(h for h in monitors if not IAM_ACTION.search(h.text))[:1]:
        findings.append(
            finding(
                "monitoring",
                1,
                Strength.CODE,
                "A model monitoring job checks drift or quality in production.",
                hit,
            )
        )
    for config in ci_configs(snapshot):
        if "schedule" in config.triggers:
            hits = config.search(DRIFT_WORDS)
            if hits:
                findings.append(
                    finding(
                        "monitoring",
                        1,
                        Strength.CI_CONFIG,
                        "CI runs a monitoring check on a schedule.",
                        config.path,
                        hits[0][0],
                    )
                )
    return findings


@register
def serving_health(snapshot: RepositorySnapshot) -> list[Finding]:
    """Errors and latency of the prediction service exported to a monitoring system.

    Service metrics (Prometheus, OpenTelemetry, endpoint error alarms) watch the serving
    path, not the model: they are no drift monitoring.
    """
    hits = code_hits(snapshot, *OPERATIONAL) + config_hits(snapshot, *OPERATIONAL)
    hits += config_hits(snapshot, *ENDPOINT_ALARMS) + code_hits(snapshot, *ENDPOINT_ALARMS)
    return [
        finding(
            "serving_health_monitoring",
            1,
            Strength.CODE,
            "The prediction service's errors and latency are exported to monitoring.",
            hit,
        )
        for hit in first_hits(hits)[:1]
    ]
