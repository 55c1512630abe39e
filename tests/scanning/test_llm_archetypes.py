"""LLM applications as small synthetic git repositories, scanned end to end: one archetype per
capability with the practice and one without it, an LLM-only application that is ML code, and
hostile contents that stay inert."""

import json

import pytest

from assessments.scanning import scan_repository

from .gitrepo import make_repo

PASSWD_LINE = "root:x:0:0:"
CHAT = (
    "from openai import OpenAI\n\nclient = OpenAI()\n\n\ndef answer(question, prompt):\n"
    "    return client.chat.completions.create(model=MODEL, messages=[prompt, question])\n"
)
APP = {"app.py": "MODEL = 'gpt-4o-2024-08-06'\n" + CHAT}
ON_PR = "on: [push, pull_request]\njobs:\n  e:\n    runs-on: ubuntu-latest\n    steps:\n"
NIGHTLY = (
    "on:\n  schedule:\n    - cron: '0 3 * * *'\njobs:\n  refresh:\n    runs-on: ubuntu-latest\n"
    "    steps:\n"
)
INGEST = (
    "from langchain_chroma import Chroma\n\n\ndef refresh(documents, embeddings):\n"
    "    Chroma.from_documents(documents, embeddings, collection_name='docs-2026-12')\n"
)


def scan(tmp_path, files, **options):
    return scan_repository(str(make_repo(tmp_path / "repo", files, **options)))


def verdict(report, key):
    """(grade, strength) of the capability in the report; None when the scan says nothing."""
    found = next((c for c in report.capabilities if c.key == key), None)
    if found is None:
        assert key in report.unknown  # observable only partly: silence is "not visible"
        return None
    return (found.grade, found.strength.label if found.strength else None)


ARCHETYPES = [
    # (name, files added to the application, capability, expected verdict)
    (
        "prompts-dir",
        {"prompts/answer.jinja": "Answer {{ question }}.\n"},
        "prompt_versioning",
        (1.0, "file_name"),
    ),
    ("prompts-inline", {}, "prompt_versioning", None),
    (
        "promptfoo-gate",
        {
            "promptfooconfig.yaml": "prompts: [prompts/answer.txt]\ntests: []\n",
            ".github/workflows/eval.yml": ON_PR + "      - run: npx promptfoo@latest eval\n",
        },
        "llm_evaluation",
        (1.0, "ci_config"),
    ),
    (
        "deepeval-run-by-hand",
        {
            "evals/test_answers.py": "from deepeval import assert_test\n\n\ndef test_a():\n"
            "    assert_test(c, m)\n"
        },
        "llm_evaluation",
        (0.5, "code"),
    ),
    ("no-evaluation", {}, "llm_evaluation", None),
    (
        "nemo-guardrails",
        {
            "guard.py": "from nemoguardrails import LLMRails, RailsConfig\n\n"
            "rails = LLMRails(RailsConfig.from_path('rails'))\n"
        },
        "guardrails",
        (1.0, "code"),
    ),
    ("no-guardrails", {}, "guardrails", None),
    (
        "langfuse-traced",
        {
            "tracing.py": "from langfuse.decorators import observe\n\n\n@observe()\n"
            "def traced():\n    pass\n"
        },
        "llm_tracing",
        (1.0, "code"),
    ),
    ("no-tracing", {}, "llm_tracing", None),
    ("dated-snapshot", {}, "llm_model_pinning", (1.0, "code")),
    ("floating-alias", {"app.py": "MODEL = 'gpt-4o'\n" + CHAT}, "llm_model_pinning", (0.0, "code")),
    (
        "nightly-reindex",
        {
            "ingest.py": INGEST,
            ".github/workflows/refresh.yml": NIGHTLY + "      - run: python ingest.py\n",
        },
        "retrieval_data_refresh",
        (1.0, "ci_config"),
    ),
    (
        "reindex-by-hand",
        {"ingest.py": INGEST + "\n\nif __name__ == '__main__':\n    refresh([], None)\n"},
        "retrieval_data_refresh",
        (0.5, "code"),
    ),
    ("index-built-inside-the-app", {"ingest.py": INGEST}, "retrieval_data_refresh", None),
    ("no-retrieval", {}, "retrieval_data_refresh", None),
]


@pytest.mark.parametrize(
    ("files", "capability", "expected"),
    [
        pytest.param(files, capability, expected, id=name)
        for name, files, capability, expected in ARCHETYPES
    ],
)
def test_llm_archetype(tmp_path, files, capability, expected):
    report = scan(tmp_path, {**APP, **files})
    assert report.inconclusive is False
    assert verdict(report, capability) == expected


def test_absent_llm_practices_do_not_lower_a_classic_ml_repository(tmp_path):
    report = scan(
        tmp_path, {"train.py": "from sklearn.linear_model import Ridge\nmodel = Ridge()\n"}
    )
    llm = {
        "prompt_versioning",
        "llm_evaluation",
        "guardrails",
        "llm_tracing",
        "llm_model_pinning",
        "retrieval_data_refresh",
    }
    assert llm <= set(report.unknown)
    assert report.dimensions["llm_applications"] is None


@pytest.mark.parametrize(
    "files",
    [
        pytest.param(APP, id="openai-sdk"),
        pytest.param(
            {
                "chain.py": "from langchain_anthropic import ChatAnthropic\n"
                "llm = ChatAnthropic(model=m)\n"
            },
            id="langchain",
        ),
        pytest.param(
            {"rag.py": "from llama_index.core import VectorStoreIndex\n"}, id="llama-index"
        ),
        pytest.param(
            {
                "gen.py": "from transformers import pipeline\n"
                "generate = pipeline('text-generation')\n"
            },
            id="transformers-pipeline",
        ),
        pytest.param({"serve.py": "from vllm import LLM\nllm = LLM(model=m)\n"}, id="vllm"),
        pytest.param(
            {"x.py": "import litellm\nlitellm.completion(model=m, messages=[])\n"}, id="litellm"
        ),
        pytest.param(
            {
                "client.py": "import httpx\n\nURL = 'https://api.anthropic.com/v1/messages'\n\n"
                "\ndef ask(body):\n    return httpx.post(URL, json=body)\n"
            },
            id="anthropic-over-http",
        ),
        pytest.param(
            {
                "client.py": "import requests\n"
                "requests.post('https://api.openai.com/v1/chat/completions', json={})\n"
            },
            id="openai-over-http",
        ),
    ],
)
def test_an_llm_only_application_is_ml_code(tmp_path, files):
    report = scan(tmp_path, files)
    assert report.inconclusive is False
    assert "no_ml_code" not in report.flags


TS_PACKAGE = json.dumps(
    {
        "scripts": {"build": "pnpm run embeddings && next build", "embeddings": "tsx lib/embed.ts"},
        "dependencies": {"openai": "^4.0.0", "@supabase/supabase-js": "^2.0.0", "next": "14.0.0"},
    }
)
TS_ROUTE = (
    "import OpenAI from 'openai'\n\nconst openai = new OpenAI()\n\n"
    "export default async function handler(req) {\n"
    "  const moderation = await openai.moderations.create({ input: req.body.q })\n"
    "  return openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [] })\n}\n"
)
TS_EMBED = (
    "import OpenAI from 'openai'\nimport { createClient } from '@supabase/supabase-js'\n\n"
    "const e = await openai.embeddings.create({ model: 'text-embedding-3-small', input })\n"
    "await supabase.from('sections').upsert({ content, embedding: e.data[0].embedding })\n"
)


def test_a_typescript_llm_application_is_ml_code_and_read_as_one(tmp_path):
    report = scan(
        tmp_path,
        {
            "package.json": TS_PACKAGE,
            "pnpm-lock.yaml": "lockfileVersion: '6.0'\n",
            "pages/api/search.ts": TS_ROUTE,
            "lib/embed.ts": TS_EMBED,
            "components/Search.tsx": "import { useCompletion } from 'ai/react'\n",
        },
    )
    assert report.inconclusive is False
    assert "no_ml_code" not in report.flags
    assert verdict(report, "prediction_service") == (1.0, "code")
    assert verdict(report, "guardrails") == (0.5, "code")
    assert verdict(report, "retrieval_data_refresh") == (1.0, "code")
    assert verdict(report, "reproducible_environment") == (1.0, "file_name")
    assert verdict(report, "llm_model_pinning") == (0.0, "code")


def test_an_openai_agents_sdk_application_is_ml_code(tmp_path):
    report = scan(
        tmp_path,
        {
            "backend/requirements.txt": "openai-agents\nfastapi\n",
            "backend/airline/agents.py": "from agents import Agent\n\n"
            "triage = Agent(name='triage', model='gpt-4.1')\n",
            "backend/airline/guardrails.py": "from agents import input_guardrail\n\n\n"
            "@input_guardrail\nasync def relevance(context, agent, text):\n    return None\n",
            "backend/main.py": "from fastapi import FastAPI\n\nfrom airline.agents import triage\n",
        },
    )
    assert report.inconclusive is False
    assert verdict(report, "prediction_service") == (1.0, "code")
    assert verdict(report, "guardrails") == (0.5, "code")


def test_a_local_agents_package_is_not_the_agents_sdk(tmp_path):
    report = scan(
        tmp_path,
        {
            "agents/__init__.py": "",
            "agents/planner.py": "def plan():\n    return []\n",
            "run.py": "from agents import planner\n",
        },
    )
    assert report.inconclusive is True
    assert "no_ml_code" in report.flags


@pytest.mark.parametrize(
    "manifest",
    [
        pytest.param("[" * 100_000 + "]" * 100_000, id="deeply-nested"),
        pytest.param('["openai"]', id="a-list"),
        pytest.param('{"dependencies": ["openai"]}', id="dependencies-a-list"),
        pytest.param('{"dependencies": {"openai": "^4"}, "scripts": 5}', id="scripts-a-number"),
        pytest.param("{not json", id="malformed"),
        pytest.param(b"\x00\xff" * 4096, id="binary"),
    ],
)
def test_hostile_package_manifests_never_break_the_scan(tmp_path, manifest):
    report = scan(
        tmp_path,
        {
            "package.json": manifest,
            "pages/api/chat.ts": TS_ROUTE,
            "lib/embed.ts": TS_EMBED,
            "train.py": "from sklearn.linear_model import Ridge\n",
        },
    )
    assert report.inconclusive is False  # train.py is ML code whatever the manifest holds


def test_an_oversized_typescript_file_is_not_read(tmp_path):
    filler = "// " + "x" * 1_000 + "\n"
    report = scan(
        tmp_path,
        {
            "package.json": TS_PACKAGE,
            "src/huge.ts": filler * 300 + "import OpenAI from 'openai'\n",
        },
    )
    assert report.inconclusive is True


def test_an_llm_endpoint_named_only_in_a_comment_or_the_readme_is_not_ml_code(tmp_path):
    report = scan(
        tmp_path,
        {
            "app.py": "import flask\n# see https://api.openai.com/v1/chat/completions\n",
            "README.md": "Calls https://api.openai.com/v1/chat/completions with gpt-4o.\n",
        },
    )
    assert report.inconclusive is True
    assert "no_ml_code" in report.flags


def test_hostile_llm_files_stay_inert(tmp_path):
    marker = tmp_path / "pwned"
    report = scan(
        tmp_path,
        {
            **APP,
            # Never rendered: a template that would run code if it were.
            "prompts/evil.jinja": "{{ cycler.__init__.__globals__.os.system('touch "
            + str(marker)
            + "') }}\n",
            # Never loaded with an unsafe loader.
            "promptfooconfig.yaml": f"!!python/object/apply:os.system ['touch {marker}']\n",
            # A megabyte of model-name prefixes on one line costs nothing and names no model.
            "data/blob.py": "x = '" + "gpt-" * 250_000 + "'\n",
            "x.prompt": b"\x00\xff" * 2048,
            "README.md": "We use 'gpt-4o' and 'claude-3-opus-latest'.\n",
        },
        symlinks={"prompts/system.md": "/etc/passwd", "guard.py": "/etc/passwd"},
    )
    assert not marker.exists()
    text = json.dumps(report.to_dict()) + "".join(f.reason for f in report.findings)
    assert PASSWD_LINE not in text
    assert "prompts/system.md" not in {f.path for f in report.findings}
    assert verdict(report, "llm_model_pinning") == (1.0, "code")  # the README counts for nothing
    assert verdict(report, "guardrails") is None
