"""The QC row (JSON) and the two plots of one tracked job, for any tracker.

Reads the copy in tracking/ (re-made when the validator rewrites the session), the tracker's
session facts (intervals, validation) and the tracking rule's record (tracker, seconds,
device).
"""

import json
from pathlib import Path

from idtracker_flow import trackers
from idtracker_flow.project import atomic_files
from idtracker_flow.project.json_files import read_json
from idtracker_flow.qc import metrics as qc_metrics
from idtracker_flow.qc import plots as qc_plots
from idtracker_flow.qc import pose_quality


def make_job_qc(
    video: str,
    job: str,
    result: Path,
    session: Path,
    tracked_json: Path,
    thresholds: dict,
    row_path: Path,
    trajectory_png: Path,
    timeline_png: Path,
) -> dict:
    record = read_json(tracked_json)
    tracker = trackers.for_record(record)
    poses = tracker.read_poses(Path(result), record)
    facts = tracker.session_facts(Path(session), record)
    traj = qc_metrics.from_poses(poses)
    swaps = pose_quality.swap_report(poses)
    row = qc_metrics.job_row(video, job, traj, facts, record, thresholds, poses, swaps)
    for path in (row_path, trajectory_png, timeline_png):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    name = f"{video}/{job}"
    qc_plots.trajectory_plot(traj, f"{name}: paths", trajectory_png)
    qc_plots.timeline_plot(
        traj,
        facts.get("tracking_intervals"),
        f"{name}: identification over time",
        timeline_png,
    )
    # Beside the row (the summary's columns): which frames to look at for each possible swap.
    details = {"identity_swaps": swaps.as_dict()} if swaps is not None else {}
    atomic_files.write_text(row_path, json.dumps({**row, **details}, indent=2) + "\n")
    return row
