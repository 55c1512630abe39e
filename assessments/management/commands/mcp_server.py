"""Serve MLMaturity to an assistant over the Model Context Protocol, on standard input and output.

    MLMATURITY_API_TOKEN=mlm_... python manage.py mcp_server

The server acts for the person whose personal API token (from the profile page) is in
MLMATURITY_API_TOKEN, and sees exactly what they see. The token is read from the environment,
not the command line, where other users of the machine could read it. Exit status 2, with a
sentence on stderr, when the token is missing, unknown or revoked.
"""

import os
import sys
from typing import Any

from django.core.management.base import BaseCommand

from assessments.assistant import build_server
from assessments.services.tokens import api_token_authenticate

TOKEN_VARIABLE = "MLMATURITY_API_TOKEN"  # noqa: S105 - the name of the variable, not a token
EXIT_BAD_TOKEN = 2


class Command(BaseCommand):
    help = "Serve MLMaturity's tools to an assistant over MCP (stdio), as a token's owner."

    def handle(self, *args: Any, **options: Any) -> None:
        plaintext = os.environ.get(TOKEN_VARIABLE, "").strip()
        if not plaintext:
            self.stderr.write(f"error: set {TOKEN_VARIABLE} to a personal API token.")
            sys.exit(EXIT_BAD_TOKEN)
        token = api_token_authenticate(plaintext=plaintext)
        if token is None:
            self.stderr.write(f"error: {TOKEN_VARIABLE} is not an active API token.")
            sys.exit(EXIT_BAD_TOKEN)
        build_server(token.user).run("stdio")
