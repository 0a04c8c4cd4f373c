"""Rule `qc_job`: the QC row and the two plots of one tracked job (idtracker_flow.qc.job)."""

import sys
from pathlib import Path

from idtracker_flow.deeplabcut import job_settings, tracks_file
from idtracker_flow.idtracker.session import trajectories_problem
from idtracker_flow.project import layout
from idtracker_flow.qc import metrics
from idtracker_flow.qc.job import make_job_qc


def main(smk) -> None:
    with open(smk.log[0], "w", encoding="utf-8") as log:
        video, job = smk.wildcards.video, smk.wildcards.job
        record = metrics.read_session_info(smk.input.tracked)
        deeplabcut = job_settings.tracked_with_deeplabcut(record)
        check = tracks_file.problem if deeplabcut else trajectories_problem
        if problem := check(Path(smk.input.trajectories)):
            print(
                f"Job {layout.job_id(video, job)}: {problem}.\nWhat to do: run `pixi run copy`"
                " to copy the session's trajectories again, or `pixi run track` to track again.",
                file=log,
            )
            sys.exit(1)
        session_json = layout.job_path(layout.SESSION_JSON_FILE, video, job)
        if not session_json.is_file() and not deeplabcut:
            print(
                f"Note: {session_json} is missing; the tracked interval is taken as the whole"
                " video and the job is reported as not validated.",
                file=log,
            )
        row = make_job_qc(
            video,
            job,
            Path(smk.input.trajectories),
            session_json,
            Path(smk.input.tracked),
            dict(smk.params.thresholds),
            Path(smk.output.row),
            Path(smk.output.trajectory_plot),
            Path(smk.output.timeline_plot),
        )
        print(metrics.format_row(row), file=log)


if __name__ == "__main__" and "snakemake" in globals():
    main(snakemake)  # noqa: F821
