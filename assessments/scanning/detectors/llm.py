"""LLM applications: prompts kept out of code, evaluation gates, guardrails, tracing, pinned
model versions and a refreshed retrieval corpus.

Every capability here is observable only "partly" (see the catalogue): a repository without LLM
code cannot say whether the practice applies, and prompts, evaluations and traces often live in
a hosted platform. So these detectors report what they find and never infer absence from
silence; the one grade 0 they give is for floating model names, which is something seen.
"""

from __future__ import annotations

import json
import re

from ..evidencepaths import VENDOR_SEGMENTS
from ..tree import Hit, RepositorySnapshot
from .base import Finding, Strength, keywords, register
from .ciconfig import ci_configs, invoked_scripts
from .common import code_hits, config_hits, finding, first_hits, plural
from .imports import files_importing, first_per_path, import_chain
from .javascript import js_llm_lines, script_running
from .orchestration import orchestrated_files
from .paths import basename, is_test_path
from .servingcode import WEB_FRAMEWORKS

# --- Prompts ---------------------------------------------------------------------------------

PROMPT_DIRECTORIES = frozenset({"prompts", "prompt_templates", "prompt-templates", "prompt"})
PROMPT_SUFFIXES = (".prompt", ".prompty", ".prompt.yaml", ".prompt.yml", ".prompt.json")
# Template formats: in a prompts/ directory they are prompts whoever loads them.
PROMPT_TEMPLATE_FORMATS = (".jinja", ".jinja2", ".j2", ".mustache", ".hbs", ".tmpl")
# A data file named for the prompts it holds (NeMo Guardrails' prompts.yml, answer_prompts.json).
_PROMPTS_DATA_FILE = re.compile(r"^(?:[\w.-]*[_.-])?prompts?\.(?:ya?ml|json|toml)$")
# Plain text and data formats: prompts only when the code loads them from that directory.
PROMPT_TEXT_SUFFIXES = (".txt", ".md", ".yaml", ".yml", ".json", ".toml")
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


# A prompts directory named in code or configuration ("prompts/answer.txt", prompt_dir:
# prompts/, Path(__file__).parent / "prompts"): the application loads its templates from there.
PROMPT_DIRECTORY_MENTIONS = keywords(
    *(f"{quote}{name}" for name in sorted(PROMPT_DIRECTORIES) for quote in ('"', "'", "/")),
    *(f"{name}/" for name in sorted(PROMPT_DIRECTORIES)),
)
_DIRECTORY_NAMES = "|".join(re.escape(name) for name in sorted(PROMPT_DIRECTORIES))
_QUOTED_DIRECTORY = re.compile(rf"""(?:^|["'/\\\s:=])({_DIRECTORY_NAMES})(?=["'/\\])""")


def loaded_prompt_directories(snapshot: RepositorySnapshot) -> set[str]:
    """Names of prompt directories (``prompts``...) that code or configuration refers to."""

    def compute() -> set[str]:
        lines = [
            h.text
            for h in code_hits(snapshot, *PROMPT_DIRECTORY_MENTIONS)
            + config_hits(snapshot, *PROMPT_DIRECTORY_MENTIONS)
        ]
        lines += [text for _, _, text in js_llm_lines(snapshot, *PROMPT_DIRECTORY_MENTIONS)]
        return {
            match.group(1).lower() for line in lines for match in _QUOTED_DIRECTORY.finditer(line)
        }

    return snapshot.memo("llm_loaded_prompt_directories", compute)


def prompt_files(snapshot: RepositorySnapshot) -> list[str]:
    """Prompt files: *.prompt / *.prompty anywhere, data files named for prompts
    (prompts.yml), template files (Jinja, Mustache...) in a prompts/ directory, and text,
    Markdown or data files in a prompts/ directory the code refers to (elsewhere a prompts/
    folder of Markdown is as likely notes about prompting).

    Read from every path, not only evidence paths: a prompt is often a .md or .txt file,
    which elsewhere is documentation. Only names are read, never contents, so a hostile
    template is never rendered or parsed.
    """

    def compute() -> list[str]:
        found = []
        loaded: set[str] | None = None
        for entry in snapshot.files:
            path = entry.path
            lower = path.lower()
            if not _not_vendored(path):
                continue
            parts = lower.split("/")
            directories = [part for part in parts[:-1] if part in PROMPT_DIRECTORIES]
            named_template = "prompt" in parts[-1] and lower.endswith((".jinja", ".jinja2", ".j2"))
            template = bool(directories) and lower.endswith(PROMPT_TEMPLATE_FORMATS)
            named_data = _PROMPTS_DATA_FILE.match(parts[-1]) is not None and not is_test_path(path)
            if lower.endswith(PROMPT_SUFFIXES) or named_template or template or named_data:
                found.append(path)
            elif directories and lower.endswith(PROMPT_TEXT_SUFFIXES):
                if loaded is None:
                    loaded = loaded_prompt_directories(snapshot)
                if loaded.intersection(directories):
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

# module prefix -> (tool, calls that check input and output, calls that check the input,
# calls that check the output)
GUARDRAILS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "guardrails": ("Guardrails AI", keywords("Guard(", "Guard.from_", ".use("), (), ()),
    "nemoguardrails": ("NeMo Guardrails", keywords("LLMRails(", "RailsConfig."), (), ()),
    "llm_guard": ("LLM Guard", (), keywords("scan_prompt("), keywords("scan_output(")),
    # The OpenAI Agents SDK (module ``agents``): the decorators are its own, so a local
    # ``agents`` package does not match.
    "agents": (
        "The OpenAI Agents SDK",
        (),
        keywords("@input_guardrail", "InputGuardrail("),
        keywords("@output_guardrail", "OutputGuardrail("),
    ),
}
# Libraries made only for guarding: importing one is already a sign of guardrails.
GUARDING_LIBRARIES = frozenset({"guardrails", "nemoguardrails", "llm_guard"})
MODERATION = keywords("moderations.create(")
JS_MODERATION = ("moderations.create(", "createModeration(")
# LangChain agent middleware: the built-in PII guard, or the application's own middleware
# class named for what it does (``class GuardrailsMiddleware(AgentMiddleware)``).
AGENT_MIDDLEWARE = keywords("(AgentMiddleware", "PIIMiddleware(")
_GUARD_MIDDLEWARE = re.compile(
    r"class\s+(\w*(?:guard|moderat|safety|jailbreak|pii)\w*)\s*\((?:[\w.]+\.)?AgentMiddleware\b",
    re.IGNORECASE,
)


@register
def llm_guardrails(snapshot: RepositorySnapshot) -> list[Finding]:
    """Guardrails around model calls: Guardrails AI, NeMo Guardrails, LLM Guard, the Agents
    SDK's guardrails, LangChain guard middleware, moderation."""
    findings = []
    for prefix, (tool, both_sides, input_side, output_side) in GUARDRAILS.items():
        sites = first_per_path(files_importing(snapshot, prefix))
        if not sites:
            continue
        paths = {s.path for s in sites}
        guarding = [h for h in code_hits(snapshot, *both_sides) if h.path in paths]
        sides: dict[str, Hit] = {}
        for side, calls in (("input", input_side), ("output", output_side)):
            for hit in code_hits(snapshot, *calls) if calls else []:
                if hit.path in paths:
                    sides.setdefault(side, hit)
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
        elif prefix in GUARDING_LIBRARIES:
            findings.append(
                finding(
                    "guardrails",
                    0.5,
                    Strength.CODE,
                    f"{tool} is imported, but no guard call was found.",
                    sites[0],
                )
            )
    for hit in code_hits(snapshot, *AGENT_MIDDLEWARE):
        match = _GUARD_MIDDLEWARE.search(hit.text)
        if match or "PIIMiddleware(" in hit.text:
            name = match.group(1) if match else "PIIMiddleware"
            findings.append(
                finding(
                    "guardrails",
                    0.5,
                    Strength.CODE,
                    f"Agent middleware ({name}) screens what the model reads or writes.",
                    hit,
                )
            )
            break
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
    for path, line, _ in js_llm_lines(snapshot, *JS_MODERATION)[:1]:
        findings.append(
            finding(
                "guardrails",
                0.5,
                Strength.CODE,
                "A moderation call screens text; nothing shows a check on both sides.",
                path,
                line,
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


# --- Model pinning ---------------------------------------------------------------------------

MODEL_FAMILIES = keywords("gpt-", "claude-", "gemini-", "mistral-", "o1-", "o3-", "o4-mini")
# A quoted model name of a hosted family; Bedrock ids carry a provider prefix and a suffix.
_MODEL_NAME = re.compile(
    r"""["'](?P<provider>[a-z]+\.)?((?:gpt|claude|gemini|mistral|o1|o3|o4)-[A-Za-z0-9.\-]{1,60}?)"""
    r"""(?:-v\d+(?::\d+)?)?["']"""
)
# Dated snapshots: OpenAI 2024-08-06, 0613 or 1106 (also before -preview: gpt-4-1106-preview),
# Anthropic 20241022, Gemini 002 or preview-05-06, Mistral 2407.
_DATED = re.compile(
    r"-(?:\d{4}-\d{2}-\d{2}|\d{8}|\d{4}|\d{3}|\d{2}-\d{2})(?:-(?:preview|exp|beta|alpha))?$"
)
# A parameter count (7b, 8x7b, 1.3B) names open weights run by the team itself (mistral-7b-
# instruct, gpt-oss-20b), not a hosted API's alias; Bedrock ids (provider prefix) stay hosted.
_OPEN_WEIGHTS = re.compile(r"-(?:\d+x)?\d+(?:\.\d+)?[bBmM](?:-|$)")
MAX_MODEL_LINE = 2_000  # longer lines are minified or generated data, not a model call


# Azure deployment templates (azd, ARM) set each model deployment's version as a parameter:
# "chatDeploymentVersion": {"value": "${AZURE_OPENAI_CHAT_DEPLOYMENT_VERSION=2024-08-06}"}.
ARM_PARAMETER_SUFFIX = ".parameters.json"
MAX_PARAMETER_FILES = 20
MAX_PARAMETER_BYTES = 256 * 1024
_VERSION_PARAMETER = re.compile(r"^(\w*?)(?:deployment|model)version$", re.IGNORECASE)
_ENVIRONMENT_DEFAULT = re.compile(r"^\$\{\w+(?:=([^}]*))?\}$")


def _parameter_value(value: object) -> str:
    """A parameter's value, or the default of ``${NAME=default}``; empty when unset."""
    if isinstance(value, dict):
        value = value.get("value")
    if not isinstance(value, str):
        return ""
    match = _ENVIRONMENT_DEFAULT.match(value.strip())
    if match:
        return (match.group(1) or "").strip()
    return "" if "$" in value else value.strip()


def deployed_model_versions(snapshot: RepositorySnapshot) -> list[tuple[str, str]]:
    """(model, path) for each model deployment whose parameters fix a version."""
    found = []
    for entry in snapshot.with_suffix(ARM_PARAMETER_SUFFIX)[:MAX_PARAMETER_FILES]:
        text = snapshot.read_text(entry, limit=MAX_PARAMETER_BYTES)
        try:
            data = json.loads(text) if text else None
        except (ValueError, RecursionError):
            continue
        parameters = data.get("parameters") if isinstance(data, dict) else None
        if not isinstance(parameters, dict):
            continue
        lowered = {key.lower(): value for key, value in parameters.items()}
        for key, value in parameters.items():
            match = _VERSION_PARAMETER.match(key)
            version = _parameter_value(value) if match else ""
            if not match or not version:
                continue
            prefix = match.group(1).lower()
            model = _parameter_value(lowered.get(f"{prefix}modelname")) or prefix or "model"
            found.append((f"{model} version {version}"[:120], entry.path))
    return found


def model_names(snapshot: RepositorySnapshot) -> list[tuple[str, bool, str, int | None]]:
    """(name, dated, path, line) for each hosted model named in code or configuration,
    JavaScript calling an LLM included."""
    found = []
    lines = [
        (hit.path, hit.line, hit.text)
        for hit in code_hits(snapshot, *MODEL_FAMILIES) + config_hits(snapshot, *MODEL_FAMILIES)
    ]
    lines += [
        (path, number, text)
        for path, number, text in js_llm_lines(snapshot, *MODEL_FAMILIES)
        if not text.startswith(("//", "/*", "*"))
    ]
    for path, line, text in lines:
        if len(text) > MAX_MODEL_LINE:
            continue
        for match in _MODEL_NAME.finditer(text):
            name = match.group(2)
            if not match.group("provider") and _OPEN_WEIGHTS.search(name):
                continue
            found.append((name, bool(_DATED.search(name)), path, line))
    # A deployment with a fixed version is pinned whatever its name says.
    found += [(name, True, path, None) for name, path in deployed_model_versions(snapshot)]
    return found


@register
def llm_model_pinning(snapshot: RepositorySnapshot) -> list[Finding]:
    """Hosted models named by dated snapshots or deployed at a fixed version (pinned), or by
    floating aliases.

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
                f"Every model named is pinned (a dated snapshot or version), such as {name}.",
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
                f"Some models are pinned, others named by floating aliases such as {name}.",
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


# JavaScript ingestion: a file of an LLM application that embeds documents and writes them.
JS_EMBEDDING_CALLS = ("embeddings.create(", "createEmbedding(", "embedDocuments(", "embedMany(")
JS_INDEX_WRITES = (
    ".upsert(",
    ".insert(",
    "addDocuments(",
    "fromDocuments(",
    "fromTexts(",
    "addVectors(",
    "upsertRecords(",
)


def js_ingestion_files(snapshot: RepositorySnapshot) -> list[str]:
    """JavaScript/TypeScript files that embed documents and write them to an index."""
    embedding = {path for path, _, _ in js_llm_lines(snapshot, *JS_EMBEDDING_CALLS)}
    writing = {path for path, _, _ in js_llm_lines(snapshot, *JS_INDEX_WRITES)}
    return sorted(path for path in embedding & writing if not is_test_path(path))


# A file run as a program: a ``__main__`` guard or a command-line parser.
SCRIPT_MAIN = keywords("__main__")
CLI_LIBRARIES = ("argparse", "click", "typer", "fire")
UI_FRAMEWORKS = ("streamlit", "gradio", "chainlit")
_INGESTION_NAME = re.compile(r"ingest|index|populate|build|refresh")


def ingestion_scripts(snapshot: RepositorySnapshot, files: list[str]) -> list[str]:
    """Programs that run an ingestion: the ingestion file itself or a script importing it
    (two imports away at most), when it is run as a program.

    An application that indexes what its users upload, or builds an index in memory when
    it starts, calls the same functions from a library module; that is no corpus refresh.
    """
    targets = set(files)
    mains = {h.path for h in code_hits(snapshot, *SCRIPT_MAIN) if "__name__" in h.text}
    clis = {s.path for s in files_importing(snapshot, *CLI_LIBRARIES)}
    # A web or UI application started from its own ``__main__`` serves; it is no script.
    apps = {s.path for s in files_importing(snapshot, *WEB_FRAMEWORKS, *UI_FRAMEWORKS)}
    # Scripts named for ingestion first, so the finding points at the likeliest one.
    programs = sorted(
        (p for p in (mains | clis) - apps if not is_test_path(p) and p.endswith(".py")),
        key=lambda path: (not _INGESTION_NAME.search(basename(path)), path),
    )
    return [
        path
        for path in programs
        if path in targets or import_chain(snapshot, path, targets, hops=2)
    ]


@register
def llm_retrieval_refresh(snapshot: RepositorySnapshot) -> list[Finding]:
    """The retrieval corpus re-ingested by a scheduled job (CI schedule or orchestrator), or by
    an ingestion script run by hand.

    Versioning of each index build usually lives in the vector store (a collection per build),
    which a repository cannot show; a scheduled ingestion is the automation it can show.
    """
    findings = _js_retrieval_refresh(snapshot)
    files = ingestion_files(snapshot)
    if not files:
        return findings
    invoked = invoked_scripts(snapshot)
    targets = set(files)
    for path in sorted(invoked):
        if path in targets or import_chain(snapshot, path, targets, hops=2):
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
    for path in ingestion_scripts(snapshot, files)[:1]:
        findings.append(
            finding(
                "retrieval_data_refresh",
                0.5,
                Strength.CODE,
                "A script ingests documents into the retrieval index; nothing shows it scheduled.",
                path,
            )
        )
    return findings


def _js_retrieval_refresh(snapshot: RepositorySnapshot) -> list[Finding]:
    """A JavaScript ingestion run by a ``package.json`` script: by every build (the corpus is
    re-indexed on each deploy), or by hand. Called from a route only, it indexes uploads."""
    for path in js_ingestion_files(snapshot):
        run = script_running(snapshot, path)
        if run is None:
            continue
        if run.on_build:
            reason = f"Every build re-ingests the retrieval corpus (the {run.script!r} script)."
        else:
            reason = (
                f"A script ({run.script!r}) ingests documents into the retrieval index;"
                " nothing shows it scheduled."
            )
        grade = 1 if run.on_build else 0.5
        return [finding("retrieval_data_refresh", grade, Strength.CODE, reason, run.manifest)]
    return []
