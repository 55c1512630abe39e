"""Detector table: what counts as an LLM application.

Given these files, the strongest evidence for the capability is this. The rows cover what counts as
an LLM application: JavaScript and TypeScript apps and their services and lock files, and agent SDKs
and toolkits declared rather than local modules of the same name. Each row is one small repository
in memory; ``None`` means no finding at all.
"""

import json

from .tables import CHAT, CODE, NAME, SK, TS_MANIFEST, TS_OPENAI, detector_table_test, row

TABLE = [
    row(
        "typescript-llm-app", {**TS_MANIFEST, "src/chat.ts": TS_OPENAI}, "version_control", 1, CODE
    ),
    row(
        "vercel-ai-sdk-app",
        {
            "package.json": '{"dependencies": {"ai": "^3", "@ai-sdk/openai": "^1"}}',
            "app/chat.tsx": "import { useChat } from 'ai/react'\n",
        },
        "version_control",
        1,
        CODE,
    ),
    row(
        "langchain-js-require",
        {
            "package.json": '{"devDependencies": {"@langchain/openai": "^0.3"}}',
            "index.cjs": "const { ChatOpenAI } = require('@langchain/openai')\n",
        },
        "version_control",
        1,
        CODE,
    ),
    # Not installed (no manifest), type declarations, built bundles: no LLM code of its own.
    row("typescript-without-manifest", {"src/chat.ts": TS_OPENAI}, "version_control", None, None),
    row(
        "typescript-declarations-and-bundles",
        {**TS_MANIFEST, "types/openai.d.ts": TS_OPENAI, "dist/bundle.js": TS_OPENAI},
        "version_control",
        None,
        None,
    ),
    row(
        "typescript-web-app-without-llm",
        {
            "package.json": '{"dependencies": {"react": "18.2.0"}}',
            "src/app.tsx": "import React from 'react'\n",
        },
        "version_control",
        None,
        None,
    ),
    row(
        "nextjs-api-route",
        {**TS_MANIFEST, "pages/api/chat.ts": TS_OPENAI},
        "prediction_service",
        1,
        CODE,
    ),
    row(
        "app-router-route",
        {**TS_MANIFEST, "app/api/chat/route.ts": TS_OPENAI},
        "prediction_service",
        1,
        CODE,
    ),
    row(
        "express-server",
        {**TS_MANIFEST, "server.js": "const express = require('express')\n" + TS_OPENAI},
        "prediction_service",
        1,
        CODE,
    ),
    # A client library in lib/api/ calls someone else's API; it serves nothing.
    row(
        "typescript-api-client",
        {**TS_MANIFEST, "frontend/lib/api/client.ts": TS_OPENAI},
        "prediction_service",
        None,
        None,
    ),
    row(
        "typescript-llm-lock-file",
        {**TS_MANIFEST, "src/chat.ts": TS_OPENAI, "pnpm-lock.yaml": "lockfileVersion: '6.0'\n"},
        "reproducible_environment",
        1,
        NAME,
    ),
    # A web front end's lock file says nothing about a Python model's environment, even when
    # the front end calls the model too.
    row(
        "llm-front-end-lock-file-beside-python-llm-code",
        {
            "agent.py": CHAT,
            "ui/package.json": json.dumps({"dependencies": {"openai": "^4.0.0"}}),
            "ui/chat.ts": TS_OPENAI,
            "ui/package-lock.json": "{}\n",
        },
        "reproducible_environment",
        None,
        None,
    ),
    row(
        "front-end-lock-file",
        {
            "train.py": SK,
            "frontend/package.json": '{"dependencies": {"react": "18.2.0"}}',
            "frontend/package-lock.json": "{}\n",
        },
        "reproducible_environment",
        None,
        None,
    ),
    # The OpenAI Agents SDK's module is ``agents``: it counts when the SDK is declared.
    row(
        "agents-sdk-app",
        {"requirements.txt": "openai-agents\n", "bot.py": "from agents import Agent, Runner\n"},
        "version_control",
        1,
        CODE,
    ),
    row(
        "agents-sdk-served",
        {
            "requirements.txt": "openai-agents\nfastapi\n",
            "airline/agents.py": "from agents import Agent\n",
            "main.py": "from fastapi import FastAPI\nfrom airline.agents import triage\n",
        },
        "prediction_service",
        1,
        CODE,
    ),
    row(
        "nemo-guardrails-app",
        {"app.py": "import streamlit as st\nfrom nemoguardrails import LLMRails, RailsConfig\n"},
        "prediction_service",
        0.5,
        CODE,
    ),
    row(
        "nemo-agent-toolkit-declared",
        {
            "requirements.txt": "nvidia-nat[langchain]~=1.3\n",
            "flow.py": "from nat.runtime.loader import load_workflow\n",
        },
        "version_control",
        1,
        CODE,
    ),
    row(
        "local-nat-module",
        {"nat.py": "def translate(a):\n    return a\n", "net.py": "from nat import translate\n"},
        "version_control",
        None,
        None,
    ),
    row(
        "local-agents-package",
        {"agents/__init__.py": "", "run.py": "from agents import Agent\n"},
        "version_control",
        None,
        None,
    ),
]

test_detector_table = detector_table_test(TABLE)
