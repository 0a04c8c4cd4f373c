"""Quality figures of one tracked job, from its tracker's result in the common form.

Plain Python (numpy); the Snakemake scripts analyse_job.py and qc_summary.py call it, and the demo
prints a job's row with `print_job_row`. Every tracker's result is read into `Poses`
(trackers/poses.py); the measures here use each animal's centre. A tracker adds its own
columns (`qc_columns` of trackers/<name>/tracker.py) and any pose tracker the pose columns
(qc/pose_quality.py). The tracker's session facts say which frames were tracked
(`tracking_intervals`, whole video when absent) and when the result was validated by hand
(`last_validated`).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from idtracker_flow import trackers
from idtracker_flow.project import layout
from idtracker_flow.project.json_files import read_json
from idtracker_flow.qc import pose_quality
from idtracker_flow.trackers.poses import tracked_mask

__all__ = ["COLUMNS", "Trajectories", "job_row", "tracked_mask"]

# Column order of results/qc/summary.csv: the measures every job gets, then each tracker's own.
HEAD = ["video", "job", "tracker", "frames", "animals", "fps", "tracked_interval", "tracked_frames"]
MEASURES = [
    "fraction_identified",
    "fraction_all_present",
    "gaps",
    "gap_frames_total",
    "longest_gap_frames",
    "longest_gap_seconds",
    "median_speed_bl_per_s",
    *pose_quality.COLUMNS,
]
RUN = ["tracking_seconds", "device", "peak_gpu_memory_mb"]
TAIL = ["validated", "last_validated", "provenance", "flags"]
COLUMNS = [*HEAD, *MEASURES, *trackers.qc_columns(), *RUN, *TAIL]
NUMERIC_COLUMNS = [
    "fraction_identified",
    "fraction_all_present",
    "longest_gap_seconds",
    "median_speed_bl_per_s",
    "tracking_seconds",
    "fps",
    "peak_gpu_memory_mb",
    "keypoints_found",
    "mean_likelihood",
    *trackers.qc_numeric_columns(),
]

# Whole numbers that some trackers leave out (None): nullable integers in the table.
COUNT_COLUMNS = ["possible_identity_swaps"]

DEFAULT_THRESHOLDS = {
    "min_estimated_accuracy": 0.99,
    "min_fraction_identified": 0.95,
    "min_fraction_all_present": 0.9,
    "max_gap_seconds": 1.0,
    "min_silhouette_score": 0.91,
    "min_mean_likelihood": 0.6,
}


@dataclass
class Trajectories:
    """What QC needs of a result: each animal's centre and the tracker's own estimates."""

    positions: np.ndarray  # (frames, animals, 2), NaN = missing
    fps: float
    body_length: float | None
    width: int | None
    height: int | None
    version: str | None
    estimated_accuracy: float | None
    identities: list[str]
    silhouette_score: float | None = None  # only when a contrastive step ran


def from_poses(poses) -> Trajectories:
    return Trajectories(
        positions=poses.centres(),
        fps=float(poses.fps) if poses.fps else float("nan"),
        body_length=poses.body_length,
        width=poses.width,
        height=poses.height,
        version=poses.source_version,
        estimated_accuracy=poses.attrs.get("estimated_accuracy"),
        identities=list(poses.labels),
        silhouette_score=poses.attrs.get("silhouette_score"),
    )


def read_trajectories(path, record: dict | None = None) -> Trajectories:
    """A result file as QC reads it (the tracker of `record`; no record: the default one)."""
    return from_poses(trackers.for_record(record or {}).read_poses(Path(path), record or {}))


# --------------------------------------------------------------------------
# Frame-level masks
# --------------------------------------------------------------------------


def interval_text(n_frames: int, tracking_intervals) -> str:
    """The tracked frames as people write them: "0-200" or "0-100, 150-200" (end exclusive)."""
    if not tracking_intervals:
        return f"0-{n_frames}"
    return ", ".join(f"{int(start)}-{int(end)}" for start, end in tracking_intervals)


def present(positions: np.ndarray) -> np.ndarray:
    """(frames, animals) True where the animal has a position."""
    return np.isfinite(positions).all(axis=2)


def runs_of_true(flags: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) of every run of consecutive True values."""
    padded = np.concatenate([[False], np.asarray(flags, dtype=bool), [False]])
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    return [(int(s), int(e)) for s, e in zip(edges[::2], edges[1::2])]


def gaps(positions: np.ndarray, mask: np.ndarray) -> list[tuple[int, int, int]]:
    """(animal, first frame, length) of every stretch of tracked frames without a position.

    Frames outside the tracking intervals are not gaps; a gap does not run across them.
    """
    missing = ~present(positions) & mask[:, None]
    found = []
    for animal in range(positions.shape[1]):
        for start, end in runs_of_true(missing[:, animal]):
            found.append((animal, start, end - start))
    return found


def speeds(positions: np.ndarray, fps: float, body_length: float | None) -> np.ndarray:
    """Speed of every animal between consecutive frames where both positions exist, in body
    lengths per second (px per second when the body length is unknown)."""
    steps = np.linalg.norm(np.diff(positions, axis=0), axis=2)
    steps = steps[np.isfinite(steps)]
    scale = fps / body_length if body_length else fps
    return steps * scale


# --------------------------------------------------------------------------
# One job's row
# --------------------------------------------------------------------------


def job_row(
    video: str,
    job: str,
    trajectories: Trajectories,
    session_info: dict,
    tracked_record: dict | None = None,
    thresholds: dict | None = None,
    poses=None,
    swaps=None,
) -> dict:
    """The QC row of one job (keys: COLUMNS). Missing numbers are None. `session_info`: the
    tracker's session facts; `poses`: the result in the common form (for the pose columns);
    `swaps`: its pose_quality.SwapReport when the caller has it."""
    positions = trajectories.positions
    n_frames, n_animals = positions.shape[:2]
    intervals = session_info.get("tracking_intervals")
    mask = tracked_mask(n_frames, intervals)
    seen = present(positions)[mask]
    all_gaps = gaps(positions, mask)
    gap_lengths = [length for _, _, length in all_gaps]
    fps = trajectories.fps
    longest = max(gap_lengths, default=0)
    speed = speeds(positions, fps, trajectories.body_length)
    record = tracked_record or {}
    tracker = trackers.for_record(record)
    row = dict.fromkeys(COLUMNS)
    row.update(
        {
            "video": video,
            "job": job,
            "tracker": tracker.DISPLAY_NAME,
            "frames": int(n_frames),
            "animals": int(n_animals),
            "fps": _round(fps, 3),
            "tracked_interval": interval_text(n_frames, intervals),
            "tracked_frames": int(mask.sum()),
            "fraction_identified": _round(float(seen.mean()) if seen.size else None, 4),
            "fraction_all_present": _round(
                float(seen.all(axis=1).mean()) if seen.size else None, 4
            ),
            "gaps": len(all_gaps),
            "gap_frames_total": int(sum(gap_lengths)),
            "longest_gap_frames": int(longest),
            "longest_gap_seconds": _round(longest / fps if fps > 0 else None, 3),
            "median_speed_bl_per_s": _round(
                float(np.median(speed)) if speed.size and trajectories.body_length else None,
                3,
            ),
            **(pose_quality.pose_columns(poses, swaps) if poses is not None else {}),
            **tracker.qc_columns(trajectories, session_info, record),
            "tracking_seconds": record.get("seconds"),
            "device": tracker.device_label(record.get("device")),
            "peak_gpu_memory_mb": record.get("peak_gpu_memory_mb"),
            "validated": bool(session_info.get("last_validated")),
            "last_validated": session_info.get("last_validated") or None,
            "provenance": layout.job_file(layout.PROVENANCE, video, job),
        }
    )
    row["flags"] = "; ".join(flags(row, thresholds or DEFAULT_THRESHOLDS))
    return row


def flags(row: dict, thresholds: dict) -> list[str]:
    """Why this job needs a look, in words; empty when it passed every threshold."""
    reasons = []
    accuracy = row.get("estimated_accuracy")
    if accuracy is not None and accuracy < thresholds["min_estimated_accuracy"]:
        reasons.append(
            f"estimated accuracy {accuracy:.2%} < {thresholds['min_estimated_accuracy']:.0%}"
        )
    identified = row.get("fraction_identified")
    if identified is not None and identified < thresholds["min_fraction_identified"]:
        reasons.append(
            f"identified in {identified:.1%} of tracked frames"
            f" < {thresholds['min_fraction_identified']:.0%}"
        )
    complete = row.get("fraction_all_present")
    if complete is not None and complete < thresholds["min_fraction_all_present"]:
        reasons.append(
            f"all animals present in {complete:.1%} of tracked frames"
            f" < {thresholds['min_fraction_all_present']:.0%}"
        )
    score = row.get("silhouette_score")
    minimum = thresholds.get("min_silhouette_score", DEFAULT_THRESHOLDS["min_silhouette_score"])
    if score is not None and score < minimum:
        reasons.append(f"silhouette score {score:.3f} < {minimum:g} (identities may be mixed up)")
    likelihood = row.get("mean_likelihood")
    minimum = thresholds.get("min_mean_likelihood", DEFAULT_THRESHOLDS["min_mean_likelihood"])
    if likelihood is not None and likelihood < minimum:
        reasons.append(f"mean keypoint likelihood {likelihood:.2f} < {minimum:g}")
    if swaps := row.get("possible_identity_swaps"):
        reasons.append(
            f"{swaps} possible identity swaps (a track changes animal; frames: identity_swaps"
            " in the job's QC file)"
        )
    longest = row.get("longest_gap_seconds")
    if longest is not None and longest > thresholds["max_gap_seconds"]:
        reasons.append(
            f"longest gap {longest:g} s ({row['longest_gap_frames']} frames)"
            f" > {thresholds['max_gap_seconds']:g} s"
        )
    return reasons


def _round(value, digits: int):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return round(float(value), digits)


def job_row_from_files(
    video: str,
    job: str,
    result,
    session,
    tracked_json=None,
    thresholds: dict | None = None,
) -> dict:
    """The row from a result file, its session folder and its tracking record."""
    record = read_json(tracked_json) if tracked_json else {}
    tracker = trackers.for_record(record)
    poses = tracker.read_poses(Path(result), record)
    facts = tracker.session_facts(Path(session), record)
    return job_row(video, job, from_poses(poses), facts, record, thresholds, poses)


def job_row_in_project(video: str, job: str, project=".", thresholds=None) -> dict:
    """The QC row of a job of a project folder, from the same files the workflow uses."""
    project = Path(project)
    return job_row_from_files(
        video,
        job,
        project / layout.job_path(layout.TRAJECTORIES, video, job),
        project / layout.job_path(layout.SESSION, video, job),
        project / layout.job_path(layout.TRACKED, video, job),
        thresholds,
    )


def format_row(row: dict) -> str:
    """A job's QC row as lines a biologist can read ("n/a" where there is no value)."""
    width = max(len(name) for name in COLUMNS)
    lines = []
    for name in COLUMNS:
        value = row.get(name)
        if value is None or value == "":
            value = "n/a" if name != "flags" else "none"
        lines.append(f"{name:<{width}}  {value}")
    return "\n".join(lines)


def read_job_row(video: str, job: str, project=".", thresholds=None) -> dict:
    """A job's QC row: the one the workflow wrote (flags by the project's config), else
    computed here with the same code."""
    written = Path(project) / layout.job_path(layout.QC_ROW, video, job)
    if written.is_file() and thresholds is None:
        return json.loads(written.read_text())
    return job_row_in_project(video, job, project, thresholds)


def print_job_row(video: str, job: str, project=".", thresholds=None) -> dict:
    """For the demo: print a job's QC row (as in results/qc/summary.csv) and return it.

    The row the workflow wrote is shown when there is one (its flags follow the project's
    config); otherwise it is computed here with the same code.
    """
    row = read_job_row(video, job, project, thresholds)
    print(f"Quality of {video}/{job}:")
    print(format_row(row))
    return row
