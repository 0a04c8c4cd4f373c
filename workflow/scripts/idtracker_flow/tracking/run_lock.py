"""Tell a Snakemake run that is still working from the stale lock a killed one left behind.

Snakemake locks the project folder while it runs and cannot tell, after a kill -9 or a power
cut, that the lock is stale. The workflow records the running Snakemake's process id (onstart)
so `pixi run track` can check whether that process still exists.
"""

import json
import os
import socket
import time
from pathlib import Path

RUN_INFO = Path(".snakemake/idtracker-flow-run.json")
LOCKS = Path(".snakemake/locks")


def record_run(path: Path = RUN_INFO) -> None:
    """Called in Snakemake's own process when a run starts."""
    path.parent.mkdir(parents=True, exist_ok=True)
    info = {"pid": os.getpid(), "host": socket.gethostname(), "started": time.time()}
    path.write_text(json.dumps(info))


def forget_run(path: Path = RUN_INFO) -> None:
    path.unlink(missing_ok=True)


def process_exists(pid: int) -> bool:
    if os.name == "nt":
        import ctypes

        handle = ctypes.windll.kernel32.OpenProcess(0x1000, False, pid)  # query-limited info
        if handle:
            ctypes.windll.kernel32.CloseHandle(handle)
        return bool(handle)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def running_run(path: Path = RUN_INFO) -> dict | None:
    """The run that holds this folder now, or None. A run on another host counts as running
    (its process cannot be checked from here)."""
    if not LOCKS.is_dir() or not any(LOCKS.glob("*.lock")):
        return None
    try:
        info = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if info.get("host") != socket.gethostname() or process_exists(int(info["pid"])):
        return info
    return None


def stale_lock(path: Path = RUN_INFO) -> dict | None:
    """The record of a run that was killed while holding the lock, or None."""
    if not LOCKS.is_dir() or not any(LOCKS.glob("*.lock")):
        return None
    try:
        info = json.loads(path.read_text())
    except (OSError, ValueError):
        return None  # locked by a run we know nothing about: leave it to Snakemake
    if info.get("host") == socket.gethostname() and not process_exists(int(info["pid"])):
        return info
    return None
