"""Run the whole test suite:  python3 scripts/test.py [pytest arguments]

Creates .venv with the test requirements when needed. Uses SQLite and skips the tests that need
Redis unless DATABASE_URL and REDIS_URL are set; with CI=true a missing service fails the run.
"""

import subprocess
import sys

from _venv import ROOT, ensure_venv


def main() -> int:
    python = str(ensure_venv("requirements-dev.txt"))
    return subprocess.call([python, "-m", "pytest", *sys.argv[1:]], cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main())
