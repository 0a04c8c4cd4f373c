"""A job's result as a `movement` poses dataset, saved as netCDF.

Built from the common form (trackers/poses.py) with movement's own `from_numpy`, the one way
in for every tracker: idtracker.ai gives one keypoint ("centroid") per animal and its identity
probability as the confidence (NaN where it placed an animal without identifying it, 0 where
it has no position); a pose tracker its keypoints and their likelihood. Read it back with
`xarray.open_dataset(path)`, as movement's own netCDF loader (napari widget) does.
"""

from pathlib import Path

from idtracker_flow.project import atomic_files


def build(poses, individuals: list[str], extra_attrs: dict):
    """The movement dataset (time x space x keypoints x individuals)."""
    from movement.io import load_poses

    dataset = load_poses.from_numpy(
        position_array=poses.position.transpose(0, 3, 2, 1),
        confidence_array=poses.confidence.transpose(0, 2, 1),
        individual_names=individuals,
        keypoint_names=list(poses.keypoints),
        fps=poses.fps if poses.fps and poses.fps > 0 else None,
        source_software=poses.source_software,
    )
    dataset.attrs["source_software_version"] = poses.source_version or "unknown"
    if poses.body_length:  # the behaviour step's unit of speed and of the arena's border
        dataset.attrs["body_length_px"] = float(poses.body_length)
    # netCDF attributes must be numbers or strings.
    dataset.attrs.update({key: _attr(value) for key, value in extra_attrs.items()})
    return dataset


def _attr(value):
    return value if isinstance(value, int | float | str) else str(value)


def write(dataset, path: Path) -> None:
    # The engine is named: a missing netCDF4 would otherwise fall back to another silently.
    atomic_files.write_with(path, lambda partial: dataset.to_netcdf(partial, engine="netcdf4"))
