"""Prediction logging: requests and predictions captured or stored by the service's own code."""

from __future__ import annotations

import re

from ...tree import RepositorySnapshot
from ..base import Finding, Strength, keywords, register
from ..common import code_hits, config_hits, finding, first_hits
from ..imports import files_importing, local_imports
from ..paths import is_test_path
from ..servingcode import WEB_FRAMEWORKS, serving_files

CAPTURE = keywords(
    "DataCaptureConfig(",
    "DataCaptureConfig:",
    "data_capture_config",
    "enable_request_response_logging",
    "request_response_logging",
    "auto_capture_config",
    "inference_table",
    "log_prediction",
    "prediction_log",
    "predictions_log",
    "log_predictions",
    "inference_log",
    "PredictionLog",
)
# Writing predictions out is the output of a batch job as often as a log of what a service
# answered: these count only in the code a service runs.
WRITTEN_PREDICTIONS = keywords("save_prediction", "store_prediction", "write_prediction")
# A service's code storing what it was asked and answered: ``log_inference(...)``,
# ``write_inference_data(...)``, ``backend.save(model_input, model_output)``.
STORED_PREDICTION = re.compile(
    r"\b(?:write|save|store|log|insert|persist|record|capture)_\w*?"
    r"(?:prediction|inference|request)\w*\(|"
    r"\.(?:save|store|insert|put_item)\([^)\n]*\b(?:model_output|predictions?)\b",
    re.I,
)
SERVING_WORDS = frozenset(
    {"inference", "serving", "serve", "server", "predict", "predictor", "handler", "api", "app"}
)
LOGGED_PREDICTION = re.compile(r"\b(logger|logging|log)\.(info|debug|warning)\(.*predict", re.I)


def _looks_served(path: str) -> bool:
    """A folder or module named for serving: ``inference/``, ``api/``, ``serve.py``..."""
    segments = path[:-3].split("/") if path.endswith(".py") else []
    return any(word in SERVING_WORDS for seg in segments for word in re.split(r"[_\W]+", seg))


def service_code(snapshot: RepositorySnapshot, *, limit: int = 60) -> list[str]:
    """The code a prediction service runs: serving files, web apps and modules named for
    serving, with the local modules they import (two hops)."""

    def compute() -> list[str]:
        web = {s.path for s in files_importing(snapshot, *WEB_FRAMEWORKS)}
        named = {e.path for e in snapshot.evidence if _looks_served(e.path)}
        roots = sorted(
            p for p in set(serving_files(snapshot)) | web | named if not is_test_path(p)
        )[:limit]
        found = dict.fromkeys(roots)
        frontier = roots
        for _ in range(2):
            frontier = [
                i for p in frontier for i in local_imports(snapshot, p) if not is_test_path(i)
            ]
            found.update(dict.fromkeys(frontier))
        return list(found)[:limit]

    return snapshot.memo("service_code", compute)


@register
def prediction_logs(snapshot: RepositorySnapshot) -> list[Finding]:
    """Requests and predictions are captured for monitoring and retraining."""
    findings = []
    for hit in first_hits(code_hits(snapshot, *CAPTURE) + config_hits(snapshot, *CAPTURE))[:2]:
        findings.append(
            finding(
                "prediction_logging",
                1,
                Strength.CODE,
                "Requests and predictions are captured.",
                hit,
            )
        )
    service = service_code(snapshot)
    served = set(service)
    for hit in [h for h in code_hits(snapshot, *WRITTEN_PREDICTIONS) if h.path in served][:1]:
        findings.append(
            finding(
                "prediction_logging",
                1,
                Strength.CODE,
                "The service stores the predictions it makes.",
                hit,
            )
        )
    for path in service if not findings else ():
        # Storage calls are too common to index; only the service's own code is read.
        text = snapshot.read_text(path, limit=256 * 1024) or ""
        match = STORED_PREDICTION.search(text)
        if match:
            findings.append(
                finding(
                    "prediction_logging",
                    1,
                    Strength.CODE,
                    "The service stores its requests and predictions.",
                    path,
                    text.count("\n", 0, match.start()) + 1,
                )
            )
            break
    serving = set(serving_files(snapshot))
    for path in sorted(serving) if not findings else ():
        # Logging calls are too common to index; only the few serving files are read.
        text = snapshot.read_text(path) or ""
        match = LOGGED_PREDICTION.search(text)
        if match:
            findings.append(
                finding(
                    "prediction_logging",
                    0.5,
                    Strength.CODE,
                    "The service writes predictions to its application log.",
                    path,
                    text.count("\n", 0, match.start()) + 1,
                )
            )
            break
    return findings
