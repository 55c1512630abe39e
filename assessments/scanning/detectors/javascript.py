"""LLM code in JavaScript and TypeScript: a web application calling a hosted model.

The line index covers Python and configuration only, so JavaScript is read here, apart and
bounded: only when a ``package.json`` declares an LLM package (OpenAI, Anthropic, LangChain,
LlamaIndex, the Vercel AI SDK...), and then only the first few hundred small source files,
never minified or built bundles. Contents are untrusted: manifests are parsed as JSON with a
size cap and odd shapes are skipped; source files are only searched with fixed patterns.
"""

from __future__ import annotations

import json
import re
from typing import NamedTuple

from ..tree import RepositorySnapshot
from .paths import basename, is_test_path

# Packages whose import marks a file as LLM code, by exact name or scope.
JS_LLM_PACKAGES = frozenset(
    {
        "openai",
        "openai-edge",
        "@anthropic-ai/sdk",
        "@anthropic-ai/bedrock-sdk",
        "@anthropic-ai/vertex-sdk",
        "@aws-sdk/client-bedrock-runtime",
        "langchain",
        "llamaindex",
        "ai",
        "cohere-ai",
        "@mistralai/mistralai",
        "groq-sdk",
        "ollama",
        "replicate",
        "@google/generative-ai",
        "@google/genai",
        "@google-cloud/vertexai",
        "@huggingface/inference",
        "@openai/agents",
    }
)
JS_LLM_SCOPES = ("@langchain/", "@llamaindex/", "@ai-sdk/", "@pinecone-database/")
JS_SUFFIXES = (".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".mts", ".cts")
# Build output and bundles: code generated from the sources, or a copy of a library.
BUILT_SEGMENTS = frozenset({"dist", "build", "out", ".next", ".nuxt", ".output", "coverage"})
MANIFEST_KEYS = ("dependencies", "devDependencies", "peerDependencies", "optionalDependencies")
MAX_MANIFEST_BYTES = 512 * 1024
MAX_SOURCE_BYTES = 256 * 1024
MAX_SOURCE_FILES = 400
MAX_MANIFESTS = 50
MAX_SPECIFIER = 200
MAX_COMMAND = 1_000

# ``import x from "pkg"``, ``import "pkg"``, ``export ... from "pkg"``, ``require("pkg")``,
# ``import("pkg")``: the package a file loads, in either quote style. The line's indent is
# spaces and tabs only: ``^\s*`` would rescan every run of blank lines from each line start.
_IMPORT_SPECIFIER = re.compile(
    r"""(?:\bfrom\s*|\brequire\s*\(\s*|\bimport\s*\(\s*|^[ \t]*import\s+)"""
    r"""(["'])([^"'\n]{1,200})\1""",
    re.MULTILINE,
)


class JsImport(NamedTuple):
    """Where a JavaScript or TypeScript file loads an LLM package."""

    path: str
    package: str
    line: int


def is_llm_package(specifier: str) -> bool:
    """True for an LLM package or one of its subpaths (``ai/react``, ``openai/resources``)."""
    if specifier.startswith(JS_LLM_SCOPES):
        return True
    if specifier.startswith("@"):
        name = "/".join(specifier.split("/")[:2])
    else:
        name = specifier.split("/")[0]
    return name in JS_LLM_PACKAGES


def manifests(snapshot: RepositorySnapshot) -> list[tuple[str, dict[str, object]]]:
    """(path, parsed object) of each readable ``package.json``; malformed ones are skipped."""

    def compute() -> list[tuple[str, dict[str, object]]]:
        found = []
        for entry in snapshot.named("package.json")[:MAX_MANIFESTS]:
            text = snapshot.read_text(entry, limit=MAX_MANIFEST_BYTES)
            try:
                manifest = json.loads(text) if text else None
            except (ValueError, RecursionError):  # deep nesting is a hostile manifest
                continue
            if isinstance(manifest, dict):
                found.append((entry.path, manifest))
        return found

    return snapshot.memo("js_manifests", compute)


def llm_dependencies(snapshot: RepositorySnapshot) -> list[tuple[str, str]]:
    """(manifest path, package) for each LLM package a ``package.json`` declares."""

    def compute() -> list[tuple[str, str]]:
        found = []
        for path, manifest in manifests(snapshot):
            for key in MANIFEST_KEYS:
                declared = manifest.get(key)
                if not isinstance(declared, dict):
                    continue
                for name in declared:
                    if (
                        isinstance(name, str)
                        and len(name) <= MAX_SPECIFIER
                        and is_llm_package(name)
                    ):
                        found.append((path, name))
        return found

    return snapshot.memo("js_llm_dependencies", compute)


def manifest_scripts(snapshot: RepositorySnapshot) -> list[tuple[str, str, str]]:
    """(manifest path, script name, command) for each ``scripts`` entry."""
    found = []
    for path, manifest in manifests(snapshot):
        scripts = manifest.get("scripts")
        if not isinstance(scripts, dict):
            continue
        for name, command in scripts.items():
            if isinstance(name, str) and isinstance(command, str):
                found.append((path, name, command[:MAX_COMMAND]))
    return found


def _is_source(path: str) -> bool:
    lower = path.lower()
    if not lower.endswith(JS_SUFFIXES) or lower.endswith((".d.ts", ".d.mts", ".d.cts")):
        return False
    if ".min." in basename(lower) or ".bundle." in basename(lower):
        return False
    return not any(part in BUILT_SEGMENTS for part in lower.split("/")[:-1])


def js_llm_imports(snapshot: RepositorySnapshot) -> list[JsImport]:
    """The first LLM package import of each JavaScript/TypeScript source file, read only when
    a manifest declares an LLM package (a package used without a manifest is not installed)."""

    def compute() -> list[JsImport]:
        if not llm_dependencies(snapshot):
            return []
        sources = [e for e in snapshot.evidence if _is_source(e.path)]
        # Application code before tests, so the cap keeps what matters.
        sources.sort(key=lambda e: (is_test_path(e.path), e.path))
        found = []
        for entry in sources[:MAX_SOURCE_FILES]:
            text = snapshot.read_text(entry, limit=MAX_SOURCE_BYTES)
            if not text:
                continue
            for match in _IMPORT_SPECIFIER.finditer(text):
                if is_llm_package(match.group(2)):
                    line = text.count("\n", 0, match.start(2)) + 1
                    found.append(JsImport(entry.path, match.group(2), line))
                    break
        return sorted(found)

    return snapshot.memo("js_llm_imports", compute)


# Server routes by the conventions of Next.js (pages/api, app/**/route.ts), Nuxt (server/api),
# serverless functions (a top-level api/ folder) and SvelteKit (+server.ts). A lib/api/ folder
# is usually a client of someone else's API, so only these exact places count.
_API_ROUTE = re.compile(
    r"(^|/)(pages/api|server/api|server/routes)/|^api/|(^|/)(route|\+server)\.[cm]?[jt]sx?$"
)
# Server frameworks: a file importing one of them and an LLM package answers requests with it.
_SERVER_IMPORT = re.compile(
    r"""(?:\bfrom\s*|\brequire\s*\(\s*)["'](?:express|fastify|hono|koa|@nestjs/[\w-]+)["']"""
)


def js_api_routes(snapshot: RepositorySnapshot) -> list[JsImport]:
    """LLM-calling JavaScript files that are server routes (not code run in the browser)."""
    routes = []
    for site in js_llm_imports(snapshot):
        if is_test_path(site.path):
            continue
        text = snapshot.read_text(site.path, limit=MAX_SOURCE_BYTES) or ""
        if _API_ROUTE.search(site.path.lower()) or _SERVER_IMPORT.search(text):
            routes.append(site)
    return routes


def js_llm_lines(snapshot: RepositorySnapshot, *patterns: str) -> list[tuple[str, int, str]]:
    """(path, line, text) of the lines of LLM-calling JavaScript files holding a pattern."""
    found = []
    for site in js_llm_imports(snapshot):
        text = snapshot.read_text(site.path, limit=MAX_SOURCE_BYTES) or ""
        for number, line in enumerate(text.splitlines(), start=1):
            if any(pattern in line for pattern in patterns):
                found.append((site.path, number, line.strip()[:400]))
    return found


# Scripts a deployment runs: whatever they run, runs on every build without anyone starting it.
BUILD_SCRIPTS = frozenset({"build", "prebuild", "postbuild", "deploy", "predeploy", "postdeploy"})
_RUN_SCRIPT = re.compile(r"\b(?:npm|pnpm|yarn|bun)\s+(?:run(?:-script)?\s+)?([\w:.-]+)")


class ScriptRun(NamedTuple):
    """A ``package.json`` script that runs a source file, and whether a build runs it."""

    manifest: str
    script: str
    on_build: bool


def script_running(snapshot: RepositorySnapshot, path: str) -> ScriptRun | None:
    """The ``package.json`` script that runs ``path`` (``tsx lib/embed.ts``), preferring one a
    build script runs directly or through one ``npm run`` of another script."""
    found = None
    for manifest, name, command in manifest_scripts(snapshot):
        folder = manifest.rsplit("/", 1)[0] + "/" if "/" in manifest else ""
        if not path.startswith(folder):
            continue
        relative = path[len(folder) :]
        if not re.search(rf"(?:^|[\s./]){re.escape(relative)}(?:$|[\s;&|])", command):
            continue
        siblings = {s: c for m, s, c in manifest_scripts(snapshot) if m == manifest}
        builds = [
            build
            for build in BUILD_SCRIPTS & set(siblings)
            if build == name or name in _RUN_SCRIPT.findall(siblings[build])
        ]
        if builds:
            return ScriptRun(manifest, name, True)
        found = found or ScriptRun(manifest, name, False)
    return found
