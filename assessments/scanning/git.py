"""Fetching an untrusted repository into a temporary bare repository, shallow and size-capped.

Its tree is then read from git objects, never from a checkout. After fetching, the promisor
settings are removed so a missing blob is reported as missing instead of being fetched lazily
behind our back. How git itself is run safely is in ``gitsession`` and ``processes``; reading
the fetched commit (tree, blobs, grep) in ``gitobjects``.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from .errors import GitUnavailable, RepositoryUnavailable
from .gitsession import GitSession, classify_failure, git_version, scrub
from .processes import Deadline, die_with_parent, run_process

# The scan and the tests reach all of git access through this module.
__all__ = [
    "Deadline",
    "FetchedRepository",
    "GitSession",
    "Ref",
    "classify_failure",
    "clone_local",
    "die_with_parent",
    "fetch_repository",
    "fetch_shallow",
    "git_version",
    "ls_remote",
    "run_process",
    "scrub",
    "validate_branch",
]

MIN_GIT_VERSION = (2, 37)  # http.curloptResolve
MAX_REFS = 20_000
MAX_TAGS_TO_FETCH = 200
_BRANCH = re.compile(r"^(?!-)(?!/)(?!.*\.\.)(?!.*//)(?!.*@\{)[A-Za-z0-9._/+-]{1,200}(?<![./])$")
_OID = re.compile(r"^[0-9a-f]{40}(?:[0-9a-f]{24})?$")


@dataclass(frozen=True)
class Ref:
    """A ref of the scanned repository; ``timestamp`` is the tag or commit date when known."""

    name: str
    oid: str
    timestamp: int | None = None


@dataclass(frozen=True)
class FetchedRepository:
    """A commit available in a temporary bare repository, plus what is known of its refs."""

    git_dir: str
    commit: str
    branch: str | None
    refs: tuple[Ref, ...]
    history_available: bool
    commits_last_90_days: int | None


def validate_branch(branch: str | None) -> str | None:
    if branch is None or branch == "":
        return None
    if not _BRANCH.match(branch) or branch.endswith(".lock"):
        raise RepositoryUnavailable("The branch name is not valid.", transient=False)
    return branch


def fetch_repository(
    session: GitSession, *, branch: str | None, blob_limit: int, history_days: int = 90
) -> FetchedRepository:
    """Make the requested commit available in ``session.git_dir``.

    Local paths (operator-supplied) are cloned with ``--shared`` so objects are read through
    alternates without copying; https repositories are fetched shallowly with a blob filter.
    """
    version = git_version()
    if version < MIN_GIT_VERSION and not session.source.is_local:
        raise GitUnavailable("git 2.37 or newer is needed to fetch repositories safely.")
    branch = validate_branch(branch)
    if session.source.is_local:
        return clone_local(session, branch=branch, history_days=history_days)
    return fetch_shallow(
        session, session.source.url, branch=branch, blob_limit=blob_limit, history_days=history_days
    )


def clone_local(session: GitSession, *, branch: str | None, history_days: int) -> FetchedRepository:
    """Clone an operator-supplied local repository, sharing its objects (nothing is copied)."""
    try:
        session.run(
            "clone",
            "--mirror",
            "--shared",
            "--template=",
            "--quiet",
            "--",
            session.source.url,
            session.git_dir,
            network=True,
            bare=False,
        )
    except RepositoryUnavailable as error:
        if error.message.startswith("The repository was not found"):
            raise RepositoryUnavailable(
                "The local path is not a git repository.", transient=False, detail=error.detail
            ) from None
        raise
    commit = _resolve_commit(session, f"refs/heads/{branch}" if branch else "HEAD")
    refs = list_refs(session)
    return FetchedRepository(
        git_dir=session.git_dir,
        commit=commit,
        branch=branch or _head_branch(session),
        refs=refs,
        history_available=True,
        commits_last_90_days=count_recent_commits(session, commit, history_days),
    )


def fetch_shallow(
    session: GitSession, url: str, *, branch: str | None, blob_limit: int, history_days: int = 90
) -> FetchedRepository:
    """Fetch one branch at depth 1 with a blob-size filter, then best-effort history facts.

    Used for https, and in tests with a ``file://`` URL of an allowed local path so the same
    code (filters, missing blobs, promisor removal) is exercised without a network.
    """
    session.run("init", "--bare", "--quiet", "--template=", "--", session.git_dir, bare=False)
    advertised, head_target = ls_remote(session, url)
    ref = f"refs/heads/{branch}" if branch else head_target
    if ref is None or ref not in advertised:
        if branch:
            raise RepositoryUnavailable(
                "The branch does not exist in the repository.", transient=False
            )
        raise RepositoryUnavailable("The repository has no commits to scan.", transient=False)
    session.run(
        "fetch",
        "--quiet",
        "--depth=1",
        f"--filter=blob:limit={blob_limit}",
        "--no-tags",
        "--no-write-fetch-head",
        "--",
        url,
        f"+{ref}:{ref}",
        network=True,
    )
    history = _fetch_history(session, url, ref, history_days)
    tags = [
        name for name in advertised if name.startswith("refs/tags/") and not name.endswith("^{}")
    ]
    if 0 < len(tags) <= MAX_TAGS_TO_FETCH:
        _best_effort(
            session,
            "fetch",
            "--quiet",
            "--depth=1",
            "--filter=tree:0",
            "--no-tags",
            "--no-write-fetch-head",
            "--",
            url,
            "+refs/tags/*:refs/tags/*",
        )
    drop_promisor_settings(session)
    commit = _resolve_commit(session, ref)
    dated = {item.name: item for item in list_refs(session)}
    refs = tuple(
        dated.get(name) or Ref(name=name, oid=oid)
        for name, oid in sorted(advertised.items())
        if not name.endswith("^{}")
    )
    return FetchedRepository(
        git_dir=session.git_dir,
        commit=commit,
        branch=ref.removeprefix("refs/heads/"),
        refs=refs,
        history_available=history,
        commits_last_90_days=count_recent_commits(session, commit, history_days)
        if history
        else None,
    )


def ls_remote(session: GitSession, url: str) -> tuple[dict[str, str], str | None]:
    """Return the advertised refs (name -> oid) and the branch HEAD points to."""
    result = session.run("ls-remote", "--symref", "--", url, network=True, bare=False)
    refs: dict[str, str] = {}
    head_target = None
    for line in result.stdout.decode("utf-8", "replace").splitlines()[: MAX_REFS + 1]:
        if line.startswith("ref: ") and line.endswith("\tHEAD"):
            head_target = line[5:].split("\t", 1)[0]
            continue
        oid, _, name = line.partition("\t")
        if _OID.match(oid) and name:
            refs[name] = oid
    if head_target is None and "HEAD" in refs:
        matches = sorted(
            n for n, o in refs.items() if o == refs["HEAD"] and n.startswith("refs/heads/")
        )
        head_target = matches[0] if matches else None
    refs.pop("HEAD", None)
    return refs, head_target


def _fetch_history(session: GitSession, url: str, ref: str, history_days: int) -> bool:
    """Deepen to the last ``history_days`` of commits without trees or blobs (cheap)."""
    since = int(time.time()) - history_days * 86400
    return _best_effort(
        session,
        "fetch",
        "--quiet",
        f"--shallow-since={since}",
        "--filter=tree:0",
        "--no-tags",
        "--no-write-fetch-head",
        "--",
        url,
        f"+{ref}:{ref}",
    )


def _best_effort(session: GitSession, *arguments: str) -> bool:
    try:
        session.run(*arguments, network=True)
    except RepositoryUnavailable:
        return False
    return True


def drop_promisor_settings(session: GitSession) -> None:
    """Forget the partial-clone remote so a missing blob stays missing (no lazy fetch)."""
    result = session.run("config", "--local", "--name-only", "--list", ok_codes=(0, 1))
    for name in result.stdout.decode("utf-8", "replace").splitlines():
        lowered = name.lower()
        if lowered == "extensions.partialclone" or (
            lowered.startswith("remote.") and lowered.endswith((".promisor", ".partialclonefilter"))
        ):
            session.run("config", "--local", "--unset-all", name, ok_codes=(0, 5))


def _resolve_commit(session: GitSession, ref: str) -> str:
    result = session.run(
        "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}", ok_codes=(0, 1)
    )
    commit = result.stdout.decode().strip()
    if result.returncode != 0 or not _OID.match(commit):
        raise RepositoryUnavailable(
            "The branch does not exist in the repository or has no commits.", transient=False
        )
    return commit


def _head_branch(session: GitSession) -> str | None:
    result = session.run("symbolic-ref", "--quiet", "HEAD", ok_codes=(0, 1, 128))
    name = result.stdout.decode().strip()
    return name.removeprefix("refs/heads/") if name.startswith("refs/heads/") else None


def list_refs(session: GitSession) -> tuple[Ref, ...]:
    result = session.run(
        "for-each-ref",
        f"--count={MAX_REFS}",
        "--format=%(refname)%00%(objectname)%00%(creatordate:unix)",
        "refs/tags",
        "refs/exps",
        "refs/heads",
    )
    refs = []
    for line in result.stdout.decode("utf-8", "replace").splitlines():
        parts = line.split("\0")
        if len(parts) != 3:
            continue
        name, oid, stamp = parts
        refs.append(Ref(name=name, oid=oid, timestamp=int(stamp) if stamp.isdigit() else None))
    return tuple(refs)


def count_recent_commits(session: GitSession, commit: str, days: int) -> int | None:
    since = int(time.time()) - days * 86400
    result = session.run("rev-list", "--count", f"--since={since}", commit, "--", ok_codes=(0, 128))
    text = result.stdout.decode().strip()
    return int(text) if result.returncode == 0 and text.isdigit() else None
