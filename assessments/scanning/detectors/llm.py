"""LLM applications: prompts kept out of code, evaluation gates, guardrails, tracing, pinned
model versions and a refreshed retrieval corpus.

Every capability here is observable only "partly" (see the catalogue): a repository without LLM
code cannot say whether the practice applies, and prompts, evaluations and traces often live in
a hosted platform. So these detectors report what they find and never infer absence from
silence; the one grade 0 they give is for floating model names, which is something seen.
"""

from __future__ import annotations

import re

from ..evidencepaths import VENDOR_SEGMENTS
from ..tree import Hit, RepositorySnapshot
from .base import Finding, Strength, keywords, register
from .ciconfig import ci_configs, invoked_scripts
from .common import code_hits, config_hits, finding, first_hits, plural
from .imports import files_importing, first_per_path
from .orchestration import orchestrated_files
from .paths import basename, is_test_path

# --- Prompts ---------------------------------------------------------------------------------

PROMPT_DIRECTORIES = frozenset({"prompts", "prompt_templates", "prompt-templates", "prompt"})
PROMPT_SUFFIXES = (".prompt", ".prompty", ".prompt.yaml", ".prompt.yml", ".prompt.json")
PROMPT_TEMPLATE_SUFFIXES = (
    ".jinja",
    ".jinja2",
    ".j2",
    ".txt",
    ".md",
    ".yaml",
    ".yml",
    ".json",
    ".toml",
    ".mustache",
    ".hbs",
    ".tmpl",
)
# Calls that fetch a prompt by name (and version) from a prompt registry.
PROMPT_REGISTRY_CALLS: dict[str, tuple[str, tuple[str, ...]]] = {
    "langfuse": ("Langfuse prompt management", keywords("get_prompt(", "create_prompt(")),
    "langsmith": ("the LangSmith prompt hub", keywords("pull_prompt(", "push_prompt(")),
    "langchain": (
        "the LangChain hub",
        keywords(
            "hub.pull(",
        ),
    ),
    "mlflow": ("the MLflow prompt registry", keywords("load_prompt(", "register_prompt(")),
    "promptlayer": (
        "PromptLayer",
        keywords(
            "templates.get(",
        ),
    ),
    "prompty": ("Prompty", keywords("prompty.load(", "prompty.execute(")),
}


def _not_vendored(path: str) -> bool:
    return not any(part in VENDOR_SEGMENTS for part in path.split("/")[:-1])


def prompt_files(snapshot: RepositorySnapshot) -> list[str]:
    """Prompt files: *.prompt / *.prompty anywhere, templates in a prompts/ directory.

    Read from every path, not only evidence paths: a prompt is often a .md or .txt file,
    which elsewhere is documentation. Only names are read, never contents, so a hostile
    template is never rendered or parsed.
    """

    def compute() -> list[str]:
        found = []
        for entry in snapshot.files:
            path = entry.path
            lower = path.lower()
            if not _not_vendored(path):
                continue
            parts = lower.split("/")
            in_prompt_directory = any(part in PROMPT_DIRECTORIES for part in parts[:-1])
            named_template = "prompt" in parts[-1] and lower.endswith((".jinja", ".jinja2", ".j2"))
            if (
                lower.endswith(PROMPT_SUFFIXES)
                or named_template
                or (in_prompt_directory and lower.endswith(PROMPT_TEMPLATE_SUFFIXES))
            ):
                found.append(path)
        return sorted(found)

    return snapshot.memo("llm_prompt_files", compute)


@register
def llm_prompts(snapshot: RepositorySnapshot) -> list[Finding]:
    """Prompts kept out of code: prompt files versioned with it, or a prompt registry."""
    findings = []
    for prefix, (tool, calls) in PROMPT_REGISTRY_CALLS.items():
        paths = {s.path for s in files_importing(snapshot, prefix)}
        for hit in [h for h in code_hits(snapshot, *calls) if h.path in paths][:1]:
            findings.append(
                finding(
                    "prompt_versioning",
                    1,
                    Strength.CODE,
                    f"Prompts are fetched by name and version from {tool}.",
                    hit,
                )
            )
    files = prompt_files(snapshot)
    if files:
        findings.append(
            finding(
                "prompt_versioning",
                1,
                Strength.FILE_NAME,
                f"{plural(len(files), 'prompt file')} kept out of the code and versioned with it.",
                files[0],
            )
        )
    return findings


# --- Evaluation ------------------------------------------------------------------------------

EVALUATORS: dict[str, str] = {
    "ragas": "ragas",
    "deepeval": "DeepEval",
    "promptfoo": "promptfoo",
    "evals": "OpenAI Evals",
    "langsmith.evaluation": "LangSmith evaluations",
    "trulens": "TruLens",
    "trulens_eval": "TruLens",
    "inspect_ai": "Inspect",
}
EVALUATION_CALLS = keywords(
    "evaluate(",
    "aevaluate(",
    "assert_test(",
    "evaluate_dataset(",
    "eval_set(",
    "run_evals(",
)
PROMPTFOO_CONFIGS = ("promptfooconfig.yaml", "promptfooconfig.yml", "promptfooconfig.json")
# Commands that run an evaluation suite (installing a tool runs nothing, so it is not here).
EVALUATION_IN_CI = re.compile(
    r"\bpromptfoo(?:@[\w.]+)?\s+eval\b|\bdeepeval\s+test\s+run\b|\boaieval(?:set)?\s|"
    r"\binspect\s+eval\b|promptfoo/promptfoo-action"
)
RUNS_PYTEST = re.compile(r"\bpytest\b")


@register
def llm_evaluation(snapshot: RepositorySnapshot) -> list[Finding]:
    """An LLM evaluation suite (promptfoo, ragas, DeepEval, OpenAI Evals, LangSmith), and CI
    running it: only a suite that runs on every change gates anything."""
    findings = []
    for config in ci_configs(snapshot):
        for number, _ in config.search_work(EVALUATION_IN_CI)[:1]:
            findings.append(
                finding(
                    "llm_evaluation",
                    1 if config.runs_on_change else 0.5,
                    Strength.CI_CONFIG,
                    "CI runs the LLM evaluation suite on every change."
                    if config.runs_on_change
                    else "CI runs the LLM evaluation suite, but not on every change.",
                    config.path,
                    number,
                )
            )
    suites = []
    calls = {hit.path for hit in code_hits(snapshot, *EVALUATION_CALLS, tests=True)}
    for prefix, tool in EVALUATORS.items():
        for site in first_per_path(files_importing(snapshot, prefix)):
            if site.path in calls or is_test_path(site.path):
                suites.append((site, tool))
    # Evaluation cases written as tests (DeepEval's, say) run wherever CI runs pytest on every
    # change; an evaluation script runs where CI invokes it.
    tests_in_ci = [
        (config, number)
        for config in ci_configs(snapshot)
        if config.runs_on_change
        for number, _ in config.search_work(RUNS_PYTEST)[:1]
    ]
    invoked = invoked_scripts(snapshot)
    for site, tool in suites:
        gate = None
        if is_test_path(site.path) and tests_in_ci:
            gate = tests_in_ci[0]
        elif site.path in invoked and invoked[site.path][0].runs_on_change:
            gate = invoked[site.path]
        if gate is not None:
            config, number = gate
            findings.append(
                finding(
                    "llm_evaluation",
                    1,
                    Strength.CI_CONFIG,
                    f"CI runs the {tool} evaluation on every change.",
                    config.path,
                    number,
                )
            )
            break
    for site, tool in suites[:1]:
        findings.append(
            finding(
                "llm_evaluation",
                0.5,
                Strength.CODE,
                f"{tool} evaluates the application's answers; nothing shows it gating changes.",
                site,
            )
        )
    for entry in snapshot.named(*PROMPTFOO_CONFIGS)[:1]:
        findings.append(
            finding(
                "llm_evaluation",
                0.5,
                Strength.FILE_NAME,
                f"{basename(entry.path)} defines evaluation cases for promptfoo.",
                entry.path,
            )
        )
    return findings


# --- Guardrails ------------------------------------------------------------------------------

# module prefix -> (tool, calls that check input and output, calls that check one side only)
GUARDRAILS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "guardrails": ("Guardrails AI", keywords("Guard(", "Guard.from_", ".use("), ()),
    "nemoguardrails": ("NeMo Guardrails", keywords("LLMRails(", "RailsConfig."), ()),
    "llm_guard": (
        "LLM Guard",
        (),
        keywords("scan_prompt(", "scan_output("),
    ),
}
MODERATION = keywords("moderations.create(")


@register
def llm_guardrails(snapshot: RepositorySnapshot) -> list[Finding]:
    """Guardrails around model calls: Guardrails AI, NeMo Guardrails, LLM Guard, moderation."""
    findings = []
    for prefix, (tool, both_sides, one_side) in GUARDRAILS.items():
        sites = first_per_path(files_importing(snapshot, prefix))
        if not sites:
            continue
        paths = {s.path for s in sites}
        guarding = [h for h in code_hits(snapshot, *both_sides) if h.path in paths]
        sides: dict[str, Hit] = {}
        for hit in code_hits(snapshot, *one_side):
            if hit.path in paths:
                sides.setdefault("input" if "scan_prompt(" in hit.text else "output", hit)
        if guarding or len(sides) >= 2:
            where = guarding[0] if guarding else next(iter(sides.values()))
            findings.append(
                finding(
                    "guardrails", 1, Strength.CODE, f"{tool} checks model input and output.", where
                )
            )
        elif sides:
            (side, hit), *_ = sides.items()
            findings.append(
                finding(
                    "guardrails",
                    0.5,
                    Strength.CODE,
                    f"{tool} checks the model's {side} only.",
                    hit,
                )
            )
        else:
            findings.append(
                finding(
                    "guardrails",
                    0.5,
                    Strength.CODE,
                    f"{tool} is imported, but no guard call was found.",
                    sites[0],
                )
            )
    for hit in code_hits(snapshot, *MODERATION)[:1]:
        findings.append(
            finding(
                "guardrails",
                0.5,
                Strength.CODE,
                "A moderation call screens text; nothing shows a check on both sides.",
                hit,
            )
        )
    for entry in snapshot.matching("*.rail", "*.co")[:1]:
        findings.append(
            finding(
                "guardrails",
                0.5,
                Strength.FILE_NAME,
                f"{basename(entry.path)} declares guardrails (RAIL or Colang).",
                entry.path,
            )
        )
    return findings


# --- Tracing ---------------------------------------------------------------------------------

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


# --- Model pinning ---------------------------------------------------------------------------

MODEL_FAMILIES = keywords("gpt-", "claude-", "gemini-", "mistral-", "o1-", "o3-", "o4-mini")
# A quoted model name of a hosted family; Bedrock ids carry a provider prefix and a suffix.
_MODEL_NAME = re.compile(
    r"""["'](?:[a-z]+\.)?((?:gpt|claude|gemini|mistral|o1|o3|o4)-[A-Za-z0-9.\-]{1,60}?)"""
    r"""(?:-v\d+(?::\d+)?)?["']"""
)
# Dated snapshots: OpenAI 2024-08-06 or 0613, Anthropic 20241022, Gemini 002, Mistral 2407.
_DATED = re.compile(r"-(?:\d{4}-\d{2}-\d{2}|\d{8}|\d{4}|\d{3})$")
MAX_MODEL_LINE = 2_000  # longer lines are minified or generated data, not a model call


def model_names(snapshot: RepositorySnapshot) -> list[tuple[str, bool, str, int | None]]:
    """(name, dated, path, line) for each hosted model named in code or configuration."""
    found = []
    for hit in code_hits(snapshot, *MODEL_FAMILIES) + config_hits(snapshot, *MODEL_FAMILIES):
        if len(hit.text) > MAX_MODEL_LINE:
            continue
        for match in _MODEL_NAME.finditer(hit.text):
            name = match.group(1)
            found.append((name, bool(_DATED.search(name)), hit.path, hit.line))
    return found


@register
def llm_model_pinning(snapshot: RepositorySnapshot) -> list[Finding]:
    """Hosted models named by dated snapshots (pinned) or by floating aliases.

    A floating name only (``gpt-4o``, ``claude-3-5-sonnet-latest``) is graded 0 at code
    strength: it is not absence of evidence but something seen, the code asking for a model
    that changes under it. Scoring never lets evidence lower an answer (it takes the maximum),
    so the 0 only fills an unanswered question or an evidence-only reading; and the capability
    stays observable "partly", since the model actually called may be set outside the
    repository (an environment variable, a gateway), so finding no name at all proves nothing.
    """
    names = model_names(snapshot)
    if not names:
        return []
    dated = [n for n in names if n[1]]
    floating = [n for n in names if not n[1]]
    if not floating:
        name, _, path, line = dated[0]
        return [
            finding(
                "llm_model_pinning",
                1,
                Strength.CODE,
                f"Every model named is a dated snapshot, such as {name}.",
                path,
                line,
            )
        ]
    name, _, path, line = floating[0]
    if dated:
        return [
            finding(
                "llm_model_pinning",
                0.5,
                Strength.CODE,
                f"Some models are dated snapshots, others floating names such as {name}.",
                path,
                line,
            )
        ]
    return [
        finding(
            "llm_model_pinning",
            0,
            Strength.CODE,
            f"Models are named by floating aliases such as {name}, which change without notice.",
            path,
            line,
        )
    ]


# --- Retrieval corpus ------------------------------------------------------------------------

VECTOR_STORES = (
    "chromadb",
    "qdrant_client",
    "pinecone",
    "weaviate",
    "pymilvus",
    "lancedb",
    "faiss",
    "pgvector",
    "elasticsearch",
    "opensearchpy",
    "langchain_community.vectorstores",
    "langchain_chroma",
    "langchain_qdrant",
    "langchain_pinecone",
    "llama_index",
)
INGESTION_CALLS = keywords(
    "add_documents(",
    "from_documents(",
    "add_texts(",
    "from_texts(",
    "IngestionPipeline(",
    ".upsert(",
    "upload_points(",
    "insert_nodes(",
    "index_documents(",
)


def ingestion_files(snapshot: RepositorySnapshot) -> list[str]:
    """Non-test files that write documents into a vector store or search index."""
    stores = {s.path for s in files_importing(snapshot, *VECTOR_STORES)}
    return sorted(
        {
            h.path
            for h in code_hits(snapshot, *INGESTION_CALLS)
            if h.path in stores and not is_test_path(h.path)
        }
    )


@register
def llm_retrieval_refresh(snapshot: RepositorySnapshot) -> list[Finding]:
    """The retrieval corpus re-ingested by a scheduled job (CI schedule or orchestrator), or by
    an ingestion script run by hand.

    Versioning of each index build usually lives in the vector store (a collection per build),
    which a repository cannot show; a scheduled ingestion is the automation it can show.
    """
    files = ingestion_files(snapshot)
    if not files:
        return []
    findings = []
    invoked = invoked_scripts(snapshot)
    for path in files:
        if path in invoked:
            config, number = invoked[path]
            scheduled = "schedule" in config.triggers
            findings.append(
                finding(
                    "retrieval_data_refresh",
                    1 if scheduled else 0.5,
                    Strength.CI_CONFIG,
                    "A scheduled CI job re-ingests the retrieval corpus."
                    if scheduled
                    else "CI runs the corpus ingestion, but not on a schedule.",
                    config.path,
                    number,
                )
            )
            break
    orchestrated = orchestrated_files(snapshot)
    for path in files:
        if path in orchestrated:
            findings.append(
                finding(
                    "retrieval_data_refresh",
                    1,
                    Strength.CODE,
                    f"{orchestrated[path]} runs the corpus ingestion as a pipeline step.",
                    path,
                )
            )
            break
    findings.append(
        finding(
            "retrieval_data_refresh",
            0.5,
            Strength.CODE,
            "A script ingests documents into the retrieval index; nothing shows it scheduled.",
            files[0],
        )
    )
    return findings
