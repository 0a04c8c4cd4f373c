"""Rule `qc_job`: the QC row and the two plots of one tracked job (idtracker_flow.qc.job)."""

import sys
from pathlib import Path

from idtracker_flow import trackers
from idtracker_flow.project import layout, step_log
from idtracker_flow.project.json_files import read_json
from idtracker_flow.qc import metrics
from idtracker_flow.qc.job import make_job_qc


def main(smk) -> None:
    with step_log.open_log(smk.log[0]) as log:
        video, job = smk.wildcards.video, smk.wildcards.job
        tracker = trackers.for_record(read_json(smk.input.tracked))
        if problem := tracker.result_problem(Path(smk.input.trajectories)):
            print(
                f"Job {layout.job_id(video, job)}: {problem}.\nWhat to do: run `pixi run copy`"
                " to copy the session's trajectories again, or `pixi run track` to track again.",
                file=log,
            )
            sys.exit(1)
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


if __name__ == "__main__" and "snakemake" in globals():
    main(snakemake)  # noqa: F821
