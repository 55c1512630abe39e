"""Tracing: LLM calls recorded by a tracing platform."""

from __future__ import annotations

from ...tree import RepositorySnapshot
from ..base import Finding, Strength, keywords, register
from ..common import code_hits, config_hits, finding, first_hits
from ..imports import files_importing, first_per_path
from ..paths import is_test_path

# module prefix -> (tool, calls or decorators that trace model calls)
TRACERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "langfuse": (
        "Langfuse",
        keywords("@observe", "CallbackHandler(", "Langfuse(", "langfuse.openai"),
    ),
    "langsmith": ("LangSmith", keywords("@traceable", "wrap_openai(", "wrap_anthropic(")),
    "phoenix": ("Arize Phoenix", keywords("register(", "px.launch_app(")),
    "openinference.instrumentation": (
        "OpenInference",
        keywords(
            "Instrumentor(",
        ),
    ),
    "opentelemetry.instrumentation.openai": (
        "OpenTelemetry",
        keywords(
            "Instrumentor(",
        ),
    ),
    "opentelemetry.instrumentation.anthropic": (
        "OpenTelemetry",
        keywords(
            "Instrumentor(",
        ),
    ),
    "traceloop": (
        "OpenLLMetry",
        keywords(
            "Traceloop.init(",
        ),
    ),
    "weave": ("W&B Weave", keywords("weave.init(", "@weave.op")),
    # Prompty's tracer records each prompt's inputs, outputs and token usage, sent wherever
    # ``Tracer.add`` points it (OpenTelemetry, a JSON trace file).
    "prompty.tracer": ("Prompty's tracer", keywords("Tracer.add(")),
    "agentops": (
        "AgentOps",
        keywords(
            "agentops.init(",
        ),
    ),
    "helicone": (
        "Helicone",
        keywords(
            "helicone",
        ),
    ),
}
MLFLOW_LLM_AUTOLOG = keywords(
    "mlflow.openai.autolog(",
    "mlflow.langchain.autolog(",
    "mlflow.anthropic.autolog(",
    "mlflow.llama_index.autolog(",
    "mlflow.litellm.autolog(",
)
TRACING_SETTINGS = keywords(
    "LANGCHAIN_TRACING_V2",
    "LANGSMITH_TRACING",
    "LANGFUSE_PUBLIC_KEY",
    "LANGFUSE_HOST",
    "PHOENIX_COLLECTOR_ENDPOINT",
    "oai.helicone.ai",
)


@register
def llm_tracing(snapshot: RepositorySnapshot) -> list[Finding]:
    """LLM calls traced: Langfuse, LangSmith, Phoenix, OpenInference/OpenLLMetry, Weave."""
    findings = []
    for prefix, (tool, calls) in TRACERS.items():
        sites = first_per_path(files_importing(snapshot, prefix))
        live = [s for s in sites if not is_test_path(s.path)]
        if not live:
            continue
        paths = {s.path for s in live}
        traced = [h for h in code_hits(snapshot, *calls) if h.path in paths]
        if traced:
            findings.append(
                finding(
                    "llm_tracing",
                    1,
                    Strength.CODE,
                    f"{tool} traces model calls with their tokens, cost and latency.",
                    traced[0],
                )
            )
        else:
            findings.append(
                finding(
                    "llm_tracing",
                    0.5,
                    Strength.CODE,
                    f"{tool} is imported, but no traced call was found.",
                    live[0],
                )
            )
    for hit in code_hits(snapshot, *MLFLOW_LLM_AUTOLOG)[:1]:
        findings.append(
            finding("llm_tracing", 1, Strength.CODE, "MLflow traces every LLM call.", hit)
        )
    # A tool's settings in deployment configuration switch tracing on without any import.
    for hit in first_hits(config_hits(snapshot, *TRACING_SETTINGS))[:1]:
        findings.append(
            finding(
                "llm_tracing",
                1,
                Strength.CODE,
                "Deployment configuration switches LLM tracing on.",
                hit,
            )
        )
    return findings
