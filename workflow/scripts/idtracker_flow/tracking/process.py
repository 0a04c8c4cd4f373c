"""Run a tracker as a child process that never outlives the job that started it.

Trackers spawn worker processes that survive a killed parent (idtracker.ai does). A tracker
runs here in its own process group (POSIX) so the whole group can be killed: on SIGTERM/SIGINT,
and when Snakemake itself disappears (kill -9), which a watchdog notices from the parent
processes vanishing.
"""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from idtracker_flow.tracking.run_lock import process_exists
from idtracker_flow.tracking.watchdog import Limits, Watchdog

PID_FILE = "tracker.pid"


def _parent_chain() -> list[int]:
    """This process's parent and grandparent (Snakemake runs scripts through a shell)."""
    chain = [os.getppid()]
    stat = Path(f"/proc/{chain[0]}/stat")
    if stat.exists():
        # Field 4 of /proc/<pid>/stat is the parent pid; the name in field 2 may hold spaces.
        grandparent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        if grandparent > 1:
            chain.append(grandparent)
    return chain


def kill_group(pgid: int) -> None:
    """SIGTERM the group, then SIGKILL what is left after a grace period."""
    if os.name == "nt":
        subprocess.run(["taskkill", "/F", "/T", "/PID", str(pgid)], capture_output=True)
        return
    for sig, wait in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 0.0)):
        try:
            os.killpg(pgid, sig)
        except (ProcessLookupError, PermissionError):
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                os.killpg(pgid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.2)


def kill_leftover(workdir: Path, marker: bytes) -> bool:
    """Kill a tracker group a previous, killed attempt of this job left running; `marker`
    is in the command line of that tracker's processes (its PROCESS_MARKER)."""
    pid_file = workdir / PID_FILE
    if not pid_file.exists() or os.name == "nt":
        return False
    try:
        pgid = int(pid_file.read_text().strip())
        cmdline = Path(f"/proc/{pgid}/cmdline").read_bytes()
    except (ValueError, OSError):
        pid_file.unlink(missing_ok=True)
        return False
    pid_file.unlink(missing_ok=True)
    # Only a group that is still our tracker (pids are reused by unrelated programs).
    if marker not in cmdline:
        return False
    kill_group(pgid)
    return True


def run(command: list[str], cwd: Path, env: dict, log, limits: Limits | None = None, on_start=None):
    """Run `command` in `cwd` with output appended to `log`; return (exit status, why the
    watchdog stopped it or None). `on_start(pid)` is called once it runs (its process group
    has the same number)."""
    cwd.mkdir(parents=True, exist_ok=True)
    options = {}
    if os.name == "nt":
        options["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP
    else:
        options["start_new_session"] = True
    log.flush()
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, **options
    )
    (cwd / PID_FILE).write_text(str(process.pid))
    if on_start is not None:
        on_start(process.pid)

    def stop(signum, _frame):
        kill_group(process.pid)
        sys.exit(128 + signum)

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, stop)
    if os.name != "nt":
        _watch_parents(process)
    stopped = []
    if limits is not None and (limits.stall_seconds or limits.min_free_bytes):
        _watch_progress(process, limits, stopped)
    status = process.wait()
    if os.name != "nt":
        # Worker processes may linger after the main one returns; they belong to this job.
        kill_group(process.pid)
    (cwd / PID_FILE).unlink(missing_ok=True)
    return status, (stopped[0] if stopped else None)


def _watch_parents(process) -> None:
    """Kill the tracker's group when Snakemake (the parents of this script) disappears."""
    parents = _parent_chain()

    def watch():
        while process.poll() is None:
            if not all(process_exists(pid) for pid in parents):
                kill_group(process.pid)
                os._exit(137)
            time.sleep(1.0)

    threading.Thread(target=watch, daemon=True).start()


def _watch_progress(process, limits: Limits, stopped: list, every: float = 2.0) -> None:
    """Stop the tracker's group when the watchdog names a reason (kept in `stopped`)."""
    watchdog = Watchdog(limits, process.pid)

    def watch():
        while process.poll() is None:
            time.sleep(every)
            if process.poll() is None and (reason := watchdog.check()):
                stopped.append(reason)
                kill_group(process.pid)
                return

    threading.Thread(target=watch, daemon=True).start()
