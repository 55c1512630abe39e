"""Schemathesis against the embedded default, with two workers sending requests at once.

The in-process run (test_schemathesis.py) sends one request at a time inside a transaction, on
whichever database the suite uses, so it cannot see what concurrent requests do to SQLite. Here
the app is served as the README serves it (a threaded runserver on a SQLite file, tasks run
in-process, so connecting a repository or asking for a scan runs the scan inside the request)
and the schemathesis command line sends its requests from two workers at once.

Nothing is rolled back between requests here: a deleted repository stays deleted and a submitted
draft stays submitted, and the two workers' order varies, so the checks are those that hold
whatever the state: no server error (a 503 from a locked database counts as one), and every
answer documented, of the documented content type and matching its schema.
"""

import re
import subprocess
import sys

import pytest

from ..live_server import live_server
from .schemathesis_setup import SEED, as_toml, config_dict, make_repositories

WORKERS = 2
MAX_EXAMPLES = 10  # per operation and phase; the whole run stays within a few minutes
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
]

pytestmark = pytest.mark.slow


def test_every_operation_keeps_to_its_schema_on_the_embedded_default_with_two_workers(tmp_path):
    connected, unconnected = make_repositories(tmp_path / "repositories")
    config = tmp_path / "schemathesis.toml"
    config.write_text(as_toml(config_dict(connected=connected, unconnected=unconnected)))
    with live_server(
        tmp_path / "embedded",
        # Throttling has its own tests; here it would turn much of the run into 429s.
        API_TOKEN_CLIENT_RATE="100000/minute",
        API_AUTH_TOKEN_RATE="100000/minute",
    ) as server:
        token = server.call(
            "tests.api.schemathesis_setup:seed_organisation", connected=str(connected)
        )
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "schemathesis.cli",
                "--config-file",
                str(config),
                "--no-color",
                "run",
                f"{server.url}/api/schema/?format=json",
                f"--workers={WORKERS}",
                f"--max-examples={MAX_EXAMPLES}",
                f"--seed={SEED}",
                f"--checks={','.join(CHECKS)}",
                "--header",
                f"Authorization: Token {token}",
                "--request-timeout=60",
                "--generation-database=none",
            ],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        print(run.stdout[-3000:])
        assert run.returncode == 0, f"{run.stdout[-20000:]}\n{run.stderr[-4000:]}"
        # The server's own log agrees: no request answered 5xx.
        assert not re.findall(r'HTTP/1\.[01]" 5\d\d ', server.log())
