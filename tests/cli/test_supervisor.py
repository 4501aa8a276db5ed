"""The supervisor of `opencsms server serve --with-worker`, with real processes: it starts every command,
and Ctrl-C (SIGINT), SIGTERM or the end of one process stops them all.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

# A child that notes its pid, then sleeps until it is stopped (`sleep`), ignores SIGTERM (`deaf`) or exits
# with a code after some seconds (`3 0.5`).
CHILD = """
import os, sys, time
from pathlib import Path
if sys.argv[2] == "deaf":
    import signal
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
Path(sys.argv[1]).write_text(str(os.getpid()))
if sys.argv[2] not in ("sleep", "deaf"):
    time.sleep(float(sys.argv[3]))
    sys.exit(int(sys.argv[2]))
time.sleep(120)
"""

SUPERVISOR = """
import json, sys
from opencsms.cli.supervisor import supervise
sys.exit(supervise(json.loads(sys.argv[1]), grace=float(sys.argv[2])))
"""


def _start(
    tmp_path: Path, modes: list[list[str]], grace: float = 5.0
) -> tuple[subprocess.Popen[bytes], list[Path]]:
    pid_files = [tmp_path / f"child{index}.pid" for index in range(len(modes))]
    commands = [
        [sys.executable, "-c", CHILD, str(pid_file), *mode]
        for pid_file, mode in zip(pid_files, modes, strict=True)
    ]
    supervisor = subprocess.Popen([sys.executable, "-c", SUPERVISOR, json.dumps(commands), str(grace)])
    return supervisor, pid_files


def _pids(pid_files: list[Path], timeout: float = 20.0) -> list[int]:
    deadline = time.monotonic() + timeout
    while not all(path.exists() and path.read_text() for path in pid_files):
        assert time.monotonic() < deadline, "the children did not start"
        time.sleep(0.05)
    return [int(path.read_text()) for path in pid_files]


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_a_stop_signal_stops_both_processes(tmp_path: Path, stop: signal.Signals) -> None:
    supervisor, pid_files = _start(tmp_path, [["sleep"], ["sleep"]])
    pids = _pids(pid_files)
    assert all(_running(pid) for pid in pids)
    supervisor.send_signal(stop)
    assert supervisor.wait(timeout=20) == 0
    assert [_running(pid) for pid in pids] == [False, False]


def test_when_one_process_ends_the_other_is_stopped_and_its_exit_code_kept(tmp_path: Path) -> None:
    supervisor, pid_files = _start(tmp_path, [["sleep"], ["3", "0.5"]])
    pids = _pids(pid_files)
    assert supervisor.wait(timeout=20) == 3
    assert [_running(pid) for pid in pids] == [False, False]


def test_a_process_that_ignores_sigterm_is_killed_after_the_grace_period(tmp_path: Path) -> None:
    supervisor, pid_files = _start(tmp_path, [["deaf"], ["sleep"]], grace=0.5)
    pids = _pids(pid_files)
    supervisor.send_signal(signal.SIGINT)
    assert supervisor.wait(timeout=20) == 0
    assert [_running(pid) for pid in pids] == [False, False]
