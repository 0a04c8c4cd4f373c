"""Snakemake script: the QC row (JSON) and the two plots of one tracked job.

Reads the copy in tracking/ (re-made when the validator rewrites the session), the session's
session.json (intervals, validation) and the tracking rule's marker (seconds, device).
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))  # sibling modules, also when run by hand

import qc_metrics
import qc_plots
from layout import SESSION, job_path


def make_job_qc(
    video: str,
    job: str,
    trajectories_h5: Path,
    session_json: Path,
    tracked_json: Path,
    thresholds: dict,
    row_path: Path,
    trajectory_png: Path,
    timeline_png: Path,
) -> dict:
    traj = qc_metrics.read_trajectories(trajectories_h5)
    session_info = qc_metrics.read_session_info(session_json)
    record = qc_metrics.read_session_info(tracked_json)
    row = qc_metrics.job_row(video, job, traj, session_info, record, thresholds)
    for path in (row_path, trajectory_png, timeline_png):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    name = f"{video}/{job}"
    qc_plots.trajectory_plot(traj, f"{name}: paths", trajectory_png)
    qc_plots.timeline_plot(
        traj,
        session_info.get("tracking_intervals"),
        f"{name}: identification over time",
        timeline_png,
    )
    Path(row_path).write_text(json.dumps(row, indent=2) + "\n")
    return row


def main(smk) -> None:
    with open(smk.log[0], "w", encoding="utf-8") as log:
        video, job = smk.wildcards.video, smk.wildcards.job
        session_json = job_path(SESSION, video, job) / "session.json"
        if not session_json.is_file():
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
        print(qc_metrics.format_row(row), file=log)


if __name__ == "__main__" and "snakemake" in globals():
    main(snakemake)  # noqa: F821
