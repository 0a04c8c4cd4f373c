"""The batch's progress as `pixi run status --watch` shows it: the counts, the time left (the
same estimate as the run's console) and the stage of each job a tracker works on now."""

import os
import time
from pathlib import Path

from idtracker_flow.console import estimate
from idtracker_flow.console.durations import finished_durations
from idtracker_flow.console.logs import stage_reader
from idtracker_flow.project import layout
from idtracker_flow.project.steps import TRACK
from idtracker_flow.state.verdict import JobStatus, totals
from idtracker_flow.tracking.process import PID_FILE

WAITING = ("pending", "outdated", "running")
TAIL = 1 << 20  # the stage is read from at most the last 1 MB of a job's log


def tracking_now(statuses: list[JobStatus]) -> list[JobStatus]:
    """Jobs whose tracking step runs now (not those waiting their turn in the run)."""
    return [s for s in statuses if s.state == "running" and s.reason.startswith(TRACK.doing)]


def started(status: JobStatus) -> float | None:
    """When the tracker started on this job: its process-group file, written at start."""
    try:
        return os.stat(
            Path(layout.job_file(layout.WORKDIR, status.video, status.job), PID_FILE)
        ).st_mtime
    except OSError:
        return None


def stage(status: JobStatus) -> str:
    try:
        with open(TRACK.log_of(status.video, status.job), "rb") as handle:
            handle.seek(max(os.fstat(handle.fileno()).st_size - TAIL, 0))
            text = handle.read().decode("utf-8", errors="replace")
    except OSError:
        return "starting"
    return stage_reader((status.video, status.job)).feed(text + "\n").describe()


def progress_lines(statuses: list[JobStatus], now: float | None = None) -> list[str]:
    now = now or time.time()
    counts = totals(statuses)
    running = tracking_now(statuses)
    durations = finished_durations()  # every tracking record, also of jobs not copied yet
    elapsed = {s.name: now - (started(s) or now) for s in running}
    to_track = [s for s in statuses if s.state in WAITING and TRACK.name in s.steps]
    waiting = len(to_track) - len(running)
    left = estimate.time_left(durations, list(elapsed.values()), waiting, max(len(running), 1))
    if not running and not waiting:
        left = 0.0
    lines = [
        f"{counts['done']} done, {counts['failed']} failed, {len(running)} tracking,"
        f" {waiting} waiting of {len(statuses)} jobs | {estimate.left(left)}"
        f" (from {len(durations)} finished jobs, {max(len(running), 1)} at a time)"
    ]
    for status in running:
        lines.append(f"  {status.name}: {stage(status)}, {estimate.clock(elapsed[status.name])}")
    return lines
