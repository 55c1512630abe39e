"""The retrieval corpus: ingestion that refreshes a vector index."""

from __future__ import annotations

import re

from ...tree import RepositorySnapshot
from ..base import Finding, Strength, keywords, register
from ..ciconfig import invoked_scripts
from ..common import code_hits, finding
from ..imports import files_importing, import_chain
from ..javascript import js_llm_lines, script_running
from ..orchestration import orchestrated_files
from ..paths import basename, is_test_path
from ..servingcode import WEB_FRAMEWORKS

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
