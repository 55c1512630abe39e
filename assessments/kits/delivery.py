"""Model delivery from the registry: when a model version is approved, CI builds its serving
image from the MLflow registry, pushes it, and points the production alias at the version."""

from __future__ import annotations

from . import azure, jenkins
from .build import Kit, KitUnavailable, kit, with_requirements
from .patch import FileChange
from .stack import Stack
from .tracking import MLFLOW, registered_model_name
from .workflows import ci_change, ci_notes, github_workflow, gitlab_job

PRODUCTION_ALIAS = "production"
# The names of what the team sets up in Azure DevOps for the pipeline, said in the kit.
AZURE_WEBHOOK = "ModelVersionApproved"
AZURE_WEBHOOK_CONNECTION = "model-registry-webhook"
AZURE_REGISTRY_CONNECTION = "container-registry"
AZURE_VARIABLE_GROUP = "model-delivery"
JENKINS_WEBHOOK_CREDENTIALS = "model-registry-webhook"
JENKINS_REGISTRY_CREDENTIALS = "container-registry"
JENKINS_TRACKING_CREDENTIALS = "mlflow-tracking-uri"
APPROVAL = {
    "": "A model-version-approved repository dispatch with the version",
    "azure_pipelines": f"A post of the version to the {AZURE_WEBHOOK} webhook",
    "jenkins": "A post of the version to the job's generic webhook",
}

_SCRIPT = '''"""Deliver a registered model version: build its serving image, push it, point the
production alias at it. The version and the image come from the environment, each checked
before use: MODEL_VERSION (a version number of REGISTERED_MODEL) and IMAGE (where to push).

Usage: python deploy_model.py build|push|promote
"""

import os
import re
import shlex
import subprocess
import sys

REGISTERED_MODEL = {model!r}
PRODUCTION_ALIAS = {alias!r}
_VERSION = re.compile(r"[0-9]{{1,9}}")
_IMAGE = re.compile(r"[a-z0-9][a-z0-9._-]*(?::[0-9]{{1,5}})?(?:/[a-z0-9][a-z0-9._-]*)+")


def model_version():
    version = os.environ.get("MODEL_VERSION", "")
    if not _VERSION.fullmatch(version):
        raise ValueError(f"MODEL_VERSION must be a version number, not {{version!r}}")
    return version


def image_tag(version):
    image = os.environ.get("IMAGE", "")
    if not _IMAGE.fullmatch(image):
        raise ValueError(f"IMAGE must be an image name like ghcr.io/team/model, not {{image!r}}")
    return f"{{image}}:v{{version}}"


def build(version):
    """The serving image of the version, built by MLflow from the registry."""
    model_uri = f"models:/{{REGISTERED_MODEL}}/{{version}}"
    command = ["mlflow", "models", "build-docker", "--model-uri", model_uri]
    subprocess.run([*command, "--name", image_tag(version)], check=True)  # noqa: S603


def push(version):
    subprocess.run(["docker", "push", image_tag(version)], check=True)  # noqa: S603, S607


def promote(version):
    """Serving that loads the alias now gets this version; pointing it back rolls back."""
    from mlflow import MlflowClient

    MlflowClient().set_registered_model_alias(REGISTERED_MODEL, PRODUCTION_ALIAS, version)
    print(f"{{REGISTERED_MODEL}} version {{version}} is now {{PRODUCTION_ALIAS}}.")


STEPS = {{"build": build, "push": push, "promote": promote}}


def main(arguments):
    if len(arguments) != 1 or arguments[0] not in STEPS:
        print(f"Usage: python deploy_model.py {{'|'.join(STEPS)}}", file=sys.stderr)
        return 2
    try:
        version = model_version()
        if arguments[0] != "promote":
            image_tag(version)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    from mlflow.exceptions import MlflowException

    try:
        STEPS[arguments[0]](version)
    except subprocess.CalledProcessError as error:
        # The command printed its own error above; this says which command stopped the step.
        print(f"{{arguments[0]}} stopped: {{shlex.join(error.cmd)}} exited with "
              f"{{error.returncode}}.", file=sys.stderr)
        return 1
    except FileNotFoundError as error:
        missing = error.filename
        print(f"{{arguments[0]}} stopped: {{missing}} is not installed here.", file=sys.stderr)
        return 1
    except MlflowException as error:
        # A version not in the registry, an unreachable tracking server: one sentence.
        print(f"{{arguments[0]}} stopped: {{error}}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
'''


@kit("model_cd")
def model_delivery(stack: Stack) -> Kit:
    model = registered_model_name(stack)
    if model is None:
        raise KitUnavailable(
            "The training script does not save its model with joblib.dump or pickle.dump to a "
            "file name the kit can read, so there is no registered model to deliver; register "
            "it first (the step 'Model registry and versions')."
        )
    script = _SCRIPT.format(model=model, alias=PRODUCTION_ALIAS)
    # The version comes from the person or the registry webhook that starts the run: it goes
    # into the environment, never into a command, and the script checks it is a number.
    env = (
        "    environment: production\n"
        "    env:\n"
        "      MODEL_VERSION: ${{ inputs.version || github.event.client_payload.version }}\n"
        "      MLFLOW_TRACKING_URI: ${{ secrets.MLFLOW_TRACKING_URI }}\n"
    )
    github = github_workflow(
        stack,
        name="deploy-model",
        title="Model delivery",
        triggers=(
            "  repository_dispatch:\n"
            "    types: [model-version-approved]\n"
            "  workflow_dispatch:\n"
            "    inputs:\n"
            "      version:\n"
            "        description: The registered model version to deliver\n"
            "        required: true\n"
        ),
        steps=[
            f"      - run: pip install {MLFLOW}\n",
            '      - run: echo "IMAGE=ghcr.io/${GITHUB_REPOSITORY,,}/model" >> "$GITHUB_ENV"\n',
            "      - run: python deploy_model.py build\n",
            "      - uses: docker/login-action@v3\n",
            "        with:\n",
            "          registry: ghcr.io\n",
            "          username: ${{ github.actor }}\n",
            "          password: ${{ secrets.GITHUB_TOKEN }}\n",
            "      - run: python deploy_model.py push\n",
            "      - run: python deploy_model.py promote\n",
        ],
        env=env,
        permissions="  contents: read\n  packages: write\n",
    )
    gitlab = gitlab_job(
        stack,
        name="deploy-model",
        script=[
            "apt-get update -qq && apt-get install -y -qq docker.io",
            f"pip install {MLFLOW}",
            'export IMAGE="$CI_REGISTRY_IMAGE/model"',
            'echo "$CI_REGISTRY_PASSWORD" | docker login -u "$CI_REGISTRY_USER" '
            '--password-stdin "$CI_REGISTRY"',
            "python deploy_model.py build",
            "python deploy_model.py push",
            "python deploy_model.py promote",
        ],
        # Started through the API (the registry's webhook) or by hand, with MODEL_VERSION set.
        rules=['if: $CI_PIPELINE_SOURCE == "api"', 'if: $CI_PIPELINE_SOURCE == "web"'],
    )
    gitlab += (
        "  services:\n    - docker:dind\n"
        "  variables:\n"
        "    DOCKER_HOST: tcp://docker:2375\n"
        '    DOCKER_TLS_CERTDIR: ""\n'
        "  environment: production\n"
    )
    change = ci_change(
        stack,
        workflow="deploy-model",
        github=github,
        gitlab=gitlab,
        azure_pipeline=_azure(stack),
        jenkinsfile=_jenkins(stack),
    )
    return Kit(
        step="model_cd",
        title="Model delivery from the registry",
        changes=(
            FileChange("deploy_model.py", script),
            change,
            *with_requirements(stack, MLFLOW),
        ),
        does=(
            f"When a version of {model} is approved ({APPROVAL.get(stack.ci, APPROVAL['']).lower()}"
            ", or a run started by hand), CI builds the version's "
            "serving image from the MLflow registry with mlflow models build-docker.",
            "It pushes the image to the repository's container registry, tagged with the "
            f"version, then points the registry alias {PRODUCTION_ALIAS!r} at it, so that "
            "pointing the alias back is the rollback.",
            GATE.get(stack.ci, GATE[""]),
        ),
        does_not=(
            "It does not send the approval: have the registry (an MLflow webhook or the "
            f"script that approves) send {APPROVAL.get(stack.ci, APPROVAL[''])}.",
            "It does not roll the new image out to the serving platform: add the deploy "
            "command of yours (kubectl, a cloud endpoint) after the push.",
            "It assumes the model was logged with MLflow (the step 'Model registry and "
            "versions'), and the tracking server in the secret MLFLOW_TRACKING_URI.",
            *SETUP.get(stack.ci, ()),
            *ci_notes(stack, change),
        ),
    )


GATE = {
    "": "The production environment's protection rules (reviewers) gate the run.",
    "azure_pipelines": "The production environment's approvals and checks gate the run.",
    "jenkins": "A person confirms the delivery in Jenkins (an input step) before it runs.",
}
AZURE_SETUP = (
    f"In Azure DevOps, create the service connections {AZURE_WEBHOOK_CONNECTION!r} (Incoming "
    f"WebHook, named {AZURE_WEBHOOK}, with a secret; the registry posts "
    '{"version": "<n>"} to it) and '
    f"{AZURE_REGISTRY_CONNECTION!r} (Docker Registry), and the variable group "
    f"{AZURE_VARIABLE_GROUP!r} with IMAGE (e.g. myregistry.azurecr.io/team/model) and the "
    "secret MLFLOW_TRACKING_URI.",
)


JENKINS_SETUP = (
    "In Jenkins, install the Generic Webhook Trigger and Docker Pipeline plugins, run the job "
    "on an agent labelled docker (Docker and python3), and add the credentials "
    f"{JENKINS_WEBHOOK_CREDENTIALS!r} (secret text: the webhook's token; the registry posts "
    '{"version": "<n>"} to /generic-webhook-trigger/invoke), '
    f"{JENKINS_REGISTRY_CREDENTIALS!r} (username and password) and "
    f"{JENKINS_TRACKING_CREDENTIALS!r} (secret text); set IMAGE in the Jenkinsfile.",
)
SETUP = {"azure_pipelines": AZURE_SETUP, "jenkins": JENKINS_SETUP}


def _jenkins(stack: Stack) -> str:
    # The version comes from the person who starts the run (a parameter) or from the webhook's
    # payload, digits only: into the environment, never into a command or a Groovy string, and
    # the script checks it is a number.
    head = (
        "    parameters {\n"
        "        string(name: 'MODEL_VERSION', defaultValue: '', "
        "description: 'The registered model version to deliver')\n"
        "    }\n"
        "    environment {\n"
        "        IMAGE = 'registry.example.com/team/model'  // TODO: your registry and image\n"
        f"        REGISTRY = credentials({jenkins.literal(JENKINS_REGISTRY_CREDENTIALS)})\n"
        "        MLFLOW_TRACKING_URI = "
        f"credentials({jenkins.literal(JENKINS_TRACKING_CREDENTIALS)})\n"
        "    }\n"
    )
    triggers = (
        "    triggers {\n"
        "        GenericTrigger(\n"
        "            genericVariables: [[key: 'MODEL_VERSION', value: '$.version', "
        "regexpFilter: '[^0-9]']],\n"
        f"            tokenCredentialId: {jenkins.literal(JENKINS_WEBHOOK_CREDENTIALS)},\n"
        "            causeString: 'A model version was approved'\n"
        "        )\n"
        "    }\n"
    )
    gate = (
        "            input {\n"
        "                message 'Deliver this model version to production?'\n"
        "                ok 'Deliver'\n"
        "            }\n"
    )
    return jenkins.jenkins_pipeline(
        stack,
        title="Model delivery",
        stage="Deliver the model",
        agent="    agent { label 'docker' }\n",
        triggers=triggers,
        head=head,
        gate=gate,
        commands=[
            f"pip install {MLFLOW}",
            'echo "$REGISTRY_PSW" | docker login -u "$REGISTRY_USR" --password-stdin '
            '"${IMAGE%%/*}"',
            "python deploy_model.py build",
            "python deploy_model.py push",
            "python deploy_model.py promote",
        ],
    )


def _azure(stack: Stack) -> str:
    # The version comes from the person who starts the run (a runtime parameter) or from the
    # registry's webhook payload: into a variable, never into a command, and the script checks
    # it is a number. The tracking server is a secret variable, mapped by name to the steps.
    tracking = {"MLFLOW_TRACKING_URI": "$(MLFLOW_TRACKING_URI)"}
    head = (
        "parameters:\n"
        "  - name: version\n"
        # A space, not "": Azure asks for a value when a parameter's default is empty.
        '    displayName: "The registered model version to deliver (none: the webhook\'s)"\n'
        "    type: string\n"
        '    default: " "\n'
        "resources:\n"
        "  webhooks:\n"
        f"    - webhook: {AZURE_WEBHOOK}\n"
        f"      connection: {AZURE_WEBHOOK_CONNECTION}\n"
        "variables:\n"
        f"  - group: {AZURE_VARIABLE_GROUP}\n"
        "  - name: MODEL_VERSION\n"
        "    value: ${{ coalesce(trim(parameters.version), "
        f"parameters.{AZURE_WEBHOOK}.version) }}}}\n"
    )
    return azure.azure_pipeline(
        stack,
        title="Model delivery",
        job="deploy_model",
        triggers=azure.ONLY_BY_SCHEDULE_OR_HAND,
        head=head,
        environment=PRODUCTION_ALIAS,
        steps=[
            azure.script(f"pip install {MLFLOW}"),
            azure.script("python deploy_model.py build", env=tracking),
            "- task: Docker@2\n"
            f"  inputs:\n    command: login\n    containerRegistry: {AZURE_REGISTRY_CONNECTION}\n",
            azure.script("python deploy_model.py push"),
            azure.script("python deploy_model.py promote", env=tracking),
        ],
    )
