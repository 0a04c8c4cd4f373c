"""What a run says when a step fails and when it ends (and the notice it sends)."""

from pathlib import Path

from idtracker_flow.console import estimate, notify
from idtracker_flow.console.batch import Batch, Failure
from idtracker_flow.project import layout
from idtracker_flow.project.steps import BY_NAME, TRACK


def failure_reason(failure: Failure) -> str:
    """The line of the failed step's log that says why (as `pixi run status` says it)."""
    from idtracker_flow.state.failures import first_problem

    step = BY_NAME.get(failure.step, TRACK)
    if not failure.logs:
        return f"{step.doing} failed"
    return first_problem(Path(failure.logs[0]), step)


def run_summary(batch: Batch, stopped: bool) -> notify.RunSummary:
    table = layout.QC_SUMMARY_CSV if Path(layout.QC_SUMMARY_CSV).is_file() else ""
    return notify.RunSummary(
        done=batch.done,
        failed=[(f.name, f.logs[0] if f.logs else "") for f in batch.failures],
        planned=batch.planned,
        seconds=estimate.time_since(batch.started),
        quality_table=table,
        stopped=stopped,
    )


def end_of_run(
    batch: Batch, errors: list[str], full_log: str, interrupted: bool = False
) -> tuple[list[str], list[str]]:
    """The lines printed when the run ends, and the notice's problems (one line each)."""
    cut_off = sorted(job.name for job in batch.running.values())
    stopped = interrupted or bool(cut_off)
    result = run_summary(batch, stopped)
    lines = ["", result.title()]
    if cut_off:
        lines.append(
            f"Stopped while tracking {', '.join(cut_off)}: the tracker was stopped there;"
            " what it had done is not kept, and the next `pixi run track` tracks"
            f" {'it' if len(cut_off) == 1 else 'them'} again. Finished jobs are kept."
        )
    # With its reason: this is the run's one list of failures (the Snakefile's own end-of-run
    # list is left out when the console draws).
    for failure in batch.failures:
        log = failure.logs[0] if failure.logs else "-"
        lines.append(f"  failed: {failure.name}: {failure.reason} (log: {log})")
    if result.quality_table:
        lines.append(f"Quality table: {result.quality_table} (`pixi run report` shows it)")
    lines += analysis_files() + recordings()
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


def recordings() -> list[str]:
    """Each recording's line, as `pixi run status` prints it: matched, flagged and why, or
    waiting for which part (read from the files, so a recording this run did not touch is
    there too)."""
    from idtracker_flow.recordings.state import recording_lines
    from idtracker_flow.state.facts import Project
    from idtracker_flow.state.verdict import collect

    try:
        project = Project()
        return recording_lines(project, collect(project))
    except Exception as error:  # the end of a run must not fail over this list
        return [f"(the recordings' states could not be read: {error})"]
