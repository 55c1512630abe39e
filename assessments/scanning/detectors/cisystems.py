"""Which CI system a file belongs to, by its path or, wherever it lives, by its content.

CI files live under many names (``build/pipelines/ml.yml``, ``ci/train.gitlab-ci.yml``,
``deploy/cloudbuild-prod.yaml``), so a YAML file whose shape is a CI definition (top-level
``jobs``/``steps``/``stages``... and commands to run) counts wherever it is. Tool configs that
share some keys (``dvc.yaml`` stages, Kubernetes manifests, compose files, Azure ML or
Kubeflow pipeline specs) are told apart so they are not mistaken for CI.
"""

from __future__ import annotations

import posixpath
import re

_KNOWN_PATHS = (
    (re.compile(r"^\.github/workflows/[^/]+\.ya?ml$"), "github"),
    (re.compile(r"(^|/)\.gitlab-ci\.ya?ml$|\.gitlab-ci\.ya?ml$|^\.gitlab/ci/.+\.ya?ml$"), "gitlab"),
    (re.compile(r"(^|/)Jenkinsfile[^/]*$|\.jenkinsfile$", re.I), "jenkins"),
    (
        re.compile(
            r"(^|/)azure-pipelines[^/]*\.ya?ml$|^\.azure-pipelines/.+\.ya?ml$|"
            r"^\.azuredevops/.+\.ya?ml$"
        ),
        "azure",
    ),
    (re.compile(r"^\.circleci/config\.ya?ml$"), "circleci"),
    (re.compile(r"(^|/)cloudbuild[^/]*\.(ya?ml|json)$"), "cloudbuild"),
    (re.compile(r"(^|/)buildspec[^/]*\.ya?ml$"), "buildspec"),
    (re.compile(r"(^|/)bitbucket-pipelines\.ya?ml$"), "bitbucket"),
    (re.compile(r"(^|/)\.drone\.ya?ml$"), "drone"),
    (re.compile(r"(^|/)\.travis\.ya?ml$"), "travis"),
    (re.compile(r"^\.buildkite/.+\.ya?ml$"), "buildkite"),
    (re.compile(r"(^|/)\.woodpecker(\.ya?ml|/.+\.ya?ml)$"), "woodpecker"),
    (re.compile(r"(^|/)appveyor\.ya?ml$"), "appveyor"),
    (re.compile(r"^\.tekton/.+\.ya?ml$"), "tekton"),
    (re.compile(r"(^|/)codefresh\.ya?ml$"), "codefresh"),
    (re.compile(r"^\.semaphore/.+\.ya?ml$"), "semaphore"),
)
_NOT_CI_NAMES = frozenset(
    {
        "dvc.yaml",
        "dvc.lock",
        "params.yaml",
        "mlproject",
        "environment.yml",
        "environment.yaml",
        "conda.yaml",
        "conda.yml",
        "action.yml",
        "action.yaml",
        "mkdocs.yml",
        "mkdocs.yaml",
        ".pre-commit-config.yaml",
        "chart.yaml",
        "values.yaml",
        "kustomization.yaml",
        "feature_store.yaml",
        "bentofile.yaml",
        "artifacts.yaml",
        ".readthedocs.yaml",
        ".readthedocs.yml",
        "codecov.yml",
        "dependabot.yml",
        "docker-compose.yml",
        "docker-compose.yaml",
        "compose.yml",
        "compose.yaml",
    }
)
_TOP_KEY = re.compile(r"^([A-Za-z_][\w.-]*)\s*:", re.M)
_CI_TOP_KEYS = frozenset(
    {
        "jobs",
        "steps",
        "stages",
        "pipeline",
        "pipelines",
        "phases",
        "workflows",
        "before_script",
        "script",
        "trigger",
        "pr",
        "pool",
        "schedules",
    }
)
# Top-level keys of an orchestrator's run configuration, never of a CI definition.
_RUN_CONFIG_KEYS = frozenset({"settings", "enable_cache", "enable_artifact_metadata", "run_name"})
_EXECUTION = re.compile(
    r"^\s*(-\s*)?(run|script|commands|command|sh|bash|pwsh|powershell|entrypoint|args|cmd|"
    r"inlineScript|scriptPath)\s*:"
    r"|^\s*-\s*name:\s*['\"]?(gcr\.io|us-docker\.pkg\.dev|docker\.io|python)",
    re.M,
)
_GITLAB_JOB_SCRIPT = re.compile(r"^[ ]{2,4}script\s*:", re.M)
_JENKINS = re.compile(
    r"\bpipeline\s*\{[\s\S]*\bstages?\s*[\{(]|\bnode\s*(\([^)]*\))?\s*\{[\s\S]*\bstage\s*\("
)


def known_ci_system(path: str) -> str | None:
    lower = path.lower()
    if not lower.endswith((".yml", ".yaml", ".json")) and "jenkins" not in lower:
        return None
    for pattern, system in _KNOWN_PATHS:
        if pattern.search(path):
            return system
    return None


def looks_like_ci(path: str, text: str) -> str | None:
    """Return the CI system a file's content looks like, or None."""
    name = posixpath.basename(path).lower()
    if name in _NOT_CI_NAMES or name.endswith(".dvc"):
        return None
    if path.endswith((".groovy", ".jenkins")) or "jenkins" in name:
        return "jenkins" if _JENKINS.search(text) else None
    if not path.endswith((".yml", ".yaml")):
        return None
    if re.search(r"^apiVersion\s*:", text, re.M) and re.search(r"^kind\s*:", text, re.M):
        return "tekton" if "tekton.dev" in text else None
    if re.search(r"^\$schema\s*:.*azureml", text, re.M) or re.search(
        r"^(pipelineSpec|deploymentSpec|pipelineInfo|components|root)\s*:", text, re.M
    ):
        return None  # Azure ML or Kubeflow pipeline specs: orchestration, not CI
    top = {match.group(1) for match in _TOP_KEY.finditer(text)}
    if "services" in top and not top & {"jobs", "steps", "stages", "pipelines"}:
        return None  # compose files
    if top & _RUN_CONFIG_KEYS and not top & {"jobs", "stages", "phases", "on", "workflows"}:
        return None  # a pipeline's run configuration (ZenML: settings, model, steps by name)
    executes = _EXECUTION.search(text) is not None
    if top & _CI_TOP_KEYS and executes:
        return _guess_system(top, text)
    if _GITLAB_JOB_SCRIPT.search(text) and ("stages" in top or "stage:" in text):
        return "gitlab"
    return None


def _guess_system(top: set[str], text: str) -> str:
    if "on" in top or "runs-on:" in text:
        return "github"
    if "phases" in top:
        return "buildspec"
    if (
        "pool" in top
        or "vmImage" in text
        or re.search(r"^\s*-\s*task\s*:", text, re.M)
        or ("trigger" in top and re.search(r"^\s*-\s*(script|bash|job)\s*:", text, re.M))
    ):
        return "azure"
    if "steps" in top and re.search(r"^\s*-\s*name\s*:", text, re.M) and "args:" in text:
        return "cloudbuild"
    if "stages" in top or "before_script" in top or _GITLAB_JOB_SCRIPT.search(text):
        return "gitlab"
    if "workflows" in top or "orbs" in top:
        return "circleci"
    if "pipelines" in top:
        return "bitbucket"
    return "generic"
