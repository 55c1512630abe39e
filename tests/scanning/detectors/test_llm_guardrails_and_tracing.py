"""Detector table: LLM guardrails and tracing.

Given these files, the strongest evidence for the capability is this. The rows cover LLM
applications' guardrails and tracing. Each row is one small repository in memory; ``None`` means no
finding at all.
"""

from .tables import CHAT, CODE, TS_MANIFEST, TS_OPENAI, detector_table_test, row

LLM_GUARD = "from llm_guard import scan_output, scan_prompt\n"
AGENTS_GUARD = (
    "from agents import Agent, GuardrailFunctionOutput, input_guardrail\n"
    "@input_guardrail\nasync def relevance(ctx, agent, text):\n"
    "    return GuardrailFunctionOutput(output_info=None, tripwire_triggered=False)\n"
)
LC_MIDDLEWARE = "from langchain.agents.middleware import AgentMiddleware\n"


TABLE = [
    row(
        "guardrails-ai",
        {"app.py": "from guardrails import Guard\nguard = Guard().use(ToxicLanguage)\n"},
        "guardrails",
        1,
        CODE,
    ),
    row(
        "llm-guard-both-sides",
        {"app.py": LLM_GUARD + "scan_prompt(i, p)\nscan_output(o, p, r)\n"},
        "guardrails",
        1,
        CODE,
    ),
    row(
        "llm-guard-input-only",
        {"app.py": LLM_GUARD + "scan_prompt(i, p)\n"},
        "guardrails",
        0.5,
        CODE,
    ),
    row(
        "nemo-guardrails",
        {"rails.py": "from nemoguardrails import LLMRails, RailsConfig\nrails = LLMRails(c)\n"},
        "guardrails",
        1,
        CODE,
    ),
    row(
        "agents-sdk-input-guardrail",
        {"requirements.txt": "openai-agents\n", "guard.py": AGENTS_GUARD},
        "guardrails",
        0.5,
        CODE,
    ),
    row(
        "agents-sdk-guardrails-both-sides",
        {
            "requirements.txt": "openai-agents\n",
            "guard.py": AGENTS_GUARD + "@output_guardrail\nasync def no_pii(c, a, o): ...\n",
        },
        "guardrails",
        1,
        CODE,
    ),
    row(
        "agents-sdk-without-guardrails",
        {"requirements.txt": "openai-agents\n", "bot.py": "from agents import Agent, Runner\n"},
        "guardrails",
        None,
        None,
    ),
    # The project's own guardrails.py imported relatively is not the Guardrails AI library.
    row(
        "local-guardrails-module",
        {
            "app/guardrails.py": "def check(text):\n    return text\n",
            "app/chat.py": CHAT + "from .guardrails import check\n",
        },
        "guardrails",
        None,
        None,
    ),
    row(
        "langchain-guard-middleware",
        {"mw.py": LC_MIDDLEWARE + "class GuardrailsMiddleware(AgentMiddleware):\n    pass\n"},
        "guardrails",
        0.5,
        CODE,
    ),
    row(
        "langchain-other-middleware",
        {"mw.py": LC_MIDDLEWARE + "class RetryMiddleware(AgentMiddleware):\n    pass\n"},
        "guardrails",
        None,
        None,
    ),
    row(
        "typescript-moderation",
        {
            **TS_MANIFEST,
            "pages/api/chat.ts": TS_OPENAI
            + "const m = await openai.moderations.create({ input })\n",
        },
        "guardrails",
        0.5,
        CODE,
    ),
    row(
        "typescript-moderation-without-manifest",
        {"pages/api/chat.ts": TS_OPENAI + "const m = await openai.moderations.create({ input })\n"},
        "guardrails",
        None,
        None,
    ),
    row("no-guardrails", {"app.py": CHAT}, "guardrails", None, None),
    row(
        "langfuse-observe",
        {"app.py": "from langfuse.decorators import observe\n@observe()\ndef answer(q): pass\n"},
        "llm_tracing",
        1,
        CODE,
    ),
    row(
        "langsmith-env",
        {"deploy/app.yaml": "env:\n  - name: LANGCHAIN_TRACING_V2\n    value: 'true'\n"},
        "llm_tracing",
        1,
        CODE,
    ),
    row(
        "openinference",
        {
            "otel.py": "from openinference.instrumentation.openai import OpenAIInstrumentor\n"
            "OpenAIInstrumentor().instrument()\n"
        },
        "llm_tracing",
        1,
        CODE,
    ),
    row(
        "prompty-tracer",
        {
            "chat.py": "from prompty.tracer import trace, Tracer, PromptyTracer\n"
            "Tracer.add('PromptyTracer', PromptyTracer().tracer)\n@trace\ndef answer(q): pass\n"
        },
        "llm_tracing",
        1,
        CODE,
    ),
    row(
        "prompty-trace-decorator-without-a-tracer",
        {"chat.py": "from prompty.tracer import trace\n@trace\ndef answer(q): pass\n"},
        "llm_tracing",
        0.5,
        CODE,
    ),
    row("no-tracing", {"app.py": CHAT}, "llm_tracing", None, None),
]

test_detector_table = detector_table_test(TABLE)
