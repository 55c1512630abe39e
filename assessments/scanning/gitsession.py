"""How git runs on an untrusted repository: clean, hardened, pinned, its errors scrubbed.

Why each measure exists:
- a fresh environment (no inherited variables, HOME in the temp dir, no system or global
  config) so nothing on the worker changes what git does, and no proxy bypasses pinning;
- no prompts, no credential helpers, no hooks, no submodules, no redirects, no protocol other
  than https (or file for an allowed local path), and ``--`` before every positional argument;
- the address checked by ``addresses.validate_repository_url`` is pinned with
  ``http.curloptResolve`` so a second DNS answer cannot point the fetch somewhere private;
- the access token travels in an ``http.extraHeader`` set through GIT_CONFIG_* variables: it
  never appears on a command line (process lists) and is scrubbed from every error text.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
from collections.abc import Callable

from .addresses import SafeRepositoryURL
from .errors import GitUnavailable, RepositoryUnavailable
from .processes import DEFAULT_MAX_OUTPUT, Deadline, ProcessResult, die_with_parent, run_process


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
