"""A job's trajectories as a `movement` poses dataset, saved as netCDF.

Built with movement's own `from_numpy` (movement has no idtracker.ai loader yet: its PR #944
is open), one keypoint ("centroid") per animal. Confidence is idtracker.ai's identity
probability: NaN where idtracker.ai placed an animal without identifying it (crossings, filled
gaps), 0 where it has no position. Read it back with `xarray.open_dataset(path)`, as
movement's own netCDF loader (napari widget) does.
"""

from pathlib import Path

import numpy as np

from idtracker_flow.idtracker.trajectories_file import TrajectoriesFile
from idtracker_flow.project import atomic_files

KEYPOINT = "centroid"
SOURCE_SOFTWARE = "idtracker.ai"


def build(trajectories: TrajectoriesFile, individuals: list[str], extra_attrs: dict):
    """The movement dataset (frames x space x keypoint x individuals)."""
    from movement.io import load_poses

    positions = trajectories.positions  # (frames, animals, 2)
    n_frames, n_animals = positions.shape[:2]
    probabilities = trajectories.id_probabilities
    if probabilities is None:
        probabilities = np.full((n_frames, n_animals), np.nan)
    fps = trajectories.number("frames_per_second")
    dataset = load_poses.from_numpy(
        position_array=positions.transpose(0, 2, 1)[:, :, np.newaxis, :],
        confidence_array=probabilities[:, np.newaxis, :],
        individual_names=individuals,
        keypoint_names=[KEYPOINT],
        fps=fps if fps and fps > 0 else None,
        source_software=SOURCE_SOFTWARE,
    )
    version = trajectories.attrs.get("version")
    dataset.attrs["source_software_version"] = str(version) if version else "unknown"
    # netCDF attributes must be numbers or strings.
    dataset.attrs.update({key: _attr(value) for key, value in extra_attrs.items()})
    return dataset


def _attr(value):
    return value if isinstance(value, int | float | str) else str(value)


def write(dataset, path: Path) -> None:
    # The engine is named: a missing netCDF4 would otherwise fall back to another silently.
    atomic_files.write_with(path, lambda partial: dataset.to_netcdf(partial, engine="netcdf4"))
