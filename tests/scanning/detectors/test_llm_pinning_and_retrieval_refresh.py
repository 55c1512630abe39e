"""Detector table: LLM model pinning and retrieval refresh.

Given these files, the strongest evidence for the capability is this. The rows cover LLM
applications' model pinning (dated snapshots, deployment templates, self-hosted weights) and the
refresh of their retrieval corpus. Each row is one small repository in memory; ``None`` means no
finding at all.
"""

import json

from .tables import CHAT, CI, CODE, TS_MANIFEST, TS_OPENAI, detector_table_test, row, ts_manifest


def CHAT_WITH(model):  # noqa: N802 - reads as the constant it builds
    return CHAT + f"client.chat.completions.create(model='{model}', messages=[])\n"


PINNING = ("llm_model_pinning",)
MAIN_GUARD = "\nif __name__ == '__main__':\n    main()\n"
TS_INGEST = (
    TS_OPENAI + "import { createClient } from '@supabase/supabase-js'\n"
    "const e = await openai.embeddings.create({ model: 'text-embedding-3-small', input })\n"
    "await supabase.from('sections').upsert({ content, embedding: e.data[0].embedding })\n"
)
BUILD_EMBEDS = {"build": "pnpm run embeddings && next build", "embeddings": "tsx lib/embed.ts"}


def arm_parameters(version):
    parameters = {
        "chatModelName": {"value": "${AZURE_OPENAI_CHAT_MODEL=gpt-4o}"},
        "chatDeploymentVersion": {"value": version},
    }
    return {"infra/main.parameters.json": json.dumps({"parameters": parameters})}


INGEST = (
    "import chromadb\nfrom langchain_chroma import Chroma\n"
    "Chroma.from_documents(documents, embeddings, collection_name='docs')\n"
)


TABLE = [
    row("dated-models", {"app.py": CHAT_WITH("gpt-4o-2024-08-06")}, *PINNING, 1, CODE),
    row("anthropic-dated", {"app.py": CHAT_WITH("claude-3-5-sonnet-20241022")}, *PINNING, 1, CODE),
    row(
        "bedrock-dated",
        {"app.py": CHAT_WITH("anthropic.claude-3-5-sonnet-20241022-v2:0")},
        *PINNING,
        1,
        CODE,
    ),
    row(
        "mixed-models",
        {"app.py": CHAT_WITH("gpt-4o-2024-08-06"), "config.yaml": "model: 'gpt-4o-mini'\n"},
        *PINNING,
        0.5,
        CODE,
    ),
    row("floating-model", {"app.py": CHAT_WITH("gpt-4o")}, *PINNING, 0, CODE),
    row("latest-alias", {"app.py": CHAT_WITH("claude-3-5-sonnet-latest")}, *PINNING, 0, CODE),
    row("model-in-comment", {"app.py": CHAT + "# try 'gpt-4o' later\n"}, *PINNING, None, None),
    # Dated snapshots in their other forms: month-day before -preview, MMDD, Gemini's MM-DD.
    row("openai-month-day-preview", {"app.py": CHAT_WITH("gpt-4-1106-preview")}, *PINNING, 1, CODE),
    row("openai-month-day", {"app.py": CHAT_WITH("gpt-3.5-turbo-0613")}, *PINNING, 1, CODE),
    row(
        "gemini-preview-month-day",
        {"app.py": CHAT_WITH("gemini-2.5-pro-preview-05-06")},
        *PINNING,
        1,
        CODE,
    ),
    row("undated-preview", {"app.py": CHAT_WITH("gpt-4-vision-preview")}, *PINNING, 0, CODE),
    # An Azure deployment template fixing each model deployment's version pins it.
    row(
        "azure-deployment-version",
        {"app.py": CHAT, **arm_parameters("${AZURE_OPENAI_CHAT_DEPLOYMENT_VERSION=2024-08-06}")},
        *PINNING,
        1,
        CODE,
    ),
    row(
        "azure-deployment-version-and-floating-fallback",
        {"app.py": CHAT_WITH("gpt-4o"), **arm_parameters("2024-08-06")},
        *PINNING,
        0.5,
        CODE,
    ),
    row(
        "azure-deployment-version-left-to-the-environment",
        {"app.py": CHAT, **arm_parameters("${AZURE_OPENAI_CHAT_DEPLOYMENT_VERSION}")},
        *PINNING,
        None,
        None,
    ),
    row(
        "azure-parameters-malformed",
        {"app.py": CHAT, "infra/main.parameters.json": "[" * 50_000},
        *PINNING,
        None,
        None,
    ),
    # Open weights the team runs itself are no hosted alias that changes under it.
    row("self-hosted-mistral", {"app.py": CHAT_WITH("mistral-7b-instruct")}, *PINNING, None, None),
    row("self-hosted-gpt-oss", {"app.py": CHAT_WITH("gpt-oss-20b")}, *PINNING, None, None),
    row("self-hosted-mixtral", {"app.py": CHAT_WITH("mistral-8x7b-v0.1")}, *PINNING, None, None),
    row(
        "scheduled-ingestion",
        {
            "ingest.py": INGEST,
            ".github/workflows/refresh.yml": "on:\n  schedule:\n    - cron: '0 3 * * *'\n"
            "jobs:\n  i:\n    runs-on: ubuntu-latest\n    steps:\n      - run: python ingest.py\n",
        },
        "retrieval_data_refresh",
        1,
        CI,
    ),
    row(
        "orchestrated-ingestion",
        {"ingest.py": "from prefect import flow\n" + INGEST},
        "retrieval_data_refresh",
        1,
        CODE,
    ),
    row(
        "ingestion-by-hand",
        {"ingest.py": INGEST + MAIN_GUARD},
        "retrieval_data_refresh",
        0.5,
        CODE,
    ),
    row(
        "ingestion-command-importing-the-store",
        {"store.py": INGEST, "build_index.py": "import argparse\nfrom store import Chroma\n"},
        "retrieval_data_refresh",
        0.5,
        CODE,
    ),
    row(
        "scheduled-ingestion-importing-the-store",
        {
            "store.py": INGEST,
            "ingest.py": "from store import Chroma\n",
            ".github/workflows/refresh.yml": "on:\n  schedule:\n    - cron: '0 3 * * *'\n"
            "jobs:\n  i:\n    runs-on: ubuntu-latest\n    steps:\n      - run: python ingest.py\n",
        },
        "retrieval_data_refresh",
        1,
        CI,
    ),
    # An application indexing its users' uploads, or a library module nothing runs: no corpus
    # refresh at all.
    row(
        "ingestion-on-upload",
        {
            "store.py": INGEST,
            "api.py": "from fastapi import FastAPI\nfrom store import Chroma\n" + MAIN_GUARD,
        },
        "retrieval_data_refresh",
        None,
        None,
    ),
    row(
        "ingestion-in-a-library-module", {"ingest.py": INGEST}, "retrieval_data_refresh", None, None
    ),
    row(
        "typescript-ingestion-on-every-build",
        {**ts_manifest(BUILD_EMBEDS), "lib/embed.ts": TS_INGEST},
        "retrieval_data_refresh",
        1,
        CODE,
    ),
    row(
        "typescript-ingestion-by-hand",
        {**ts_manifest({"embeddings": "tsx lib/embed.ts"}), "lib/embed.ts": TS_INGEST},
        "retrieval_data_refresh",
        0.5,
        CODE,
    ),
    row(
        "typescript-ingestion-from-a-route",
        {**TS_MANIFEST, "pages/api/upload.ts": TS_INGEST},
        "retrieval_data_refresh",
        None,
        None,
    ),
]

test_detector_table = detector_table_test(TABLE)
