"""The kits on Jenkins: a declarative pipeline of the kit's own (the Jenkinsfile while there is
none, `jenkins/<kit>.Jenkinsfile` beside the team's otherwise), credited by a rescan once
applied. No schema exists for a Jenkinsfile: its structure is read by a small reader of the
Groovy the kits write, which also refuses any double-quoted (interpolating) string."""

import pytest

from assessments import kits
from assessments.kits.jenkins import literal
from assessments.scanning import scan_repository

from ..scanning import archetypes
from ..scanning.gitrepo import commit, git, make_repo
from ..scanning.snapshots import snapshot_of
from .test_kits import PACKAGED, WITH_SAMPLE, grades, hostile_files, run_what_the_kit_asks

TEAM_JENKINSFILE = "pipeline {\n    agent any\n    stages {\n        stage('Docs') {\n" + (
    "            steps {\n                sh 'make docs'\n            }\n        }\n    }\n}\n"
)
ARCHETYPES = {
    "notebooks": archetypes.NOTEBOOK_ONLY,
    "scripts": archetypes.TRAINING_SCRIPTS,
    "packaged": PACKAGED,
    "sample": WITH_SAMPLE,
}
# The kits a team with a Jenkinsfile misses: any Jenkinsfile runs on every push, so `ci` is
# there already and its kit is checked for its structure only.
CI_KITS = [
    ("reproducible_environment", "notebooks", "lock"),
    ("reproducible_environment", "packaged", "lock"),
    ("pipeline_triggers", "scripts", "train"),
    ("pipeline_triggers", "packaged", "train"),
    ("model_validation", "scripts", "validate-model"),
    ("monitoring", "sample", "drift"),
    ("model_cd", "scripts", "deploy-model"),
]
IDS = [f"{step}-{files}" for step, files, _ in CI_KITS]


class Block:
    def __init__(self, head):
        self.head, self.children, self.strings = head, [], []

    def child(self, head):
        return next(c for c in self.children if c.head == head)

    def heads(self):
        return [c.head for c in self.children]


def read_groovy(text):
    """The blocks of a Jenkinsfile (`head { ... }`) with the single-quoted strings in each,
    decoded. Fails on unbalanced brackets and on any double-quoted string."""
    root, stack, head, i, brackets = Block(""), [], "", 0, []
    stack.append(root)
    escapes = {"\\": "\\", "'": "'", "n": "\n", "r": "\r"}
    while i < len(text):
        if text.startswith("//", i):
            i = text.index("\n", i)
        elif text.startswith("'''", i):
            end = text.index("'''", i + 3)
            assert "\\" not in text[i + 3 : end]
            stack[-1].strings.append(text[i + 3 : end])
            head, i = head + "'''", end + 3
        elif text[i] == "'":
            value, i = [], i + 1
            while text[i] != "'":
                assert text[i] != "\n", "a string runs past its line"
                if text[i] == "\\":
                    i += 1
                    value.append(escapes[text[i]])
                else:
                    value.append(text[i])
                i += 1
            stack[-1].strings.append("".join(value))
            head, i = head + "''", i + 1
        else:
            char = text[i]
            assert char != '"', f"an interpolating string at {text[i - 40 : i + 40]!r}"
            if char == "{":
                block = Block(head.strip().splitlines()[-1].strip() if head.strip() else "")
                stack[-1].children.append(block)
                stack.append(block)
                head = ""
            elif char == "}":
                stack.pop()
                head = ""
            else:
                if char in "([":
                    brackets.append(char)
                elif char in ")]":
                    assert brackets.pop() == {")": "(", "]": "["}[char]
                head += char
            i += 1
    assert stack == [root]
    assert brackets == []
    return root


def jenkins_files(kit):
    return {c.path: c.after for c in kit.changes if "enkinsfile" in c.path}


def build(step, files):
    return kits.build_kit(step, snapshot_of(files))


def the_stage(pipeline_text):
    (pipeline,) = read_groovy(pipeline_text).children
    assert pipeline.head == "pipeline"
    assert "stages" in pipeline.heads()
    assert any(head.startswith("agent") for head in pipeline.heads())
    (stage,) = pipeline.child("stages").children
    assert stage.head.startswith("stage(")
    return pipeline, stage


def shell_lines(stage):
    (script,) = stage.child("steps").strings
    return [line.strip() for line in script.strip().splitlines()]


@pytest.fixture(scope="module")
def scanned(tmp_path_factory):
    """Each archetype with the team's Jenkinsfile, scanned once and cloned by each test."""
    made = {}

    def get(name):
        if name not in made:
            repo = make_repo(
                tmp_path_factory.mktemp(name) / "repo",
                {**ARCHETYPES[name], "Jenkinsfile": TEAM_JENKINSFILE},
            )
            made[name] = (repo, *grades(repo))
        return made[name]

    return get


@pytest.mark.parametrize(("step", "files", "name"), CI_KITS, ids=IDS)
def test_on_jenkins_the_patch_applies_and_a_rescan_credits_the_step(
    tmp_path, scanned, step, files, name
):
    origin, before, level_before = scanned(files)
    repo = tmp_path / "repo"
    git(tmp_path, "clone", "-q", str(origin), str(repo))
    kit = build(step, {**ARCHETYPES[files], "Jenkinsfile": TEAM_JENKINSFILE})
    ((path, text),) = jenkins_files(kit).items()
    assert path == f"jenkins/{name}.Jenkinsfile"
    the_stage(text)
    assert any(f"Jenkins runs {path} only from a Pipeline" in s for s in kit.does_not)
    patch = tmp_path / "step.patch"
    patch.write_text(kits.as_patch(kit.changes))
    git(repo, "apply", str(patch))
    run_what_the_kit_asks(repo, step)
    commit(repo, f"Level-up kit: {step}")
    report = scan_repository(str(repo))
    after = {c.key: c.grade for c in report.capabilities}
    assert before.get(step, 0) < 1
    assert after[step] == 1
    if step != "model_validation":  # credited for its gate script, wherever that runs
        credited = next(c for c in report.capabilities if c.key == step)
        assert path in {finding.path for finding in credited.evidence if finding.grade == 1}
    assert {k for k, v in before.items() if after.get(k, 0) < v} == set()
    assert (report.overall_level or 0) >= (level_before or 0)


def test_the_jenkins_ci_pipeline_installs_and_runs_the_tests_in_a_virtual_environment():
    files = {
        **archetypes.TRAINING_SCRIPTS,
        "tests/test_train.py": "def test_it():\n    pass\n",
        "ci/nightly.jenkinsfile": TEAM_JENKINSFILE,
    }
    ((path, text),) = jenkins_files(build("ci", files)).items()
    assert path == "Jenkinsfile"  # the team's pipelines are elsewhere
    pipeline, stage = the_stage(text)
    assert pipeline.child("agent").child("docker").strings == ["python:3.11"]
    assert shell_lines(stage) == [
        "python3 -m venv .venv",
        ". .venv/bin/activate",
        "python -m pip install --upgrade pip",
        "pip install -r requirements.txt",
        "pip install pytest",
        "python -m pytest",
    ]


def test_scheduled_training_on_jenkins_runs_by_timer_or_by_hand_and_keeps_the_model():
    kit = build("pipeline_triggers", {**PACKAGED, "Jenkinsfile": TEAM_JENKINSFILE})
    pipeline, stage = the_stage(jenkins_files(kit)["jenkins/train.Jenkinsfile"])
    assert pipeline.child("triggers").strings == ["main", "17 3 * * 1", ""]
    assert stage.child("when").child("anyOf").strings == ["TimerTrigger", "UserIdCause"]
    assert shell_lines(stage)[-1] == "python src/churn/train.py"
    assert stage.child("post").child("success").strings == ["model.joblib"]
    assert kit.does[0].startswith("Jenkins (on the main branch) runs python")


def test_secrets_reach_jenkins_steps_as_credentials_by_id():
    drift = build("monitoring", {**WITH_SAMPLE, "Jenkinsfile": TEAM_JENKINSFILE})
    pipeline, stage = the_stage(jenkins_files(drift)["jenkins/drift.Jenkinsfile"])
    assert pipeline.child("environment").strings == ["current-data"]
    delivery = build("model_cd", {**archetypes.TRAINING_SCRIPTS, "Jenkinsfile": TEAM_JENKINSFILE})
    pipeline, stage = the_stage(jenkins_files(delivery)["jenkins/deploy-model.Jenkinsfile"])
    environment = pipeline.child("environment").strings
    assert environment == [
        "registry.example.com/team/model",
        "container-registry",
        "mlflow-tracking-uri",
    ]
    assert stage.child("input").strings == ["Deliver this model version to production?", "Deliver"]
    assert "$.version" in pipeline.child("triggers").strings  # the payload, digits only
    assert "[^0-9]" in pipeline.child("triggers").strings
    assert shell_lines(stage)[-3:] == [
        "python deploy_model.py build",
        "python deploy_model.py push",
        "python deploy_model.py promote",
    ]


def test_a_kit_whose_jenkinsfile_exists_is_refused():
    files = {
        **archetypes.NOTEBOOK_ONLY,
        "Jenkinsfile": TEAM_JENKINSFILE,
        "jenkins/lock.Jenkinsfile": TEAM_JENKINSFILE,
    }
    with pytest.raises(kits.KitUnavailable, match=r"already has jenkins/lock\.Jenkinsfile;"):
        build("reproducible_environment", files)


@pytest.mark.parametrize(
    "value", ["plain", "it's", "back\\slash", "two\nlines", "$(touch pwned) ${x} '''", "\r"]
)
def test_a_groovy_literal_reads_back_as_the_value(value):
    block = read_groovy(f"x {{\n    y {literal(value)}\n}}\n")
    assert block.child("x").strings == [value]


@pytest.mark.parametrize(
    "text", ['x {\n    y "${x}"\n}\n', "x {\n    y {\n}\n", "x {\n    y('a'\n}\n", "x 'a\nb'\n"]
)
def test_the_reader_refuses_what_a_kit_must_not_write(text):
    with pytest.raises((AssertionError, IndexError)):
        read_groovy(text)


def test_hostile_names_from_the_repository_stay_data_on_jenkins():
    files = {**hostile_files(), "Jenkinsfile": TEAM_JENKINSFILE}
    generated = {}
    for step in ("ci", *dict.fromkeys(step for step, _, _ in CI_KITS)):
        if step in ("pipeline_triggers", "model_validation"):
            # These put the training script on a command line: not a name like this one.
            with pytest.raises(kits.KitUnavailable, match="has characters a CI command line"):
                build(step, files)
            continue
        generated.update(jenkins_files(build(step, files)))
    assert set(generated) == {
        "jenkins/ci.Jenkinsfile",
        "jenkins/lock.Jenkinsfile",
        "jenkins/drift.Jenkinsfile",
        "jenkins/deploy-model.Jenkinsfile",
    }
    for text in generated.values():
        the_stage(text)  # reads, with no interpolating string
        assert "pwned" not in text


@pytest.mark.parametrize(
    ("files", "path"),
    [
        (
            {".github/workflows/x.yml": "on: push\n", "Jenkinsfile": TEAM_JENKINSFILE},
            "jenkins/lock.Jenkinsfile",
        ),
        (
            {"azure-pipelines.yml": "steps:\n  - script: make\n", "Jenkinsfile": TEAM_JENKINSFILE},
            ".azure-pipelines/lock.yml",
        ),
        (
            {".gitlab-ci.yml": "x:\n  script: [make]\n", "Jenkinsfile": TEAM_JENKINSFILE},
            ".gitlab-ci.yml",
        ),
    ],
)
def test_a_jenkinsfile_decides_over_github_workflows_only(files, path):
    kit = build("reproducible_environment", {**archetypes.TRAINING_SCRIPTS, **files})
    assert [c.path for c in kit.changes if c.path != "Makefile"] == [path]


@pytest.mark.parametrize(
    "stray",
    [
        {"docs/Jenkinsfile.md": "An example Jenkinsfile for readers.\n"},
        {"templates/Jenkinsfile.j2": "pipeline { agent any }\n"},
        {"third_party/somelib/azure-pipelines.yml": "steps:\n  - script: make\n"},
        {"third_party/somelib/Jenkinsfile": TEAM_JENKINSFILE},
    ],
)
def test_a_stray_pipeline_file_outside_the_teams_places_leaves_github_in_charge(stray):
    files = {**archetypes.TRAINING_SCRIPTS, ".github/workflows/x.yml": "on: push\n", **stray}
    kit = build("reproducible_environment", files)
    assert [c.path for c in kit.changes if c.path != "Makefile"] == [".github/workflows/lock.yml"]


def test_validation_on_jenkins_leaves_out_pull_requests_from_forks():
    files = {
        **archetypes.TRAINING_SCRIPTS,
        "Jenkinsfile": TEAM_JENKINSFILE,
        "experiments.py": "import mlflow\n",
    }
    kit = build("model_validation", files)
    pipeline = next(c.after for c in kit.changes if c.path.endswith("Jenkinsfile"))
    assert "MLFLOW_TRACKING_URI = credentials(" in pipeline
    assert "expression { return !env.CHANGE_FORK }" in pipeline
    assert any("forks are left out" in line for line in kit.does_not)
