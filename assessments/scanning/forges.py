"""Links to a scanned file on the forge that hosts the repository, for people to click."""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

from .projects import ROOT_CI_FILES

_COMMIT = re.compile(r"^[0-9a-f]{40}$")


def forge_file_url(
    url: str, commit: str, path: str | None, line: int | None = None, *, project: str = ""
) -> str | None:
    """A link to ``path`` at ``commit`` on GitHub, GitLab or Bitbucket; None for other hosts,
    local paths and anything that does not look like a full commit id."""
    if not path or not commit or not _COMMIT.match(commit):
        return None
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" or not host:
        return None
    repo_path = parts.path.rstrip("/")
    if repo_path.endswith(".git"):
        repo_path = repo_path[: -len(".git")]
    if repo_path.count("/") < 2:
        return None
    if project and not ROOT_CI_FILES.match(path):
        path = f"{project}/{path}"
    base = f"https://{host}{quote(repo_path)}"
    where = quote(path)
    if host == "github.com":
        return f"{base}/blob/{commit}/{where}" + (f"#L{line}" if line else "")
    if host == "gitlab.com" or host.startswith("gitlab."):
        return f"{base}/-/blob/{commit}/{where}" + (f"#L{line}" if line else "")
    if host == "bitbucket.org":
        return f"{base}/src/{commit}/{where}" + (f"#lines-{line}" if line else "")
    return None
