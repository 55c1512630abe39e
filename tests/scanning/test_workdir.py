"""Killed scans leave nothing behind: their git dies with them and their directory is swept.

The processes here are real: a scan directory "left behind" was made by a Python process that
has since exited, and git's stand-in is started through the scanner's own `run_process`.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assessments.scanning import ScanLimits, scan_repository, sweep_scan_dirs
from assessments.scanning.workdir import SCAN_DIR_PREFIX, host_label, make_scan_dir

from . import archetypes
from .gitrepo import make_repo

ROOT = Path(__file__).resolve().parents[2]
linux_only = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the parent-death signal is a Linux feature"
)


def python(code: str, *args: str, **kwargs) -> subprocess.Popen:
    """A Python process that imports the project the way a worker does."""
    return subprocess.Popen([sys.executable, "-c", code, *args], cwd=ROOT, **kwargs)


MAKES_A_SCAN_DIR = """
import sys
from assessments.scanning.workdir import make_scan_dir

print(make_scan_dir(sys.argv[1]))
"""


def left_behind(folder: Path) -> Path:
    """The scan directory of a process that exited without removing it (as if killed)."""
    process = python(MAKES_A_SCAN_DIR, str(folder), stdout=subprocess.PIPE, text=True)
    stdout, _ = process.communicate(timeout=30)
    assert process.returncode == 0
    return Path(stdout.strip())


def start_time(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()[19])


def is_gone(pid: int) -> bool:
    """True once `pid` has exited (a zombie waiting for its parent counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
    except FileNotFoundError:
        return True
    return stat.rsplit(b")", 1)[1].split()[0] in {b"Z", b"X"}


def wait_for(predicate, *, timeout: float, message: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(message)
        time.sleep(0.05)


# -- naming ------------------------------------------------------------------------------------


def test_a_scan_directory_is_named_after_the_process_that_owns_it(tmp_path):
    made = Path(make_scan_dir(str(tmp_path)))
    assert made.parent == tmp_path
    assert made.name.startswith(f"{SCAN_DIR_PREFIX}{host_label()}-{os.getpid()}-")
    assert made.stat().st_mode & 0o777 == 0o700


def test_a_scan_makes_its_directory_in_the_work_folder_and_removes_it(tmp_path):
    work = tmp_path / "missing" / "work"
    repo = make_repo(tmp_path / "repo", archetypes.TRAINING_SCRIPTS)
    assert scan_repository(str(repo), limits=ScanLimits(work_dir=str(work))).commit
    assert work.is_dir()
    assert list(work.iterdir()) == []


# -- the sweep ---------------------------------------------------------------------------------


def test_the_directory_of_an_exited_process_is_swept(tmp_path):
    leftover = left_behind(tmp_path)
    (leftover / "repository.git").mkdir()
    (leftover / "repository.git" / "HEAD").write_text("ref: refs/heads/main\n")
    assert sweep_scan_dirs(str(tmp_path)) == 1
    assert list(tmp_path.iterdir()) == []


def test_the_directory_of_a_running_process_is_kept(tmp_path):
    mine = Path(make_scan_dir(str(tmp_path)))
    assert sweep_scan_dirs(str(tmp_path)) == 0
    assert mine.is_dir()


@linux_only
def test_a_reused_pid_does_not_keep_a_dead_owners_directory(tmp_path):
    # This process has the pid, but started at another time than the directory's owner did.
    pid = os.getpid()
    stale = tmp_path / f"{SCAN_DIR_PREFIX}{host_label()}-{pid}-{start_time(pid) + 1}-ab12cd34"
    stale.mkdir()
    mine = Path(make_scan_dir(str(tmp_path)))
    assert sweep_scan_dirs(str(tmp_path)) == 1
    assert not stale.exists()
    assert mine.is_dir()


@linux_only
def test_the_directory_of_an_exited_process_not_yet_waited_for_is_swept(tmp_path):
    zombie = python(MAKES_A_SCAN_DIR, str(tmp_path), stdout=subprocess.DEVNULL)
    wait_for(lambda: is_gone(zombie.pid), timeout=30, message="the child did not exit")
    try:
        assert [path.name.split("-")[-3] for path in tmp_path.iterdir()] == [str(zombie.pid)]
        assert sweep_scan_dirs(str(tmp_path)) == 1
    finally:
        zombie.wait(timeout=5)


def test_other_hosts_directories_and_other_names_are_left_alone(tmp_path):
    dead = left_behind(tmp_path)
    owner = dead.name.removeprefix(f"{SCAN_DIR_PREFIX}{host_label()}-")
    untouched = [
        tmp_path / f"{SCAN_DIR_PREFIX}another-host-{owner}",
        tmp_path / f"{SCAN_DIR_PREFIX}ab12cd34",  # an older scanner's name
        tmp_path / f"{SCAN_DIR_PREFIX}throughput-ab12cd34",
        tmp_path / f"scan-{host_label()}-{owner}",
        tmp_path / f"{dead.name}.bak",
    ]
    for path in untouched:
        path.mkdir()
    a_file = tmp_path / f"{SCAN_DIR_PREFIX}{host_label()}-1999999999-0-ab12cd34"
    a_file.write_text("not a directory\n")
    assert sweep_scan_dirs(str(tmp_path)) == 1
    assert not dead.exists()
    assert sorted(tmp_path.iterdir()) == sorted([*untouched, a_file])


def test_a_symbolic_link_inside_a_leftover_is_removed_not_followed(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious.txt").write_text("keep me\n")
    work = tmp_path / "work"
    leftover = left_behind(work)
    (leftover / "home").mkdir()
    (leftover / "home" / "link").symlink_to(outside, target_is_directory=True)
    (leftover / "file-link").symlink_to(outside / "precious.txt")
    assert sweep_scan_dirs(str(work)) == 1
    assert not leftover.exists()
    assert (outside / "precious.txt").read_text() == "keep me\n"


def test_a_symbolic_link_named_like_a_leftover_is_left_alone(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious.txt").write_text("keep me\n")
    work = tmp_path / "work"
    dead_name = left_behind(work).name
    (work / dead_name).rmdir()
    (work / dead_name).symlink_to(outside, target_is_directory=True)
    assert sweep_scan_dirs(str(work)) == 0
    assert (work / dead_name).is_symlink()
    assert (outside / "precious.txt").read_text() == "keep me\n"


def test_a_spent_budget_leaves_the_rest_to_the_next_sweep(tmp_path):
    leftover = left_behind(tmp_path)
    assert sweep_scan_dirs(str(tmp_path), budget_seconds=0) == 0
    assert leftover.is_dir()
    assert sweep_scan_dirs(str(tmp_path), budget_seconds=5) == 1


def test_a_folder_no_scan_has_used_yet_has_nothing_to_sweep(tmp_path):
    assert sweep_scan_dirs(str(tmp_path / "never-made")) == 0


# -- git dies with the process that started it -------------------------------------------------

STARTS_A_LONG_CHILD = """
import sys
from assessments.scanning.git import Deadline, run_process

# A git stand-in that records its pid, then outlives any scan.
run_process(
    ["/bin/sh", "-c", 'echo $$ > "$0.tmp" && mv "$0.tmp" "$0" && exec sleep 120', sys.argv[1]],
    env={"PATH": "/usr/bin:/bin"},
    cwd=sys.argv[2],
    deadline=Deadline(300),
)
"""


@linux_only
@pytest.mark.timeout(60)
def test_a_child_started_by_run_process_dies_when_its_parent_is_killed(tmp_path):
    pid_file = tmp_path / "child.pid"
    parent = python(STARTS_A_LONG_CHILD, str(pid_file), str(tmp_path), start_new_session=True)
    try:
        wait_for(pid_file.exists, timeout=30, message="the parent did not start its child")
        child = int(pid_file.read_text())
        assert not is_gone(child)
        # What the OOM killer does: the parent gets no chance to stop its child.
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=10)
        wait_for(lambda: is_gone(child), timeout=5, message=f"the child {child} outlived it")
    finally:
        parent.kill()
        parent.wait(timeout=10)
        if pid_file.exists() and not is_gone(int(pid_file.read_text())):
            os.kill(int(pid_file.read_text()), signal.SIGKILL)


FORKS_BEFORE_STARTING = """
import os, subprocess
from assessments.scanning.git import die_with_parent

arm = die_with_parent()
fork = os.fork()
if fork == 0:
    # The child's parent is not the process the signal was meant for: as if that one had died
    # (and the child been adopted) before the signal was armed.
    os._exit(subprocess.Popen(["sleep", "120"], preexec_fn=arm).wait())
print(os.waitstatus_to_exitcode(os.waitpid(fork, 0)[1]))
"""


@linux_only
@pytest.mark.timeout(60)
def test_a_child_whose_parent_is_already_gone_does_not_start(tmp_path):
    process = python(
        FORKS_BEFORE_STARTING, stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        stdout, _ = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        raise AssertionError("the child ran although its parent was not the expected one") from None
    assert stdout.strip() == "1"
