"""A job's result as a tidy table: one row per frame, animal (and keypoint, for poses).

Columns: video, job, frame, time_s, individual, keypoint (pose trackers), x, y (pixels), the
tracker's confidence under its own name (idtracker.ai: identity_probability; DeepLabCut:
likelihood), interpolated where the tracker says which positions it gave without identifying
the animal (idtracker.ai: crossings and filled gaps), and x_mm, y_mm when the video's scale
is given in config (`exports.px_per_mm`). Built from the common form (trackers/poses.py).
"""

from pathlib import Path

import numpy as np

from idtracker_flow.project import atomic_files
from idtracker_flow.trackers.poses import CENTROID


def build(poses, video: str, job: str, individuals: list[str], px_per_mm: float | None = None):
    import pandas as pd

    n_frames, n_animals, n_keypoints = poses.confidence.shape
    per_frame = n_animals * n_keypoints
    frames = np.repeat(np.arange(n_frames), per_frame)
    x, y = poses.position[..., 0].ravel(), poses.position[..., 1].ravel()
    fps = poses.fps
    columns = {
        "video": pd.Categorical([video] * frames.size),
        "job": pd.Categorical([job] * frames.size),
        "frame": frames,
        "time_s": frames / fps if fps and fps > 0 else np.full(frames.size, np.nan),
        "individual": pd.Categorical(
            np.tile(np.repeat(individuals, n_keypoints), n_frames), categories=individuals
        ),
    }
    if list(poses.keypoints) != [CENTROID]:
        keypoints = list(poses.keypoints)
        columns["keypoint"] = pd.Categorical(
            np.tile(keypoints, n_frames * n_animals), categories=keypoints
        )
    columns.update({"x": x, "y": y, poses.confidence_name: poses.confidence.ravel()})
    if poses.interpolated is not None:
        columns["interpolated"] = np.repeat(poses.interpolated.ravel(), n_keypoints)
    table = pd.DataFrame(columns)
    if px_per_mm:
        table["x_mm"] = x / px_per_mm
        table["y_mm"] = y / px_per_mm
    return table


def write(table, path: Path) -> None:
    if Path(path).suffix == ".csv":
        atomic_files.write_with(path, lambda partial: table.to_csv(partial, index=False))
    else:
        atomic_files.write_with(path, lambda partial: table.to_parquet(partial, index=False))
