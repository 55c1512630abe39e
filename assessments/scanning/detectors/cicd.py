"""CI/CD: CI on every change, tests it runs, ML-specific tests, pipeline and model delivery,
serving checks before deployment, staged promotion."""

from __future__ import annotations

import ast
import re

from ..tree import RepositorySnapshot
from .base import Finding, Strength, keywords, register
from .ciconfig import CIConfig, ci_configs, does_work, invoked_scripts
from .common import code_hits, config_hits, finding, first_hits, test_hits
from .imports import imports, local_modules, module_matches
from .mlcode import ML_LIBRARIES
from .orchestration import orchestrated_files
from .paths import TEMPLATE_PATH, is_test_path

CI_NAMES = {
    "github": "GitHub Actions",
    "gitlab": "GitLab CI",
    "jenkins": "Jenkins",
    "azure": "Azure Pipelines",
    "circleci": "CircleCI",
    "cloudbuild": "Cloud Build",
    "buildspec": "AWS CodeBuild",
    "bitbucket": "Bitbucket Pipelines",
    "drone": "Drone",
    "travis": "Travis CI",
    "buildkite": "Buildkite",
    "woodpecker": "Woodpecker",
    "appveyor": "AppVeyor",
    "tekton": "Tekton",
    "codefresh": "Codefresh",
    "semaphore": "Semaphore",
    "generic": "A CI configuration",
}
TEST_RUN = re.compile(
    r"\b(pytest|py\.test|tox|nox)\b|\bunittest\b|\bmake\s+(test|check)\b|\bcoverage run\b|"
    r"\bhatch (run )?test|\bpoe test\b|\bdagster.*test|\bgo test\b"
)
PIPELINE_DEPLOY_CI = re.compile(
    r"dsl-compile|kfp (pipeline|run) (upload|create|submit)|tfx pipeline (create|update|compile)|"
    r"tfx run create|(compile|deploy|upload|submit|publish)[_-]pipeline|"
    r"pipeline[_-](deploy|upload|submit|upsert|compile)|az ml job create|"
    r"prefect (deploy|deployment)|dagster[- ](cloud )?deploy|"
    r"zenml (pipeline (run|deploy|build)|deploy)|"
    r"argo-workflows create|step-functions create|databricks bundle deploy|pyflyte register|"
    r"flytectl register|airflow .*dags|"
    # DAG files copied to the Airflow server or Composer bucket
    r"\b(gsutil|scp|rsync|aws s3 (cp|sync)|az storage|composer environments storage)\b.*\bdags\b",
    re.I,
)
PIPELINE_DEPLOY_CODE = keywords(
    "Compiler().compile(",
    "compiler.Compiler(",
    "upload_pipeline(",
    "upload_pipeline_version(",
    ".submit(",
    "create_run_from_pipeline_func(",
    "create_run_from_pipeline_package(",
    ".upsert(",
    ".publish(",
    "get_cloudformation_template(",
    "KubeflowV2DagRunner(",
    "KubeflowDagRunner(",
    "jobs.create_or_update(",
    "to_deployment(",
    "Deployment.build_from_flow(",
    ".deploy(",
    ".serve(",
    "compile(pipeline_func",
    "package_path=",
)
PIPELINE_OBJECT = re.compile(r"pipeline\w*\.(upsert|publish|submit|deploy)\(", re.I)
# Of those, the calls that turn pipeline code into a deliverable definition.
PIPELINE_COMPILE_CODE = (
    "Compiler().compile(",
    "compiler.Compiler(",
    "upload_pipeline(",
    "upload_pipeline_version(",
    "create_run_from_pipeline_package(",
    ".upsert(",
    ".publish(",
    "get_cloudformation_template(",
    "KubeflowV2DagRunner(",
    "KubeflowDagRunner(",
    "compile(pipeline_func",
)
GENERIC_METHODS = (".upsert(", ".publish(")
MODEL_DEPLOY_CI = re.compile(
    r"deploy-model|online-deployment|online-endpoint|(create|update)-endpoint|serving-endpoints|"
    r"endpoints deploy|gcloud run deploy|mlflow deployments|mlflow models (serve|build-docker)|"
    r"bentoml (deploy|containerize)|kubectl (apply|set image)|helm (upgrade|install)|"
    r"deploy[_-]?model|deploy[\w-]*\.(py|sh)|make deploy|\bdeploy\b",
    re.I,
)
MODEL_CONTEXT = re.compile(r"model|endpoint|serving|inference|predict", re.I)
MODEL_DEPLOY_CODE = keywords(
    "Pusher(",
    "ModelDeployOp",
    "EndpointCreateOp",
    "endpoint.deploy(",
    "model.deploy(",
    "create_endpoint(",
    "update_endpoint(",
    "online_deployments.begin_create_or_update",
    "deploy_model(",
    "create_inference_endpoint",
)
REGISTRY_EVENTS = keywords(
    "RegistryWebhooksClient",
    "MODEL_VERSION_TRANSITIONED_STAGE",
    "MODEL_VERSION_CREATED",
    "registry-webhooks",
    "Model Package State Change",
    "ModelPackageStateChange",
)
SERVING_MANIFESTS = keywords(
    "kind: InferenceService",
    "kind: SeldonDeployment",
    "aws_sagemaker_endpoint",
    "google_vertex_ai_endpoint",
    "kind: ServingRuntime",
)
ML_TEST_WORDS = keywords(
    "isnan(",
    "isfinite(",
    "isinf(",
    "loss",
    "converge",
    ".fit(",
    "predict(",
    "LocalDagRunner",
    "BeamDagRunner",
    "DagBag",
    "run_pipeline(",
    "dag.test(",
    "train_model(",
    "accuracy",
    "roc_auc",
    "np.testing",
    "torch.testing",
    "tf.test.TestCase",
)
LOAD_TESTS = keywords("from locust", "import locust", "HttpUser", "k6/http", "schemathesis")
CONTRACT = keywords("TestClient(", "/predict", "/invocations", "test_client(")
# CodeDeploy runs these functions against the new version before and after shifting traffic.
TRAFFIC_HOOKS = keywords("PreTraffic:", "BeforeAllowTraffic", "AfterAllowTestTraffic")
LOAD_IN_CI = re.compile(
    r"\blocust\b|\bk6 run\b|\bvegeta\b|\bhey -|\bwrk -|artillery run|schemathesis"
)
PROMOTION = keywords(
    "canaryTrafficPercent",
    "kind: Rollout",
    "traffic_split",
    "traffic_percentage",
    "TrafficRoutingConfiguration",
    "CanarySize",
    "LinearStepSize",
    "BlueGreenUpdatePolicy",
    "trafficSplit",
    "DeploymentPreference",
    "Category: Approval",
    "weight.green=",
    "weight.blue=",
)
# Every SageMaker endpoint has production variants: one variant is no A/B test.
SINGLE_TARGET = re.compile(r"""["']?\w*["']?\s*[:=]\s*100\s*[,}]""")
ENVIRONMENT_LINE = re.compile(
    r"^(environment|deployment)\s*:\s*['\"]?(prod|production|staging|stage|preprod|qa|uat)\b"
    r"|^name\s*:\s*['\"]?(prod|production|staging|preprod)\b",
    re.I,
)


def delivering_configs(snapshot: RepositorySnapshot) -> list[CIConfig]:
    """CI definitions that do something: a workflow whose steps only print messages delivers
    nothing, however its jobs and environments are named."""
    return [c for c in ci_configs(snapshot) if not c.only_prints]


def _ci_name(config: CIConfig) -> str:
    name = CI_NAMES.get(config.system, "A CI configuration")
    return f"{name} (found by its content)" if config.by_content else name


def tests_run_by_ci(snapshot: RepositorySnapshot) -> list[tuple[CIConfig, int]]:
    def compute() -> list[tuple[CIConfig, int]]:
        return [(c, hits[0][0]) for c in ci_configs(snapshot) if (hits := c.search(TEST_RUN))]

    return snapshot.memo("tests_run_by_ci", compute)


# Workflows that scan or tidy the repository (code scanning, stale issues, labels, release
# notes) run on every change without building or testing anything: they are not CI.
HOUSEKEEPING_ACTION = re.compile(
    r"^(-\s*)?uses\s*:\s*['\"]?(github/codeql-action|actions/(stale|labeler|first-interaction|"
    r"upload-artifact|download-artifact)|release-drafter/|dessant/|peter-evans/"
    r"(create-or-update-comment|close-issue)|amannn/action-semantic-pull-request)",
    re.I,
)
USES_ACTION = re.compile(r"^(-\s*)?uses\s*:", re.I)


def _housekeeping_only(config: CIConfig) -> bool:
    """True when the config's only work is housekeeping actions (CodeQL, stale, labeler...)."""
    work = [text for _, text in config.lines if does_work(text)]
    return any(HOUSEKEEPING_ACTION.match(text) for text in work) and all(
        HOUSEKEEPING_ACTION.match(text) or (not USES_ACTION.match(text) and _is_setting(text))
        for text in work
    )


_SETTING = re.compile(r"^(-\s*)?[\w-]+\s*:\s*\S")
_COMMAND = re.compile(
    r"^(-\s*)?(run|script|commands?|sh|bash|pwsh|powershell|entrypoint|args|cmd)\s*:", re.I
)


def _is_setting(text: str) -> bool:
    """A ``key: value`` line that runs nothing: an action's inputs, a cron, a permission."""
    return bool(_SETTING.match(text)) and not _COMMAND.match(text)


@register
def continuous_integration(snapshot: RepositorySnapshot) -> list[Finding]:
    """CI that runs on every change (push or pull request).

    A workflow started only by hand or on a schedule is CI in part when it runs the tests;
    one that only deploys or publishes something by hand is no CI at all.
    """
    findings = []
    tested = {config.path for config, _ in tests_run_by_ci(snapshot)}
    for config in ci_configs(snapshot):
        if _housekeeping_only(config):
            continue
        if config.runs_on_change:
            line = config.triggers.get("push") or config.triggers.get("pull_request")
            findings.append(
                finding(
                    "ci",
                    1,
                    Strength.CI_CONFIG,
                    f"{_ci_name(config)} runs on every change.",
                    config.path,
                    line,
                )
            )
        elif config.path in tested:
            findings.append(
                finding(
                    "ci",
                    0.5,
                    Strength.CI_CONFIG,
                    f"{_ci_name(config)} runs the tests only on a schedule or by hand.",
                    config.path,
                )
            )
    return findings


TEST_DEFINITIONS = keywords("def test", "class Test", "TestCase")
_TEST_DEFINITION = re.compile(r"^\s*(async\s+)?def\s+test\w*\s*\(|^\s*class\s+Test\w*", re.M)
_SKIPPING = re.compile(r"\b(xfail|skip|skipif)\b")
MAX_TEST_FILES_READ = 200


def real_test_files(snapshot: RepositorySnapshot) -> list[str]:
    """The first test file that tests something, if any: not empty, not a placeholder
    (``assert False`` marked xfail), not a script run by hand with arguments. In a project
    generator only the generated project's tests count: the generator's own tests check the
    rendering, not ML code."""

    def compute() -> list[str]:
        candidates = sorted(
            path
            for path in snapshot.paths_with(*TEST_DEFINITIONS)
            if path.endswith(".py") and is_test_path(path)
        )
        if any(TEMPLATE_PATH.search(entry.path) for entry in snapshot.evidence):
            candidates = [path for path in candidates if TEMPLATE_PATH.search(path)]
        # Evidence needs one real test file; reading a large suite's every file would not.
        for path in candidates[:MAX_TEST_FILES_READ]:
            if _tests_something(snapshot.read_text(path) or ""):
                return [path]
        return []

    return snapshot.memo("real_test_files", compute)


def _tests_something(text: str) -> bool:
    if not _TEST_DEFINITION.search(text):
        return False
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        # Templated or Python 2 code: trust the test definition.
        return True
    if _is_command_line_script(tree):
        return False
    functions = list(tree.body)
    functions += [n for node in tree.body if isinstance(node, ast.ClassDef) for n in node.body]
    return any(
        isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and node.name.startswith("test")
        and not _is_placeholder(node)
        for node in functions
    )


def _is_command_line_script(tree: ast.Module) -> bool:
    """A ``test_endpoint.py`` that parses arguments under ``__main__`` is a check run by hand
    or by a deploy step with arguments, not a test suite."""
    parses_arguments = any(
        isinstance(node, (ast.Import, ast.ImportFrom))
        and any(alias.name in {"argparse", "click", "typer"} for alias in node.names)
        or isinstance(node, ast.ImportFrom)
        and node.module in {"argparse", "click", "typer"}
        for node in tree.body
    )
    has_main = any(
        isinstance(node, ast.If) and "__main__" in ast.unparse(node.test) for node in tree.body
    )
    return parses_arguments and has_main


def _is_placeholder(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """``pass``, ``...``, ``assert False`` or a test marked to be skipped or to fail."""
    if any(_SKIPPING.search(ast.unparse(decorator)) for decorator in function.decorator_list):
        return True
    body = list(function.body)
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring
    for statement in body:
        if isinstance(statement, ast.Pass):
            continue
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
            continue
        if isinstance(statement, ast.Assert) and (
            isinstance(statement.test, ast.Constant) and not statement.test.value
        ):
            continue
        if isinstance(statement, ast.Raise) and "NotImplementedError" in ast.unparse(statement):
            continue
        return False
    return True


@register
def tests_in_ci(snapshot: RepositorySnapshot) -> list[Finding]:
    """Unit tests that CI runs; tests nobody runs automatically are half the value.

    Only test files that test something count: an empty ``tests/__init__.py``, a placeholder
    marked xfail or a template generator's own tests are no unit tests of ML code.
    """
    findings = []
    tests = real_test_files(snapshot)
    if not tests:
        return []
    for config, line in tests_run_by_ci(snapshot)[:2]:
        findings.append(
            finding(
                "automated_tests",
                1,
                Strength.CI_CONFIG,
                f"{_ci_name(config)} runs the test suite.",
                config.path,
                line,
            )
        )
    if not findings and tests:
        findings.append(
            finding(
                "automated_tests",
                0.5,
                Strength.CODE,
                "Unit tests exist, but no CI job runs them.",
                tests[0],
            )
        )
    return findings


@register
def ml_tests(snapshot: RepositorySnapshot) -> list[Finding]:
    """Tests of ML behaviour: no NaN, loss decreases, training converges, pipeline runs."""
    table = imports(snapshot)
    local = local_modules(snapshot)
    candidates = []
    for hit in first_hits(test_hits(snapshot, *ML_TEST_WORDS)):
        modules = table.get(hit.path, {})
        if any(
            module_matches(m, ML_LIBRARIES) or any(part in local for part in m.split("."))
            for m in modules
        ):
            candidates.append(hit)
    # A ``test_zencoder.py`` holding a sample pipeline defines no test.
    tested = (
        hit
        for hit in candidates[:MAX_TEST_FILES_READ]
        if _tests_something(snapshot.read_text(hit.path) or "")
    )
    first_test = next(tested, None)
    if first_test is None:
        return []
    if tests_run_by_ci(snapshot):
        return [
            finding(
                "ml_specific_tests",
                1,
                Strength.CODE,
                "ML-specific tests (model outputs, training, pipeline runs) run in CI.",
                first_test,
            )
        ]
    return [
        finding(
            "ml_specific_tests",
            0.5,
            Strength.CODE,
            "ML-specific tests exist, but CI does not run them.",
            first_test,
        )
    ]


@register
def pipeline_delivery(snapshot: RepositorySnapshot) -> list[Finding]:
    """Pipeline CD: CI compiles, uploads or deploys the training pipeline.

    Run by hand, a script that compiles or uploads the pipeline definition is delivery done
    by hand (0.5). One that deploys, serves or submits something is not: ``model.deploy()``,
    ``flow.serve()`` or a deployment applied from a laptop delivers a model or a run, not the
    pipeline through CD.
    """
    findings = []
    for config in delivering_configs(snapshot):
        for number, _ in config.search_work(PIPELINE_DEPLOY_CI)[:1]:
            findings.append(
                finding(
                    "pipeline_cd",
                    1,
                    Strength.CI_CONFIG,
                    f"{_ci_name(config)} compiles and deploys the training pipeline.",
                    config.path,
                    number,
                )
            )
    orchestrated = orchestrated_files(snapshot)
    # ``pipeline.upsert(...)`` deploys a pipeline even from a file that imports no
    # orchestrator itself (the pipeline object is built in another module).
    deployers = first_hits(
        h
        for h in code_hits(snapshot, *PIPELINE_DEPLOY_CODE)
        if h.path in orchestrated or PIPELINE_OBJECT.search(h.text)
    )
    invoked = invoked_scripts(snapshot)
    for hit in deployers:
        if hit.path in invoked:
            config, line = invoked[hit.path]
            findings.append(
                finding(
                    "pipeline_cd",
                    1,
                    Strength.CI_CONFIG,
                    f"{_ci_name(config)} runs {hit.path}, which compiles and submits the pipeline.",
                    config.path,
                    line,
                )
            )
    if not findings:
        compilers = [h for h in deployers if _compiles_pipeline(h.text)]
        for hit in compilers[:1]:
            findings.append(
                finding(
                    "pipeline_cd",
                    0.5,
                    Strength.CODE,
                    "A script compiles or uploads the pipeline definition; it is run by hand.",
                    hit,
                )
            )
    return findings


def _compiles_pipeline(text: str) -> bool:
    """``compiler.Compiler().compile(...)``, ``pipeline.upsert(...)``; a vector index's
    ``index.upsert(...)`` is no pipeline."""
    if any(word in text for word in PIPELINE_COMPILE_CODE):
        return bool(PIPELINE_OBJECT.search(text)) or not any(
            word in text for word in GENERIC_METHODS
        )
    return False


@register
def model_delivery(snapshot: RepositorySnapshot) -> list[Finding]:
    """Model CD: the pipeline or CI deploys new models, ideally on registry events or tags.

    A deploy script someone runs from a laptop is how a level-0 team hands a model over: it
    is no delivery pipeline, not even in part (a CI job started by hand is, in part).
    """
    findings = []
    for config in delivering_configs(snapshot):
        deploys = [
            (n, t)
            for n, t in config.search(MODEL_DEPLOY_CI)
            if not t.startswith(("name:", "- name:"))
        ]
        if not deploys or not any(MODEL_CONTEXT.search(text) for _, text in config.lines):
            continue
        if "external_event" in config.triggers or "tag" in config.triggers:
            how = "when a model version is registered or tagged"
        elif config.runs_on_change:
            how = "on every change"
        elif "schedule" in config.triggers:
            how = "on a schedule"
        else:
            # ``workflow_dispatch``, ``trigger: none`` or a template nobody includes
            how = "when started by hand"
        findings.append(
            finding(
                "model_cd",
                1 if how != "when started by hand" else 0.5,
                Strength.CI_CONFIG,
                f"{_ci_name(config)} deploys the model {how}.",
                config.path,
                deploys[0][0],
            )
        )
    orchestrated = orchestrated_files(snapshot)
    invoked = invoked_scripts(snapshot)
    for hit in first_hits(code_hits(snapshot, *MODEL_DEPLOY_CODE)):
        if hit.path in orchestrated:
            findings.append(
                finding(
                    "model_cd",
                    1,
                    Strength.CODE,
                    "The pipeline deploys the validated model to serving.",
                    hit,
                )
            )
        elif hit.path in invoked:
            config, line = invoked[hit.path]
            findings.append(
                finding(
                    "model_cd",
                    1,
                    Strength.CI_CONFIG,
                    f"{_ci_name(config)} runs {hit.path}, which deploys the model.",
                    config.path,
                    line,
                )
            )
        if len(findings) >= 3:
            break
    for hit in first_hits(
        code_hits(snapshot, *REGISTRY_EVENTS) + config_hits(snapshot, *REGISTRY_EVENTS)
    )[:1]:
        findings.append(
            finding(
                "model_cd",
                1,
                Strength.CODE,
                "A registry event (new or promoted model version) triggers deployment.",
                hit,
            )
        )
    for hit in first_hits(config_hits(snapshot, *SERVING_MANIFESTS))[:1]:
        findings.append(
            finding(
                "model_cd", 0.5, Strength.CODE, "Serving is declared as a deployable manifest.", hit
            )
        )
    return findings


@register
def serving_checks(snapshot: RepositorySnapshot) -> list[Finding]:
    """Load tests and API contract tests before a model is deployed."""
    findings = []
    for config in ci_configs(snapshot):
        for number, _ in config.search(LOAD_IN_CI)[:1]:
            findings.append(
                finding(
                    "pre_deployment_checks",
                    1,
                    Strength.CI_CONFIG,
                    f"{_ci_name(config)} load-tests or contract-tests the service.",
                    config.path,
                    number,
                )
            )
    for hit in first_hits(code_hits(snapshot, *LOAD_TESTS, tests=True))[:1]:
        findings.append(
            finding(
                "pre_deployment_checks",
                1,
                Strength.CODE,
                "Load or schema tests exercise the prediction service.",
                hit,
            )
        )
    for entry in snapshot.matching("*locustfile*", "*k6*.js", "*load[-_]test*.js")[:1]:
        findings.append(
            finding(
                "pre_deployment_checks",
                0.5,
                Strength.FILE_NAME,
                f"A load test script exists ({entry.path}).",
                entry.path,
            )
        )
    for hit in first_hits(config_hits(snapshot, *TRAFFIC_HOOKS))[:1]:
        findings.append(
            finding(
                "pre_deployment_checks",
                1,
                Strength.CODE,
                "Deployment hooks test the new version before traffic shifts to it.",
                hit,
            )
        )
    contract = test_hits(snapshot, *CONTRACT)
    clients = {h.path for h in contract if "client" in h.text.lower()}
    endpoints = {h.path for h in contract if "/predict" in h.text or "/invocations" in h.text}
    for path in sorted(clients & endpoints)[:1]:
        findings.append(
            finding(
                "pre_deployment_checks",
                1,
                Strength.CODE,
                "API contract tests call the prediction endpoint.",
                path,
            )
        )
    return findings


@register
def promotion(snapshot: RepositorySnapshot) -> list[Finding]:
    """Staged promotion: deployment environments, canary or A/B traffic splits."""
    findings = []
    for config in delivering_configs(snapshot):
        for index, (number, text) in enumerate(config.lines):
            previous = config.lines[index - 1][1] if index else ""
            if ENVIRONMENT_LINE.search(text) and (
                not text.lower().startswith("name") or previous.startswith("environment")
            ):
                findings.append(
                    finding(
                        "staged_promotion",
                        1,
                        Strength.CI_CONFIG,
                        f"{_ci_name(config)} deploys through named environments"
                        " (approvals live on the CI server).",
                        config.path,
                        number,
                    )
                )
                break
    hits = code_hits(snapshot, *PROMOTION) + config_hits(snapshot, *PROMOTION)
    # All traffic to one model (``traffic_split={"0": 100}``) splits nothing.
    for hit in [h for h in first_hits(hits) if not SINGLE_TARGET.search(h.text)][:1]:
        findings.append(
            finding(
                "staged_promotion",
                1,
                Strength.CODE,
                "Traffic is shifted gradually (canary, blue/green or A/B).",
                hit,
            )
        )
    return findings
