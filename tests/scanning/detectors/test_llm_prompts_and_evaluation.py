"""Detector table: LLM prompts and evaluation.

Given these files, the strongest evidence for the capability is this. The rows cover LLM
applications' prompt versioning and evaluation. Each row is one small repository in memory; ``None``
means no finding at all.
"""

from .tables import CHAT, CI, CODE, GH_ON_PR, GH_TESTS, NAME, detector_table_test, row

PROMPTS = ("prompt_versioning",)
PROMPT_MD = {"prompts/answer.md": "Answer {q}.\n"}
DEEPEVAL_TEST = (
    "from deepeval import assert_test\nfrom deepeval.metrics import AnswerRelevancyMetric\n"
    "def test_answer():\n    assert_test(case, [AnswerRelevancyMetric(threshold=0.7)])\n"
)


TABLE = [
    row(
        "prompt-files-the-code-loads",
        {"app.py": CHAT + "TEMPLATE = open('prompts/answer.md').read()\n", **PROMPT_MD},
        *PROMPTS,
        1,
        NAME,
    ),
    row(
        "prompts-folder-joined-to-a-path",
        {"app.py": CHAT + "FOLDER = Path(__file__).parent / 'prompts'\n", **PROMPT_MD},
        *PROMPTS,
        1,
        NAME,
    ),
    row(
        "prompts-folder-named-in-configuration",
        {"app.py": CHAT, "config.yaml": "prompt_dir: prompts/\n", **PROMPT_MD},
        *PROMPTS,
        1,
        NAME,
    ),
    # Markdown in a prompts/ folder nothing loads: notes about prompting, not prompts.
    row("prompt-notes-nothing-loads", {"app.py": CHAT, **PROMPT_MD}, *PROMPTS, None, None),
    row(
        "planning-notes-in-notes-prompts",
        {"app.py": CHAT, "notes/prompts/plans/ui-plan.md": "# Plan\n"},
        *PROMPTS,
        None,
        None,
    ),
    row(
        "prompts-data-file",
        {"app.py": CHAT, "rails/prompts.yml": "prompts:\n  - task: self_check_input\n"},
        *PROMPTS,
        1,
        NAME,
    ),
    row(
        "prompts-data-file-in-tests",
        {"app.py": CHAT, "tests/test_prompts.json": "[]\n"},
        *PROMPTS,
        None,
        None,
    ),
    row(
        "prompt-template-format",
        {"app.py": CHAT, "prompts/answer.j2": "Answer {{ q }}.\n"},
        *PROMPTS,
        1,
        NAME,
    ),
    row("prompty-file", {"app.py": CHAT, "support.prompty": "---\nname: s\n"}, *PROMPTS, 1, NAME),
    row(
        "prompt-registry",
        {
            "app.py": "from langfuse import Langfuse\n"
            "p = Langfuse().get_prompt('answer', version=3)\n"
        },
        *PROMPTS,
        1,
        CODE,
    ),
    row("prompts-inline", {"app.py": CHAT + "PROMPT = 'Answer {q}.'\n"}, *PROMPTS, None, None),
    row(
        "promptfoo-in-ci",
        {
            "promptfooconfig.yaml": "prompts: [prompts/a.txt]\n",
            ".github/workflows/eval.yml": GH_ON_PR + "      - run: npx promptfoo@latest eval\n",
        },
        "llm_evaluation",
        1,
        CI,
    ),
    row(
        "promptfoo-config-only",
        {"promptfooconfig.yaml": "tests: []\n"},
        "llm_evaluation",
        0.5,
        NAME,
    ),
    row(
        "deepeval-tests-in-ci",
        {"tests/test_answers.py": DEEPEVAL_TEST, ".github/workflows/ci.yml": GH_TESTS},
        "llm_evaluation",
        1,
        CI,
    ),
    row(
        "deepeval-tests-no-ci",
        {"tests/test_answers.py": DEEPEVAL_TEST},
        "llm_evaluation",
        0.5,
        CODE,
    ),
    row(
        "ragas-script",
        {"evaluate_rag.py": "from ragas import evaluate\nresult = evaluate(dataset)\n"},
        "llm_evaluation",
        0.5,
        CODE,
    ),
]

test_detector_table = detector_table_test(TABLE)
