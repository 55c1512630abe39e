"""The container files cannot be built here; these checks read them as the engine would."""

import shlex
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_names_every_service():
    assert set(compose()["services"]) == {"db", "redis", "migrate", "web", "worker", "beat"}


def test_every_app_service_runs_the_image_against_postgres_and_redis():
    services = compose()["services"]
    for name in ("migrate", "web", "worker", "beat"):
        service = services[name]
        assert service["build"] == "."
        env = service["environment"]
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["REDIS_URL"].startswith("redis://redis:")
        assert env["DJANGO_DEBUG"] == "false"


def test_the_worker_and_beat_start_celery_on_the_project_app():
    services = compose()["services"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "mlmaturity", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "mlmaturity", "beat"]


def test_web_waits_for_migrations_and_migrations_wait_for_healthy_services():
    services = compose()["services"]
    assert services["web"]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully"
    )
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"


def dockerfile_instructions():
    instructions = []
    for line in (ROOT / "Dockerfile").read_text().replace("\\\n", " ").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            instructions.append((keyword.upper(), rest.strip()))
    return instructions


def test_the_dockerfile_installs_pinned_requirements_and_serves_with_gunicorn():
    instructions = dockerfile_instructions()
    keywords = [keyword for keyword, _ in instructions]
    assert keywords[0] == "FROM"
    assert set(keywords) <= {"FROM", "ENV", "RUN", "WORKDIR", "COPY", "USER", "EXPOSE", "CMD"}
    assert ("COPY", "requirements.txt .") in instructions
    assert any(k == "RUN" and "pip install -r requirements.txt" in v for k, v in instructions)
    assert ("USER", "app") in instructions
    cmd = dict(instructions)["CMD"]
    assert cmd.startswith("[")
    assert "gunicorn" in cmd
    assert "mlmaturity.wsgi:application" in cmd


def test_the_dockerfile_copies_only_existing_files():
    for keyword, rest in dockerfile_instructions():
        if keyword == "COPY":
            source = [part for part in shlex.split(rest) if not part.startswith("--")][0]
            assert (ROOT / source).exists(), source


def test_every_requirement_is_pinned():
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            assert "==" in line, f"{line} is not pinned"
