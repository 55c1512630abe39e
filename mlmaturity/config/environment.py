"""Where the settings read from: the project's folder, the environment (and a `.env` file in
the project's folder, when there is one), and debug mode, which every other group depends on."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DJANGO_DEBUG", default=True)
