"""Creates the project's virtual environment and keeps it in step with the requirement files.

Only the Python standard library is used here, so these scripts work on a machine with nothing
but Python and git.
"""

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
MINIMUM_PYTHON = (3, 11)


def venv_python() -> Path:
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def ensure_venv(requirements: str) -> Path:
    """Create .venv if needed and install `requirements` when they changed since the last run."""
    if sys.version_info < MINIMUM_PYTHON:
        sys.exit(f"MLMaturity needs Python {'.'.join(map(str, MINIMUM_PYTHON))} or newer.")
    python = venv_python()
    if not python.exists():
        print(f"Creating a virtual environment in {VENV} ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    stamp = VENV / f".installed-{Path(requirements).stem}"
    digest = _requirements_digest(ROOT / requirements)
    if not stamp.exists() or stamp.read_text() != digest:
        print(f"Installing {requirements} ...", flush=True)
        subprocess.run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
                "-q",
                "-r",
                str(ROOT / requirements),
            ],
            check=True,
            cwd=ROOT,
        )
        stamp.write_text(digest)
    return python


def _requirements_digest(path: Path) -> str:
    """Hash the file and every file it includes with -r, so any change triggers an install."""
    digest = hashlib.sha256()
    _hash_into(digest, path)
    return digest.hexdigest()


def _hash_into(digest, path: Path) -> None:
    text = path.read_text()
    digest.update(text.encode())
    for line in text.splitlines():
        if line.startswith("-r "):
            _hash_into(digest, path.parent / line[3:].strip())
