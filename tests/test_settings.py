"""Production mode: refuses to start half-configured, and passes Django's deployment checks."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
    "DJANGO_ALLOWED_HOSTS": "maturity.example.com",
}


def manage(*args, **env_overrides):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_in_production_mode():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_mode_refuses_to_start_without_a_secret_key():
    result = manage("check", **{**PRODUCTION, "DJANGO_SECRET_KEY": ""})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_mode_refuses_to_start_without_allowed_hosts():
    result = manage("check", **{**PRODUCTION, "DJANGO_ALLOWED_HOSTS": ""})
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS must list" in result.stderr


def test_demo_users_are_refused_in_production_mode():
    result = manage("load_demo", **PRODUCTION)
    assert result.returncode != 0
    assert "refused in production mode" in result.stderr


@pytest.mark.django_db
def test_demo_command_refuses_when_demo_users_are_not_allowed(settings):
    settings.DEMO_USERS_ALLOWED = False
    with pytest.raises(CommandError, match="refused in production mode"):
        call_command("load_demo")


@pytest.mark.django_db
def test_every_model_change_has_a_migration():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db
def test_every_page_sends_the_security_headers(client):
    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_no_template_has_an_inline_script():
    """Inline scripts would be blocked by the policy; chart data travels in json_script."""
    import re

    for template in (ROOT / "templates").rglob("*.html"):
        for tag in re.findall(r"<script\b[^>]*>", template.read_text()):
            assert "src=" in tag, f"{template.relative_to(ROOT)} has an inline script: {tag}"


def test_a_network_setting_that_opens_cloud_metadata_stops_every_process_at_start():
    result = manage("check", SCAN_ALLOWED_NETWORKS="10.0.0.0/8,169.254.169.254/32")
    assert result.returncode != 0
    assert "SCAN_ALLOWED_NETWORKS: 169.254.169.254/32 overlaps 169.254.0.0/16" in result.stderr


def test_a_missing_certificate_bundle_stops_every_process_at_start():
    result = manage("check", SCAN_CA_BUNDLE="/nonexistent/ca.pem")
    assert result.returncode != 0
    assert "SCAN_CA_BUNDLE: /nonexistent/ca.pem is not a file of certificates." in result.stderr


def test_the_embedded_sqlite_database_is_set_up_for_a_web_app(tmp_path):
    """Write-ahead logging, writers that queue for the lock from the start of a transaction,
    and a busy timeout long enough to wait out another writer."""
    code = (
        "from django.db import connection\n"
        "print(connection.settings_dict['OPTIONS'])\n"
        "with connection.cursor() as cursor:\n"
        "    for pragma in ('journal_mode', 'synchronous', 'busy_timeout'):\n"
        "        print(pragma, cursor.execute(f'PRAGMA {pragma}').fetchone()[0])\n"
    )
    result = manage("shell", "-c", code, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert result.returncode == 0, result.stderr
    assert "'transaction_mode': 'IMMEDIATE'" in result.stdout
    # synchronous 1 is NORMAL; the busy timeout is in milliseconds.
    assert result.stdout.splitlines()[-3:] == [
        "journal_mode wal",
        "synchronous 1",
        "busy_timeout 20000",
    ]
    faster = manage(
        "shell",
        "-c",
        code,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        SQLITE_BUSY_TIMEOUT_SECONDS="3",
    )
    assert faster.stdout.splitlines()[-1] == "busy_timeout 3000"


def test_postgresql_keeps_its_own_options():
    code = "from django.conf import settings; print(settings.DATABASES['default'].get('OPTIONS'))"
    result = manage("shell", "-c", code, DATABASE_URL="postgres://user@127.0.0.1:5432/mlmaturity")
    assert result.returncode == 0, result.stderr
    assert "transaction_mode" not in result.stdout
    assert "PRAGMA" not in result.stdout


def test_prepared_statements_can_be_turned_off_for_a_pooler():
    code = (
        "from django.conf import settings; "
        "print(repr(settings.DATABASES['default']['OPTIONS']['prepare_threshold']))"
    )
    url = "postgres://user@127.0.0.1:5432/mlmaturity"
    on = manage("shell", "-c", code, DATABASE_URL=url)
    off = manage("shell", "-c", code, DATABASE_URL=url, DATABASE_PREPARED_STATEMENTS="false")
    assert on.returncode == 0, on.stderr
    assert off.returncode == 0, off.stderr
    assert on.stdout.split()[-1] == "0"  # prepared the first time a connection runs them
    assert off.stdout.split()[-1] == "None"  # psycopg never prepares


def test_the_embedded_server_queues_a_browsers_parallel_connections():
    from django.core.management import get_commands, load_command_class

    command = load_command_class(get_commands()["runserver"], "runserver")
    # Django's own server queues 10; two tabs, a page's assets and an API client overflow it.
    assert command.server_cls.request_queue_size >= 128


def _email_backend(**env):
    """The email backend the settings choose with these variables and no other mail or
    database or broker variable."""
    code = "from django.conf import settings; print(settings.EMAIL_BACKEND, settings.EMAIL_HOST)"
    cleared = {
        "DATABASE_URL": "",
        "REDIS_URL": "",
        "EMAIL_HOST": "",
        "EMAIL_BACKEND": "",
    }
    base = {k: v for k, v in os.environ.items() if k not in cleared}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()[-2:]


def test_the_embedded_default_prints_emails_and_a_configured_host_gets_smtp():
    assert _email_backend() == ["django.core.mail.backends.console.EmailBackend", "localhost"]
    assert _email_backend(EMAIL_HOST="smtp.example.com") == [
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.example.com",
    ]
    # A deployment of its own (PostgreSQL) never prints emails where nobody reads them.
    assert _email_backend(DATABASE_URL="postgres://user@127.0.0.1:5432/mlmaturity")[0] == (
        "django.core.mail.backends.smtp.EmailBackend"
    )
