"""Set everything up on a fresh machine and run the app on the embedded default.

    python3 scripts/run.py            # serves on http://127.0.0.1:8000
    PORT=8765 python3 scripts/run.py  # another port

Creates .venv, installs requirements, migrates a SQLite database, loads the demo data and serves.
Tasks run in-process unless REDIS_URL is set.
"""

import os
import subprocess
import sys

from _venv import ROOT, ensure_venv


def main() -> int:
    python = str(ensure_venv("requirements.txt"))
    port = os.environ.get("PORT", "8000")

    def manage(*args: str) -> None:
        subprocess.run([python, "manage.py", *args], check=True, cwd=ROOT)

    manage("migrate", "--no-input")
    manage("load_demo")
    print(f"\nMLMaturity is starting on http://127.0.0.1:{port}/ (Ctrl+C stops it).", flush=True)
    print("Log in as demo-admin with the password demo.\n", flush=True)
    try:
        return subprocess.call(
            [python, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"], cwd=ROOT
        )
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
