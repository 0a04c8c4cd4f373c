"""What a run says when a step fails and when it ends (and the notice it sends)."""

from pathlib import Path

from idtracker_flow.console import estimate, notify
from idtracker_flow.console.batch import Batch, Failure
from idtracker_flow.project import layout
from idtracker_flow.project.steps import BY_NAME, TRACK, of_rule

RETRIED = "This can pass: the job is tried again."  # run_tracking.py, a transient failure


def failure_reason(failure: Failure) -> str:
    """The line of the failed step's log that says why (as `pixi run status` says it)."""
    from idtracker_flow.recordings.state import refusal
    from idtracker_flow.state.failures import first_problem

    if not failure.logs:
        return f"{failure.step} failed"
    if failure.name.startswith("recording "):
        try:
            text = Path(failure.logs[0]).read_text(encoding="utf-8", errors="replace")
        except OSError as error:
            return f"its log cannot be read ({error.strerror})"
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        return refusal(text) or (lines[-1] if lines else "stopped before it finished")
    # A rule of several parts (analyse_job) has a log per part: the first that failed says.
    parts = of_rule(failure.step) or (BY_NAME.get(failure.step, TRACK),)
    for step, log in zip(parts, failure.logs):
        if not _succeeded(step, Path(log)):
            return first_problem(Path(log), step)
    return first_problem(Path(failure.logs[0]), parts[0])


def _succeeded(step, log: Path) -> bool:
    try:
        return step.succeeded(log.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return False


def will_be_retried(rule: str, logs: list[str]) -> bool:
    """A tracking attempt whose failure can pass: Snakemake runs it again in this run."""
    if rule != TRACK.name or not logs:
        return False
    try:
        return (
            Path(logs[0]).read_text(encoding="utf-8", errors="replace").rstrip().endswith(RETRIED)
        )
    except OSError:
        return False


def judged(batch: Batch):
    """Every job's state as `pixi run status` judges it from the files, now that the run is
    over: the end list, its counts and the notice say what status says. (statuses, the
    recordings' lines)"""
    from idtracker_flow.recordings.state import recording_lines
    from idtracker_flow.state import facts, verdict

    project = facts.Project()
    statuses = verdict.collect(project)
    recordings = [line for line in recording_lines(project, statuses) if line.startswith("  ")]
    return statuses, recordings


def run_summary(batch: Batch, stopped: bool, statuses=None, recordings=()) -> notify.RunSummary:
    table = layout.QC_SUMMARY_CSV if Path(layout.QC_SUMMARY_CSV).is_file() else ""
    if statuses is None:  # no judgement (a run stopped before anything): Snakemake's events
        failed = [(f.name, f.reason) for f in batch.failures]
        done, jobs = batch.done, batch.planned
    else:
        failed = [(s.name, s.reason) for s in statuses if s.state == "failed"]
        names = batch.touched | {name for name, _ in failed}
        jobs = len([n for n in names if not n.startswith("recording ")])
        done = sum(1 for s in statuses if s.state == "done" and s.name in batch.touched)
    return notify.RunSummary(
        done=done,
        failed=failed,
        planned=jobs,
        seconds=estimate.time_since(batch.started),
        quality_table=table,
        stopped=stopped,
        recordings=list(recordings),
    )


def end_of_run(
    batch: Batch, errors: list[str], full_log: str, interrupted: bool = False
) -> tuple[list[str], list[str]]:
    """The lines printed when the run ends, and the notice's problems (one line each)."""
    cut_off = sorted(job.name for job in batch.running.values())
    stopped = interrupted or bool(cut_off)
    try:
        statuses, recordings = judged(batch)
    except Exception as error:  # never hide the run's own end behind this
        statuses, recordings = None, [f"  (the jobs' states cannot be read: {error})"]
    result = run_summary(batch, stopped, statuses, recordings)
    lines = ["", result.title()]
    if cut_off:
        lines.append(
            f"Stopped while tracking {', '.join(cut_off)}: the tracker was stopped there;"
            " what it had done is not kept, and the next `pixi run track` tracks"
            f" {'it' if len(cut_off) == 1 else 'them'} again. Finished jobs are kept."
        )
    # With its reason, as `pixi run status` words it: this is the run's one list of failures
    # (the Snakefile's own end-of-run list is left out when the console draws).
    lines += result.failure_lines()
    if result.quality_table:
        lines.append(f"Quality table: {result.quality_table} (`pixi run report` shows it)")
    lines += analysis_files()
    if full_log:
        lines.append(f"Snakemake's full log: {full_log}")
    problems = []
    if batch.planned or batch.failures or errors:
        problems = notify.send(_notify_settings(), result)
    return lines, problems


def _notify_settings() -> dict:
    from idtracker_flow.project.config import CONFIG, ConfigError, load_yaml

    try:
        settings = (load_yaml(CONFIG) or {}).get("notify") or {}
    except (ConfigError, OSError, AttributeError):
        return {}
    return settings if isinstance(settings, dict) else {}


def analysis_files() -> list[str]:
    """Where a person finds what the run made for analysis (what exists of it)."""
    lines = []
    if any(Path("tracking").glob("*/*.provenance.json")):
        lines.append(
            "Analysis files: tracking/<video>/<job>.movement.nc, .tidy.parquet, .provenance.json"
        )
    if any(Path("recordings").glob(f"*/{Path(layout.RECORDING_SUMMARY).name}")):
        lines.append(
            "  recordings (parts joined, one identity per animal): recordings/<recording>/"
        )
    if Path(layout.BEHAVIOUR_SUMMARY_HTML).is_file():
        lines.append(f"  behaviour: {layout.BEHAVIOUR_SUMMARY_HTML}")
    return lines
