"""Retry a tracking job within the run only for a failure that a retry can fix.

Snakemake's `retries` runs a failed job again whatever the cause. A transient failure (the
tracker killed by the system's out-of-memory killer or by the cluster, CUDA out of memory, no
GPU slot in time) is worth another attempt, with more memory and time on a cluster (the SLURM
profile's resources grow with the attempt). A settings, video or disk problem fails the same
way again: such an attempt stops at once and says so. Each attempt leaves a note beside the
job's log saying how it failed (Snakemake removes the log itself before the next attempt, so
that attempt repeats the message); an attempt that died without one (killed from outside, e.g.
SLURM TIMEOUT, NODE_FAIL, PREEMPTED) counts as transient. A failed attempt's whole log is
kept beside it as `<log>.attempt<N>.log` (the tracker's own output: the next attempt's log
replaces it).
"""

import hashlib
import json
import os
import shutil
from pathlib import Path

from idtracker_flow.project import atomic_files
from idtracker_flow.trackers.protocol import CUDA_OUT_OF_MEMORY

__all__ = [
    "CUDA_OUT_OF_MEMORY",
    "forget",
    "forget_attempts",
    "keep_attempt",
    "previous",
    "remember",
]


# Where the note goes when the log's disk is full (a stall or a disk-full failure, exactly
# when the decision "do not retry" matters most): memory, not the full disk.
SPARE_FOLDER = Path("/dev/shm")


def note_path(log: Path) -> Path:
    return Path(f"{log}.failure.json")


def spare_note_path(log: Path) -> Path:
    key = hashlib.sha1(os.path.abspath(log).encode()).hexdigest()[:16]
    return SPARE_FOLDER / f"idtracker-flow-{key}.failure.json"


def remember(log: Path, message: str, transient: bool) -> None:
    # The whole message: Snakemake removes a failed attempt's log before the next one.
    text = json.dumps({"transient": transient, "reason": message})
    try:
        atomic_files.write_text(note_path(log), text)
        return
    except OSError:
        pass
    try:
        spare_note_path(log).write_text(text)
    except OSError:
        pass  # nowhere to write: the next attempt finds no note (see previous)


def forget(log: Path) -> None:
    for path in (note_path(log), spare_note_path(log)):
        try:
            path.unlink(missing_ok=True)
        except OSError:
            continue


def previous(log: Path) -> dict:
    """How the previous attempt failed; {"transient": True} when it left no note."""
    for path in (note_path(log), spare_note_path(log)):
        try:
            record = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        return record if isinstance(record, dict) else {"transient": True, "reason": ""}
    return {"transient": True, "reason": "it was stopped from outside (no note left)"}


def attempt_log(log: Path, attempt: int) -> Path:
    return Path(f"{log}.attempt{attempt}.log")


def keep_attempt(log: Path, attempt: int) -> Path | None:
    """Copy a failed attempt's log beside it (None when it cannot be read)."""
    try:
        shutil.copyfile(log, attempt_log(log, attempt))
    except OSError:
        return None
    return attempt_log(log, attempt)


def forget_attempts(log: Path) -> None:
    """A new run: the attempts of an earlier one say nothing about it."""
    for old in Path(log).parent.glob(f"{Path(log).name}.attempt*.log"):
        try:
            old.unlink(missing_ok=True)
        except OSError:
            continue
