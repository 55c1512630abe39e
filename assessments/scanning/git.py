"""Hardened git access: fetch an untrusted repository into a temporary bare repository and
read its tree from git objects, never from a checkout.

Why each measure exists:
- a fresh environment (no inherited variables, HOME in the temp dir, no system or global
  config) so nothing on the worker changes what git does, and no proxy bypasses pinning;
- no prompts, no credential helpers, no hooks, no submodules, no redirects, no protocol other
  than https (or file for an allowed local path), and ``--`` before every positional argument;
- the address checked by ``addresses.validate_repository_url`` is pinned with
  ``http.curloptResolve`` so a second DNS answer cannot point the fetch somewhere private;
- the access token travels in an ``http.extraHeader`` set through GIT_CONFIG_* variables: it
  never appears on a command line (process lists) and is scrubbed from every error text;
- shallow, blob-size-limited fetches; after fetching, the promisor settings are removed so a
  missing blob is reported as missing instead of being fetched lazily behind our back;
- every git process runs in its own session and the whole process group is killed when the
  wall-clock deadline passes or an output cap is reached;
- on Linux every git process is also killed by the kernel when the process that started it
  dies, so a scanning process killed outright (the OOM killer) leaves no git running.

Reading the fetched commit (tree, blobs, grep) lives in ``gitobjects``.
"""

from __future__ import annotations

import base64
import contextlib
import ctypes
import os
import re
import selectors
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from .addresses import SafeRepositoryURL
from .errors import GitUnavailable, LimitExceeded, RepositoryUnavailable

MIN_GIT_VERSION = (2, 37)  # http.curloptResolve
MAX_REFS = 20_000
MAX_STDERR = 64 * 1024
DEFAULT_MAX_OUTPUT = 64 * 1024 * 1024
MAX_TAGS_TO_FETCH = 200
_BRANCH = re.compile(r"^(?!-)(?!/)(?!.*\.\.)(?!.*//)(?!.*@\{)[A-Za-z0-9._/+-]{1,200}(?<![./])$")
_OID = re.compile(r"^[0-9a-f]{40}(?:[0-9a-f]{24})?$")
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


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


class Deadline:
    """A wall-clock budget shared by every step of one scan."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expires = time.monotonic() + seconds

    def remaining(self) -> float:
        return self.expires - time.monotonic()

    def check(self) -> None:
        if self.remaining() <= 0:
            raise LimitExceeded(
                f"The scan took longer than {self.seconds:g} seconds and was stopped."
            )


@dataclass
class ProcessResult:
    returncode: int
    stdout: bytes
    stderr: str
    stopped_early: bool = False


def _load_prctl() -> Callable[[int, int, int, int, int], int] | None:
    """libc's ``prctl`` on Linux, loaded once at import so forked children only call it."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    prctl.argtypes = (ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong)
    prctl.restype = ctypes.c_int
    return prctl


_PRCTL = _load_prctl()


def die_with_parent() -> Callable[[], None] | None:
    """A ``preexec_fn`` that has the child killed (SIGKILL) when the calling process dies.

    Git runs in a session of its own so that its whole group can be killed at the deadline,
    which also puts it out of reach of whatever kills the scanning process: a pool child
    killed by the OOM killer would leave its git running. Git's own helpers (remote-https,
    index-pack) talk to it through pipes and stop when it is gone. None where there is no
    ``prctl``, so the child is started as before.

    The kernel sends the signal when the *thread* that started the child ends; a scan starts
    git on the thread that runs it and stops every git before returning, so that thread
    outlives them.
    """
    if _PRCTL is None:
        return None
    prctl = _PRCTL
    parent = os.getpid()
    kill = int(signal.SIGKILL)

    def set_parent_death_signal() -> None:
        # Runs between fork and exec, where another thread may have held a lock at the fork:
        # a preloaded C function and two system calls, no imports, locks or logging.
        prctl(_PR_SET_PDEATHSIG, kill, 0, 0, 0)
        # A parent that died before the signal was armed would never send it.
        if os.getppid() != parent:
            os._exit(1)

    return set_parent_death_signal


def git_version() -> tuple[int, ...]:
    """Return the installed git version, or raise GitUnavailable."""
    executable = shutil.which("git")
    if executable is None:
        raise GitUnavailable("git is not installed on the scanning worker.")
    try:
        output = subprocess.run(  # noqa: S603 - fixed argv, no shell
            [executable, "--version"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
            preexec_fn=die_with_parent(),
        ).stdout
    except (subprocess.TimeoutExpired, OSError):
        raise GitUnavailable("git on the scanning worker did not answer.") from None
    match = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?", output)
    if not match:
        raise GitUnavailable("The git version of the scanning worker could not be determined.")
    return tuple(int(part) for part in match.groups(default="0"))


def scrub(text: str, secrets: tuple[str, ...]) -> str:
    """Remove every secret (and the Authorization header built from it) from ``text``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return re.sub(r"(?i)(authorization:\s*)\S+(\s+\S+)?", r"\1***", text)


class GitSession:
    """One temporary workspace (a git HOME and a bare repository) and how to run git in it."""

    def __init__(
        self,
        workdir: str,
        *,
        deadline: Deadline,
        source: SafeRepositoryURL,
        access_token: str | None = None,
        ca_bundle: str | None = None,
    ) -> None:
        self.workdir = workdir
        # Certificate authorities trusted instead of the system's (a self-hosted forge's).
        self.ca_bundle = ca_bundle
        self.home = os.path.join(workdir, "home")
        self.git_dir = os.path.join(workdir, "repository.git")
        os.makedirs(self.home, exist_ok=True)
        self.deadline = deadline
        self.source = source
        self._token = access_token or ""
        self._secrets: tuple[str, ...] = ()
        self._auth_header = ""
        if self._token:
            basic = base64.b64encode(f"x-access-token:{self._token}".encode()).decode()
            self._auth_header = f"Authorization: Basic {basic}"
            self._secrets = (self._token, basic, self._auth_header)
        self._git = shutil.which("git") or "git"

    # -- environment -----------------------------------------------------------------------

    def environment(self, *, network: bool) -> dict[str, str]:
        """A clean environment; the token is only present for network commands."""
        askpass = "/bin/true" if os.path.exists("/bin/true") else "true"
        # Reading never needs a transport, so a lazy fetch of a missing blob cannot succeed.
        allowed = ("file" if self.source.is_local else "https") if network else "none"
        env = {
            "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
            "HOME": self.home,
            "XDG_CONFIG_HOME": self.home,
            "LANG": "C",
            "LC_ALL": "C",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_SYSTEM": os.devnull,
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_ASKPASS": askpass,
            "SSH_ASKPASS": askpass,
            "GIT_PROTOCOL_FROM_USER": "0",
            "GIT_ALLOW_PROTOCOL": allowed,
            "GIT_NO_LAZY_FETCH": "1",
            "GIT_NO_REPLACE_OBJECTS": "1",
            "GIT_LFS_SKIP_SMUDGE": "1",
            "GIT_OPTIONAL_LOCKS": "0",
            "GIT_ATTR_NOSYSTEM": "1",
        }
        if network and self._auth_header:
            env["GIT_CONFIG_COUNT"] = "1"
            env["GIT_CONFIG_KEY_0"] = "http.extraHeader"
            env["GIT_CONFIG_VALUE_0"] = self._auth_header
        return env

    def config_arguments(self, *, network: bool) -> list[str]:
        settings = [
            "core.hooksPath=/dev/null",
            "core.symlinks=false",
            "core.fsmonitor=false",
            "core.protectNTFS=true",
            "core.protectHFS=true",
            "submodule.recurse=false",
            "fetch.recurseSubmodules=false",
            "credential.helper=",
            "core.askPass=",
            "http.followRedirects=false",
            "http.lowSpeedLimit=1000",
            "http.lowSpeedTime=30",
            "gc.auto=0",
            "maintenance.auto=false",
            "fetch.writeCommitGraph=false",
            "init.defaultBranch=main",
            "protocol.allow=never",
            "protocol.ext.allow=never",
        ]
        if self.source.is_local:
            settings += ["protocol.file.allow=always", f"safe.directory={self.source.url}"]
        else:
            settings += ["protocol.file.allow=never", "protocol.https.allow=always"]
            if network and self.ca_bundle:
                settings.append(f"http.sslCAInfo={self.ca_bundle}")
            if network and self.source.address:
                address = self.source.address
                if ":" in address:
                    address = f"[{address}]"
                settings.append(
                    f"http.curloptResolve={self.source.host}:{self.source.port}:{address}"
                )
        arguments: list[str] = []
        for setting in settings:
            arguments += ["-c", setting]
        return arguments

    def command(self, *arguments: str, network: bool = False, bare: bool = True) -> list[str]:
        argv = [self._git, *self.config_arguments(network=network)]
        if bare:
            argv += ["--git-dir", self.git_dir]
        return [*argv, *arguments]

    # -- running ---------------------------------------------------------------------------

    def run(
        self,
        *arguments: str,
        network: bool = False,
        bare: bool = True,
        ok_codes: tuple[int, ...] = (0,),
        max_output: int = DEFAULT_MAX_OUTPUT,
        on_stdout: Callable[[bytes], bool] | None = None,
    ) -> ProcessResult:
        """Run git; raise RepositoryUnavailable (scrubbed) when the exit code is not ok."""
        result = run_process(
            self.command(*arguments, network=network, bare=bare),
            env=self.environment(network=network),
            cwd=self.home,
            deadline=self.deadline,
            max_output=max_output,
            on_stdout=on_stdout,
        )
        result.stderr = scrub(result.stderr, self._secrets)
        if result.returncode not in ok_codes and not result.stopped_early:
            raise classify_failure(result.stderr, network=network)
        return result

    def popen(self, *arguments: str) -> subprocess.Popen[bytes]:
        """Start a long-running local git command (``cat-file --batch``) in its own session.

        Like every git process of a scan, it is killed with the caller (``die_with_parent``).
        """
        return subprocess.Popen(  # noqa: S603 - argv built from constants and checked values, no shell
            self.command(*arguments),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=self.environment(network=False),
            cwd=self.home,
            start_new_session=True,
            preexec_fn=die_with_parent(),
            close_fds=True,
        )


def run_process(
    argv: list[str],
    *,
    env: dict[str, str],
    cwd: str,
    deadline: Deadline,
    max_output: int = DEFAULT_MAX_OUTPUT,
    on_stdout: Callable[[bytes], bool] | None = None,
) -> ProcessResult:
    """Run a process in a new session, streaming its output under a deadline and a size cap.

    The process is killed with the caller if the caller dies (see ``die_with_parent``).

    ``on_stdout`` receives chunks instead of buffering them and may return False to stop the
    process early (the file-count cap). The whole process group is killed on every exit path
    that leaves it running, so helpers git started (remote-https, upload-pack) die too.
    """
    deadline.check()
    proc = subprocess.Popen(  # noqa: S603 - argv built from constants and checked values, no shell
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=cwd,
        start_new_session=True,
        preexec_fn=die_with_parent(),
        close_fds=True,
    )
    stdout: list[bytes] = []
    stderr = bytearray()
    size = 0
    stopped = False
    selector = selectors.DefaultSelector()
    try:
        # Both are pipes (PIPE above); the check only tells the type checker so.
        if proc.stdout is None or proc.stderr is None:
            raise OSError("git was started without output pipes")
        selector.register(proc.stdout, selectors.EVENT_READ, "out")
        selector.register(proc.stderr, selectors.EVENT_READ, "err")
        while selector.get_map() and not stopped:
            remaining = deadline.remaining()
            if remaining <= 0:
                raise LimitExceeded(
                    f"The scan took longer than {deadline.seconds:g} seconds and was stopped."
                )
            for key, _ in selector.select(timeout=min(remaining, 1.0)):
                chunk = os.read(key.fd, 1 << 16)
                if not chunk:
                    selector.unregister(key.fileobj)
                    continue
                if key.data == "err":
                    stderr += chunk
                    del stderr[: max(0, len(stderr) - MAX_STDERR)]
                elif on_stdout is not None:
                    if on_stdout(chunk) is False:
                        stopped = True
                        break
                else:
                    size += len(chunk)
                    if size > max_output:
                        raise LimitExceeded("The repository produced more git output than allowed.")
                    stdout.append(chunk)
        if stopped:
            kill_process_group(proc)
        returncode = proc.wait(timeout=max(0.1, deadline.remaining()))
    except subprocess.TimeoutExpired:
        raise LimitExceeded(
            f"The scan took longer than {deadline.seconds:g} seconds and was stopped."
        ) from None
    finally:
        selector.close()
        if proc.poll() is None:
            kill_process_group(proc)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
    return ProcessResult(
        returncode=returncode,
        stdout=b"".join(stdout),
        stderr=stderr.decode("utf-8", "replace"),
        stopped_early=stopped,
    )


def kill_process_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=5)


_PERMANENT_FAILURES = (
    (
        (
            "authentication failed",
            "could not read username",
            "terminal prompts disabled",
            "returned error: 401",
            "returned error: 403",
            "invalid username or password",
        ),
        "The repository is private or the access token does not grant read access.",
    ),
    (
        (
            "repository not found",
            "returned error: 404",
            "not found",
            "does not appear to be a git",
            "not a git repository",
            "does not exist",
        ),
        "The repository was not found; check the URL.",
    ),
    (("couldn't find remote ref",), "The branch does not exist in the repository."),
    (("redirect",), "The server redirected the request; give the final repository URL."),
    (
        ("ssl certificate", "certificate verify", "server certificate"),
        "The server's TLS certificate could not be verified.",
    ),
    (("dubious ownership",), "The local repository belongs to another user and was not read."),
    (
        ("not allowed", "transport 'file' not allowed", "transport 'ext' not allowed"),
        "This kind of repository address is not allowed.",
    ),
)


def classify_failure(stderr: str, *, network: bool) -> RepositoryUnavailable:
    """Turn git's (already scrubbed) error text into a user sentence and a retry decision."""
    lower = stderr.lower()
    for needles, message in _PERMANENT_FAILURES:
        if any(needle in lower for needle in needles):
            return RepositoryUnavailable(message, transient=False, detail=stderr[-2000:])
    if network:
        return RepositoryUnavailable(
            "The repository could not be reached; the scan will be retried.",
            transient=True,
            detail=stderr[-2000:],
        )
    return RepositoryUnavailable(
        "The repository could not be read by git.", transient=False, detail=stderr[-2000:]
    )


# -- fetching --------------------------------------------------------------------------------


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
