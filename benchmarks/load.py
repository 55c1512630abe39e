"""Load on the questionnaire page, the autosave endpoint and the organisation dashboard.

    .venv/bin/python benchmarks/load.py [--users 32] [--seconds 20] [--think-ms 0] [--workers 4]

Starts gunicorn in production mode (as deployed: debug off, collected static files, requests marked
https as the TLS proxy marks them) on a PostgreSQL database with the demo data and Redis as the
cache (sessions and login limits live there), logs in one demo user per simulated user, and for
each endpoint runs `--users` threads for `--seconds`, each with its own keep-alive connection. A
trivial view (/health/) served by the same gunicorn in the same run is the baseline. Prints
requests per second, p50/p95/p99 latency and errors per endpoint. Autosaves never conflict: each
user saves its own question with the version the server returned.

With the default `--think-ms 0` every user sends its next request the moment the last one is
answered: a saturation test, where latency is mostly time spent queueing for a worker. With
`--think-ms N` each user pauses a random 0.5N..1.5N ms between requests, as a person answering
a questionnaire does; latency then shows the service time at that offered load.
"""

import argparse
import http.client
import json
import os
import random
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mlmaturity_load")
# As deployed: Redis holds the cache (sessions, login limits); a database of its own here.
REDIS_URL = os.environ.get("LOAD_REDIS_URL", "redis://127.0.0.1:6379/9")
PORT = 18931
ORIGIN = f"https://127.0.0.1:{PORT}"


class Session:
    def __init__(self):
        self.connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(self, method, path, body=None, headers=None):
        # As the TLS proxy in front of gunicorn would send them, in production mode.
        headers = {"X-Forwarded-Proto": "https", "Origin": ORIGIN, **(headers or {})}
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        data = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, data

    def log_in(self, username):
        _, page = self.request("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        form = urllib.parse.urlencode(
            {"username": username, "password": "demo", "csrfmiddlewaretoken": token}
        )
        status, _ = self.request(
            "POST",
            "/accounts/login/",
            form,
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert status == 302, f"login of {username} answered {status}"


def manage(*args):
    env = {**os.environ, "DATABASE_URL": DATABASE_URL}
    env.pop("REDIS_URL", None)
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def run_phase(name, sessions, make_request, seconds, think_ms):
    latencies, errors, stop = [], [0], time.monotonic() + seconds
    lock = threading.Lock()

    def user(index):
        session = sessions[index]
        mine = []
        pause = random.Random(index)
        while time.monotonic() < stop:
            if think_ms:
                time.sleep(pause.uniform(0.5, 1.5) * think_ms / 1000)
            started = time.perf_counter()
            try:
                ok = make_request(index, session)
            except OSError:
                ok = False
                session.connection.close()
            mine.append(time.perf_counter() - started)
            if not ok:
                with lock:
                    errors[0] += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=user, args=(i,)) for i in range(len(sessions))]
    begun = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - begun
    cuts = statistics.quantiles(latencies, n=100)
    return {
        "name": name,
        "rps": len(latencies) / elapsed,
        "p50": cuts[49] * 1000,
        "p95": cuts[94] * 1000,
        "p99": cuts[98] * 1000,
        "errors": errors[0],
        "requests": len(latencies),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument(
        "--think-ms", type=float, default=0, help="mean pause between a user's requests"
    )
    args = parser.parse_args()

    manage("migrate", "-v0")
    manage("load_demo")
    static_root = tempfile.mkdtemp(prefix="mlmaturity-load-static-")
    # Production mode, as deployed: no debug query log, compressed static files, secure cookies.
    env = {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "STATIC_ROOT": static_root,
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "mlmaturity.wsgi:application",
            "--workers",
            str(args.workers),
            "--bind",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        time.sleep(3)
        logins = [
            f"{slug}-{role}"
            for slug in (
                "fraud-detection",
                "recommendations",
                "search-ranking",
                "demand-forecasting",
                "churn-insights",
                "pricing-lab",
            )
            for role in ("lead", "member")
        ]
        sessions = []
        for index in range(args.users):
            session = Session()
            session.log_in(logins[index % len(logins)])
            sessions.append(session)
        # Each simulated user saves its own question of its team's draft: no conflicts.
        status, page = sessions[0].request("GET", "/api/v1/catalogue/")
        questions = [
            q["key"]
            for q in json.loads(page)["questions"]
            if "unknown" in {o["key"] for o in q["options"]}
        ]
        drafts, assignment, versions = {}, {}, {}
        for index, session in enumerate(sessions):
            slug = logins[index % len(logins)].rsplit("-", 1)[0]
            if slug not in drafts:
                session.request(
                    "POST",
                    f"/teams/{slug}/assessments/start/",
                    "",
                    {
                        "X-CSRFToken": session.cookies["csrftoken"],
                        "Content-Type": "application/x-www-form-urlencoded",
                    },
                )
                _, page = session.request("GET", "/api/v1/assessments/?status=draft&page_size=50")
                team_drafts = [a for a in json.loads(page)["results"] if a["status"] == "draft"]
                drafts[slug] = team_drafts[0]["id"]
            question = questions[index % len(questions)]
            assignment[index] = (drafts[slug], question)
            _, page = session.request("GET", f"/api/v1/assessments/{drafts[slug]}/answers/")
            current = {a["question"]: a["version"] for a in json.loads(page)["results"]}
            versions[index] = current.get(question, 0)

        statuses, conflicts = [], [0]

        def health(i, s):
            return s.request("GET", "/health/")[0] == 200

        def questionnaire(i, s):
            draft, _ = assignment[i]
            return s.request("GET", f"/assessments/{draft}/questions/cicd/")[0] == 200

        def autosave(i, s):
            draft, question = assignment[i]
            body = urllib.parse.urlencode(
                {"option": "unknown", "note": f"n{time.time()}", "version": versions[i]}
            )
            status, data = s.request(
                "POST",
                f"/assessments/{draft}/answers/{question}/",
                body,
                {
                    "X-CSRFToken": s.cookies["csrftoken"],
                    "Content-Type": "application/x-www-form-urlencoded",
                },
            )
            if status == 200:
                versions[i] = json.loads(data)["version"]
            elif status == 409:
                # Only the first save can be stale (the answers list is paged); keep mine.
                versions[i] = json.loads(data)["conflict"]["current_version"]
                conflicts[0] += 1
                return True
            else:
                statuses.append((status, data[:200]))
            return status == 200

        def dashboard(i, s):
            return s.request("GET", "/dashboard/")[0] == 200

        rows = [
            run_phase(name, sessions, fn, args.seconds, args.think_ms)
            for name, fn in (
                ("trivial /health/", health),
                ("questionnaire page", questionnaire),
                ("autosave", autosave),
                ("dashboard", dashboard),
            )
        ]
    finally:
        server.terminate()
        server.wait(timeout=20)
        shutil.rmtree(static_root, ignore_errors=True)
    print(f"autosave conflicts answered 409 (then kept): {conflicts[0]}")
    if statuses:
        print("first refusals:", statuses[:3])
    base = rows[0]
    print(
        f"{args.users} users, think time {args.think_ms:.0f} ms, {args.seconds:.0f} s per endpoint,"
        f" gunicorn {args.workers} workers in production mode, {DATABASE_URL}, cache {REDIS_URL}"
    )
    print(
        f"{'endpoint':<22}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}"
        "  p50 vs trivial"
    )
    for row in rows:
        print(
            f"{row['name']:<22}{row['rps']:>9.1f}{row['p50']:>9.1f}{row['p95']:>9.1f}"
            f"{row['p99']:>9.1f}{row['errors']:>8}  {row['p50'] / base['p50']:.1f}x"
        )


if __name__ == "__main__":
    main()
