"""Rule `analyse_job`: everything made from one tracked job, in one process: its analysis
files (idtracker_flow.exports), its QC row and plots (idtracker_flow.qc) and its behaviour
table and pictures (idtracker_flow.behaviour), each part with its own log.

One process instead of three: movement, pandas and matplotlib are imported once per job. The
QC part does not need the analysis files and runs even when they fail; behaviour reads the
movement dataset and waits for them. The step fails when any part failed (Snakemake then puts
the previous good files back: every output is flagged update())."""

import sys
import traceback
from pathlib import Path

from idtracker_flow import trackers
from idtracker_flow.project import disk_full, layout, step_log, steps
from idtracker_flow.project.json_files import read_json


class PartFailed(Exception):
    """A part stopped with its message in its log."""


def export_part(smk, video: str, job: str, log) -> None:
    from idtracker_flow.exports import job as export
    from idtracker_flow.exports.individuals import NamesError

    outputs = {name: Path(smk.output[name]) for name in export_names(smk)}
    try:
        with disk_full.explained(f"Job {layout.job_id(video, job)}", smk.output[0], log):
            written = export.export_job(
                video,
                job,
                Path(smk.input.trajectories),
                Path(smk.input.tracked),
                Path(smk.input.settings),
                outputs,
                smk.params.exports,
            )
    except NamesError as error:
        print(f"Job {layout.job_id(video, job)}: {error}", file=log)
        raise PartFailed from error
    for path in written:
        print(f"Wrote {path}", file=log)
    for path in export.stale_files(video, job, {k: str(v) for k, v in outputs.items()}):
        path.unlink()  # made again by `pixi run export` when config asks for it again
        print(f"Removed {path}: config `exports` no longer asks for this format", file=log)
    print(steps.EXPORT.success_line(layout.job_id(video, job)), file=log)


def qc_part(smk, video: str, job: str, log) -> None:
    from idtracker_flow.qc import metrics
    from idtracker_flow.qc.job import make_job_qc

    tracker = trackers.for_record(read_json(smk.input.tracked))
    if problem := tracker.result_problem(Path(smk.input.trajectories)):
        print(
            f"Job {layout.job_id(video, job)}: {problem}.\nWhat to do: run `pixi run copy`"
            " to copy the session's trajectories again, or `pixi run track` to track again.",
            file=log,
        )
        raise PartFailed
    session = layout.job_path(layout.SESSION, video, job)
    for note in tracker.qc_notes(session):
        print(note, file=log)
    row = make_job_qc(
        video,
        job,
        Path(smk.input.trajectories),
        session,
        Path(smk.input.tracked),
        dict(smk.params.thresholds),
        Path(smk.output.row),
        Path(smk.output.trajectory_plot),
        Path(smk.output.timeline_plot),
    )
    print(metrics.format_row(row), file=log)


def behaviour_part(smk, video: str, job: str, log) -> None:
    from idtracker_flow.behaviour.job import of_job
    from idtracker_flow.behaviour.zones import ArenaError

    try:
        rows = of_job(
            video,
            job,
            Path(smk.output.movement),
            Path(smk.input.settings),
            dict(smk.params.behaviour),
            {name: Path(smk.output[name]) for name in ("table", "occupancy", "speed")},
        )
    except ArenaError as error:
        print(f"Job {layout.job_id(video, job)}: behaviour not measured: {error}", file=log)
        raise PartFailed from error
    print(
        steps.BEHAVIOUR.success_line(f"{layout.job_id(video, job)}: {len(rows)} animals"), file=log
    )


def export_names(smk) -> list[str]:
    """The rule's outputs that are analysis files (config `exports`)."""
    from idtracker_flow.exports import outputs

    return list(outputs.patterns(smk.params.exports))


PARTS = {"export": export_part, "qc": qc_part, "behaviour": behaviour_part}


def run_part(smk, name: str, video: str, job: str) -> bool:
    """One part, its stdout and stderr in its own log; False when it failed."""
    with step_log.open_log(smk.log[name]) as log:
        try:
            PARTS[name](smk, video, job, log)
            return True
        except PartFailed:
            return False
        except SystemExit as stop:  # a helper that words its own failure (a full disk)
            return stop.code in (0, None)
        except Exception:
            traceback.print_exc(file=log)
            return False


def without_numba() -> None:
    """xarray fills gaps (movement's path length) with numbagg when it is installed, which
    compiles with numba in every new process: 0.8 s of CPU per job. bottleneck's fill (C,
    installed with the workflow) gives the same numbers and needs no compiling."""
    import xarray

    xarray.set_options(use_numbagg=False, use_bottleneck=True)


def main(smk) -> None:
    video, job = smk.wildcards.video, smk.wildcards.job
    without_numba()
    exported = run_part(smk, "export", video, job)
    measured = run_part(smk, "qc", video, job)
    if smk.params.behaviour is not None:
        if exported:
            measured = run_part(smk, "behaviour", video, job) and measured
        else:
            with step_log.open_log(smk.log["behaviour"]) as log:
                print(
                    f"Job {layout.job_id(video, job)}: behaviour not measured: the analysis"
                    f" files failed (log: {smk.log['export']}).",
                    file=log,
                )
    if not (exported and measured):
        sys.exit(1)


if __name__ == "__main__" and "snakemake" in globals():
    main(snakemake)  # noqa: F821
