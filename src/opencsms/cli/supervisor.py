"""Run several processes as one: start them all, stop them all (`opencsms server serve --with-worker`).

When the supervisor gets SIGINT (Ctrl-C) or SIGTERM, or when one of its processes ends, it asks every
process still running to stop (SIGTERM), waits up to `grace` seconds for each and kills what is left, so
no worker or server outlives the command that started it. Django-free: plain `subprocess` and `signal`.
"""

from __future__ import annotations

import signal
import subprocess
import threading
from collections.abc import Sequence
from types import FrameType

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def supervise(commands: Sequence[Sequence[str]], *, grace: float = 10.0) -> int:
    """Run `commands` side by side until a stop signal or until one of them ends; return the exit code:
    0 after a stop signal, else the code of the process that ended first."""
    stopping = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    previous = {number: signal.signal(number, stop) for number in STOP_SIGNALS}
    processes: list[subprocess.Popen[bytes]] = []
    ended: list[int] = []
    try:
        for command in commands:
            processes.append(subprocess.Popen(list(command)))  # noqa: S603 - our own command lines
        while not stopping.is_set() and not ended:
            stopping.wait(0.2)
            ended = [code for code in (process.poll() for process in processes) if code is not None]
    finally:
        terminate(processes, grace=grace)
        for number, handler in previous.items():
            signal.signal(number, handler)
    return 0 if stopping.is_set() else ended[0]


def terminate(processes: Sequence[subprocess.Popen[bytes]], *, grace: float) -> None:
    """Ask each running process to stop, wait up to `grace` seconds for each, then kill what is left."""
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
