"""Reading a failed step from its log: which step failed, and the line that says why."""

from pathlib import Path

from idtracker_flow import trackers
from idtracker_flow.project.steps import AFTER_TRACKING, COPY, STEPS, TRACK, Step


def failed_step(facts, files, video: str, job: str, to_run=()) -> tuple[Step, Path] | None:
    """The step whose last attempt failed: the first step without output whose log exists and
    has no success line, or a step due to run again (`to_run`) whose previous output was kept
    while its newer log says it failed (a damaged session file is never copied over a good
    copy). None when the job never failed (or the log is gone)."""
    for step in STEPS:
        log = Path(step.log_of(video, job))
        output_time = facts.output_time[step.name]
        if output_time is not None:
            log_time = files.output_mtime(log) if step.name in to_run else None
            if log_time is None or log_time <= output_time or _succeeded(step, log):
                continue
            return step, log
        if not files.exists(log):
            return None
        return None if _succeeded(step, log) else (step, log)
    return None


def copy_failed_after_a_good_one(video: str, job: str) -> tuple[Step, Path] | None:
    """The last copy failed (a damaged session file) and Snakemake put the previous copy back
    (the copy step's output is flagged update()): Snakemake sees nothing to do, but the job
    needs a look."""
    log = Path(COPY.log_of(video, job))
    if not log.is_file() or not Path(COPY.output_of(video, job)).is_file():
        return None
    return None if _succeeded(COPY, log) else (COPY, log)


def after_tracking_failed(files, video: str, job: str) -> tuple[Step, Path] | None:
    """The first step after tracking (export, QC, behaviour) whose last attempt failed: its
    log has no success line and is newer than its output (put back by Snakemake), or its
    output is missing."""
    for step in AFTER_TRACKING:
        log = Path(step.log_of(video, job))
        log_time = files.output_mtime(log)
        if log_time is None:
            continue
        output_time = files.output_mtime(step.output_of(video, job))
        if output_time is not None and log_time <= output_time:
            continue
        if not _succeeded(step, log):
            return step, log
    return None


def _succeeded(step: Step, log: Path) -> bool:
    try:
        return step.succeeded(log.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return True  # nothing to show


def first_problem(log_path: Path, step: Step) -> str:
    """The line of a failed step's log that says what went wrong: the tracker's own first
    error line where it has one (idtracker.ai's first CRITICAL message), else the
    workflow's own message (its scripts write it first) with its "What to do:" line."""
    try:
        text = log_path.read_text(encoding="utf-8", errors="replace")
    except OSError as error:
        return f"its log cannot be read ({error.strerror})"
    for tracker in trackers.registered():  # each reads only its own log format
        if (line := tracker.failure_line(text)) is not None:
            return line
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    # The workflow's message first: it holds the tracker's reason and says what to do.
    for found in (lambda line: line.startswith("Job "), lambda line: "Error" in line):
        for at, line in enumerate(lines):
            if found(line):
                return line + _advice(lines[at + 1 : at + 2])
    if lines and step is not TRACK:
        return lines[0]
    return "interrupted before it finished (no error message)"


def _advice(following: list[str]) -> str:
    """The workflow's advice when the next line gives it (messages say why, then what to do)."""
    return f" {following[0]}" if following and following[0].startswith("What to do:") else ""
