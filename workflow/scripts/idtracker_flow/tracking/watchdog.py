"""Stop a tracker that can no longer finish, so that one job never holds up the batch.

A tracker that hits a full disk may hang, idle, for hours (idtracker.ai, seen: over 10 minutes
with no output, until stopped by hand), or fail with an error that says nothing about space. The
watchdog looks every few seconds at what a working tracker changes (its log, its session
folder, the CPU time of its processes) and at the free space under the folders it writes to;
when the tracker made no progress for `stall_seconds`, or the space fell under `min_free`, it
names the reason and the job is stopped. A look costs a few stat calls (bench: microseconds).
"""

import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Limits:
    stall_seconds: float = 0.0  # 0: never stop for lack of progress
    min_free_bytes: int = 0  # stop when a watched disk has less free space
    disks: list[Path] = field(default_factory=list)  # folders whose disks must not fill up
    progress: list[Path] = field(default_factory=list)  # folders a working tracker changes
    program: str = "idtracker.ai"  # the tracker, as the user knows it


def megabytes(n_bytes: float) -> str:
    return f"{n_bytes / 1e6:,.1f} MB"


def free_space_problem(limits: Limits) -> str | None:
    for folder in limits.disks:
        existing = next((p for p in (folder, *folder.parents) if p.exists()), Path("."))
        free = shutil.disk_usage(existing).free
        if free < limits.min_free_bytes:
            return (
                f"disk full in {folder}: {megabytes(free)} free, jobs need at least"
                f" {megabytes(limits.min_free_bytes)}"
            )
    return None


def newest_change(folders: list[Path]) -> float:
    """The newest modification time of anything in these folders (0 when none exist)."""
    newest = 0.0
    for folder in folders:
        for root, dirs, files in os.walk(folder):
            for name in [*files, *dirs]:
                try:
                    newest = max(newest, os.stat(os.path.join(root, name)).st_mtime)
                except OSError:
                    continue
    return newest


def cpu_seconds(pid: int) -> float:
    """CPU time of the process and its children (psutil comes with Snakemake)."""
    import psutil

    try:
        process = psutil.Process(pid)
        tree = [process, *process.children(recursive=True)]
    except psutil.Error:
        return 0.0
    total = 0.0
    for member in tree:
        try:
            times = member.cpu_times()
            total += times.user + times.system
        except psutil.Error:
            continue
    return total


class Watchdog:
    """Call `check()` every few seconds while the tracker runs; a reason means stop it."""

    def __init__(self, limits: Limits, pid: int, clock=time.monotonic):
        self.limits, self.pid, self.clock = limits, pid, clock
        self.last_progress = clock()
        self.last_change = newest_change(limits.progress)
        self.last_cpu = cpu_seconds(pid)

    def check(self) -> str | None:
        if self.limits.min_free_bytes and (problem := free_space_problem(self.limits)):
            return problem
        if not self.limits.stall_seconds:
            return None
        change, cpu = newest_change(self.limits.progress), cpu_seconds(self.pid)
        if change > self.last_change or cpu >= self.last_cpu + 1.0:
            self.last_progress, self.last_change, self.last_cpu = self.clock(), change, cpu
            return None
        idle = self.clock() - self.last_progress
        if idle >= self.limits.stall_seconds:
            return (
                f"{self.limits.program} made no progress for {idle:.0f} s (its log and session"
                " did not change and it used no CPU), so it was stopped"
            )
        return None
