"""Reading a repository's CODEOWNERS through its forge's API, for an import's mapping to teams
(``forge_mapping``). Pure Python, with the same lister as the listing (``forge_listing``): the
same transport, token, origin and rate-limit waits.

GitHub: ``GET {api}/repos/{full_name}/contents/{path}`` (JSON, the file in base64). GitLab:
``GET {api}/projects/{id}/repository/files/{path}/raw?ref={default_branch}`` (the raw file).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from urllib.parse import quote

from . import codeowners
from .forge_listing import (
    GITHUB,
    GITLAB,
    ForgeAnswerTooLarge,
    ForgeLister,
    ForgeRepo,
    ForgeResponse,
    auth_headers,
)


@dataclass(frozen=True)
class CodeownersFile:
    """The CODEOWNERS file a repository has (the first its forge looks for): its content,
    or None with the reason it was not read (too large, not a file)."""

    path: str
    content: bytes | None
    problem: str = ""


def file_url(kind: str, api_url: str, repo: ForgeRepo, path: str) -> str:
    """The API address of one file on the repository's default branch."""
    if kind == GITHUB:
        return f"{api_url}/repos/{quote(repo.full_name, safe='/')}/contents/{quote(path)}"
    ref = f"?ref={quote(repo.default_branch, safe='')}" if repo.default_branch else ""
    return (
        f"{api_url}/projects/{quote(repo.full_name, safe='')}/repository/files/"
        f"{quote(path, safe='')}/raw{ref}"
    )


def _file_content(kind: str, response: ForgeResponse) -> bytes | None:
    """The bytes of a file answer: GitHub's contents JSON (base64), GitLab's raw body; None
    when GitHub answers something that is not a base64 file (a folder, a file too large for
    the contents API)."""
    if kind == GITLAB:
        return response.body
    try:
        payload = json.loads(response.body)
    except ValueError:
        return None
    if not isinstance(payload, dict) or payload.get("encoding") != "base64":
        return None
    content = payload.get("content")
    if not isinstance(content, str):
        return None
    try:
        return base64.b64decode(content, validate=False)
    except (ValueError, binascii.Error):
        return None


def read_codeowners(lister: ForgeLister, repo: ForgeRepo) -> CodeownersFile | None:
    """The repository's CODEOWNERS, looked for where its forge looks, in its order; None when
    it has none. Rate limits are waited out as for the listing; a file larger than
    ``codeowners.MAX_BYTES`` (or an answer larger than the transport reads) is not read."""
    headers = auth_headers(lister.kind, lister.token)
    paths = codeowners.GITLAB_PATHS if lister.kind == GITLAB else codeowners.PATHS
    for path in paths:
        url = file_url(lister.kind, lister.api.url, repo, path)
        try:
            response = lister.get(url, headers)
        except ForgeAnswerTooLarge:
            return CodeownersFile(path, None, "larger than the forge answers we read")
        if response.status == 404:
            continue
        if not 200 <= response.status < 300:
            # A token without read access to contents: the repository is mapped otherwise.
            return CodeownersFile(path, None, f"the forge answered {response.status}")
        content = _file_content(lister.kind, response)
        if content is None:
            return CodeownersFile(path, None, "not a file the forge would give")
        if len(content) > codeowners.MAX_BYTES:
            return CodeownersFile(path, None, f"larger than {codeowners.MAX_BYTES // 1024} KiB")
        return CodeownersFile(path, content)
    return None
