"""DeepLabCut's stitched tracks (HDF5, key "tracks"), read by the workflow's own environment.

Columns are scorer / individuals / bodyparts / coords (x, y, likelihood), rows frame numbers;
DeepLabCut leaves out the frames where it has nothing, so the reader puts them back (NaN).
"""

from pathlib import Path

import numpy as np

KEY = "tracks"
SOURCE_SOFTWARE = "DeepLabCut"


def problem(path: Path) -> str | None:
    """None when `path` holds readable tracks, else what is wrong with it."""
    path = Path(path)
    if not path.is_file():
        return f"{path} is missing"
    try:
        table = read_table(path)
    except Exception as error:
        return f"{path} cannot be read as DeepLabCut tracks ({type(error).__name__}: {error})"
    if table.empty:
        return f"{path} holds no tracked frame"
    return None


def read_table(path: Path):
    import pandas as pd

    table = pd.read_hdf(path, key=KEY)
    if list(table.columns.names)[-3:] != ["individuals", "bodyparts", "coords"]:
        raise ValueError(f"columns are {table.columns.names}, not DeepLabCut's multi-animal ones")
    return table


def read_full(path: Path, n_frames: int | None = None):
    """The tracks with one row for every frame 0 .. n_frames - 1 (frames DeepLabCut left out
    are NaN); n_frames None: up to the last tracked frame."""
    table = read_table(path)
    last = int(table.index.max()) + 1 if len(table) else 0
    return table.reindex(range(max(n_frames or 0, last)))


def individuals(table) -> list[str]:
    return list(dict.fromkeys(table.columns.get_level_values("individuals")))


def bodyparts(table) -> list[str]:
    return list(dict.fromkeys(table.columns.get_level_values("bodyparts")))


def arrays(table) -> tuple[np.ndarray, np.ndarray]:
    """(positions (frames, animals, keypoints, 2), likelihood (frames, animals, keypoints))."""
    names, parts = individuals(table), bodyparts(table)
    columns = table.columns
    x = table.xs("x", axis=1, level="coords")
    y = table.xs("y", axis=1, level="coords")
    shape = (len(table), len(names), len(parts))
    if "likelihood" in columns.get_level_values("coords"):
        likelihood = table.xs("likelihood", axis=1, level="coords")
    else:
        likelihood = None

    def cube(frame) -> np.ndarray:
        frame = frame.droplevel("scorer", axis=1) if "scorer" in frame.columns.names else frame
        values = frame.reindex(columns=[(n, p) for n in names for p in parts]).to_numpy(float)
        return np.array(values).reshape(shape)  # a writable copy (pandas 3 gives read-only views)

    positions = np.stack([cube(x), cube(y)], axis=-1)
    like = cube(likelihood) if likelihood is not None else np.full(shape, np.nan)
    like[np.isnan(positions[..., 0])] = np.nan
    return positions, like


def read_poses(path: Path, summary: dict):
    """The tracks as the workflow's common form: row i is frame i of the video (frames
    DeepLabCut left out are NaN), DeepLabCut's individuals and bodyparts as it names them."""
    from idtracker_flow.trackers.poses import Poses

    table = read_full(path, summary.get("video_frames"))
    position, likelihood = arrays(table)
    names = individuals(table)
    fps = summary.get("fps")
    return Poses(
        position=position,
        confidence=likelihood,
        labels=names,
        individuals=names,
        keypoints=bodyparts(table),
        fps=float(fps) if fps and fps > 0 else None,
        source_software=SOURCE_SOFTWARE,
        source_version=summary.get("deeplabcut_version"),
        confidence_name="likelihood",
        keypoint_confidence=True,
        width=summary.get("width"),
        height=summary.get("height"),
    )
