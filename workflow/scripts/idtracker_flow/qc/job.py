"""The QC row (JSON) and the two plots of one tracked job.

Reads the copy in tracking/ (re-made when the validator rewrites the session), the session's
session.json (intervals, validation) and the tracking rule's marker (seconds, device).
"""

import json
from pathlib import Path

from idtracker_flow.deeplabcut import job_settings, tracks_file
from idtracker_flow.deeplabcut import quality as deeplabcut_quality
from idtracker_flow.project import atomic_files
from idtracker_flow.qc import metrics as qc_metrics
from idtracker_flow.qc import plots as qc_plots


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
    session_info = qc_metrics.read_session_info(session_json)
    record = qc_metrics.read_session_info(tracked_json)
    if job_settings.tracked_with_deeplabcut(record):
        traj, row = deeplabcut_row(video, job, trajectories_h5, record, thresholds)
    else:
        traj = qc_metrics.read_trajectories(trajectories_h5)
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
    atomic_files.write_text(row_path, json.dumps(row, indent=2) + "\n")
    return row


def deeplabcut_row(video, job, tracks_h5, record, thresholds):
    """A DeepLabCut job's row: the animals' centres through the same measures, plus poses."""
    summary = record.get("deeplabcut") or {}
    table = tracks_file.read_full(tracks_h5, summary.get("video_frames"))
    positions, likelihood = deeplabcut_quality.arrays(table)
    traj = deeplabcut_quality.centroid_trajectories(
        table,
        positions,
        summary.get("fps"),
        summary.get("width"),
        summary.get("height"),
        summary.get("deeplabcut_version"),
    )
    row = qc_metrics.job_row(video, job, traj, {}, record, thresholds)
    row.update(
        tracker="DeepLabCut",
        idtrackerai_version=None,
        validated=False,
        **deeplabcut_quality.pose_columns(positions, likelihood),
    )
    row["flags"] = "; ".join(qc_metrics.flags(row, thresholds or qc_metrics.DEFAULT_THRESHOLDS))
    return traj, row
