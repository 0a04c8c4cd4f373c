"""A job's trajectories as a tidy table: one row per frame and animal.

Columns: video, job, frame, time_s, individual, x, y (pixels), identity_probability,
interpolated (idtracker.ai gave a position without identifying it: a crossing or a filled gap;
its file says so by a NaN probability beside a position), and x_mm, y_mm when the video's scale
is given in config (`exports.px_per_mm`).
"""

from pathlib import Path

import numpy as np

from idtracker_flow.idtracker.trajectories_file import TrajectoriesFile
from idtracker_flow.project import atomic_files

FORMATS = ("parquet", "csv")


def build(
    trajectories: TrajectoriesFile,
    video: str,
    job: str,
    individuals: list[str],
    px_per_mm: float | None = None,
):
    import pandas as pd

    positions = trajectories.positions
    n_frames, n_animals = positions.shape[:2]
    probabilities = trajectories.id_probabilities
    if probabilities is None:
        probabilities = np.full((n_frames, n_animals), np.nan)
    fps = trajectories.number("frames_per_second")
    frames = np.repeat(np.arange(n_frames), n_animals)
    x, y = positions[:, :, 0].ravel(), positions[:, :, 1].ravel()
    probability = probabilities.ravel()
    table = pd.DataFrame(
        {
            "video": pd.Categorical([video] * frames.size),
            "job": pd.Categorical([job] * frames.size),
            "frame": frames,
            "time_s": frames / fps if fps and fps > 0 else np.full(frames.size, np.nan),
            "individual": pd.Categorical(np.tile(individuals, n_frames), categories=individuals),
            "x": x,
            "y": y,
            "identity_probability": probability,
            "interpolated": np.isfinite(x) & np.isfinite(y) & np.isnan(probability),
        }
    )
    if px_per_mm:
        table["x_mm"] = x / px_per_mm
        table["y_mm"] = y / px_per_mm
    return table


def write(table, path: Path) -> None:
    if Path(path).suffix == ".csv":
        atomic_files.write_with(path, lambda partial: table.to_csv(partial, index=False))
    else:
        atomic_files.write_with(path, lambda partial: table.to_parquet(partial, index=False))
