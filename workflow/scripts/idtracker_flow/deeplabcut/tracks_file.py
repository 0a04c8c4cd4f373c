"""DeepLabCut's stitched tracks (HDF5, key "tracks"), read by the workflow's own environment.

Columns are scorer / individuals / bodyparts / coords (x, y, likelihood), rows frame numbers;
DeepLabCut leaves out the frames where it has nothing, so the reader puts them back (NaN).
"""

from pathlib import Path

KEY = "tracks"


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
