"""idtracker.ai's trajectories.h5, read once into arrays and attributes.

Facts (idtracker.ai 6, trajectories_io.py): `trajectories` is (frames, animals, 2) with NaN
where an animal has no position; `id_probabilities` is (frames, animals, 1), 0 where the
position is NaN and NaN where a position exists but was not identified (a crossing or a gap
idtracker.ai filled in); scalars and lists of strings are root attributes.
"""

from dataclasses import dataclass

import numpy as np


@dataclass
class TrajectoriesFile:
    positions: np.ndarray  # (frames, animals, 2) float, NaN = missing
    id_probabilities: np.ndarray | None  # (frames, animals) float, or None when absent
    attrs: dict  # root attributes, bytes decoded

    @property
    def identities(self) -> list[str]:
        """idtracker.ai's identity labels ('1', '2', ...), one per animal."""
        labels = self.attrs.get("identities_labels")
        if labels is None or len(labels) != self.positions.shape[1]:
            return [str(i + 1) for i in range(self.positions.shape[1])]
        return [str(label) for label in labels]

    def number(self, name: str) -> float | None:
        try:
            value = float(self.attrs[name])
        except (KeyError, TypeError, ValueError):
            return None
        return None if np.isnan(value) else value


def _decoded(value):
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, np.ndarray) and value.dtype.kind in "OSU":
        return [_decoded(item) for item in value.tolist()]
    if isinstance(value, np.generic):
        return value.item()
    return value


def read(path) -> TrajectoriesFile:
    import h5py

    with h5py.File(path, "r") as h5:
        positions = np.asarray(h5["trajectories"], dtype=float)
        probabilities = (
            np.asarray(h5["id_probabilities"], dtype=float) if "id_probabilities" in h5 else None
        )
        attrs = {name: _decoded(value) for name, value in h5.attrs.items()}
    if positions.ndim == 2:  # a single animal may come squeezed
        positions = positions[:, None, :]
    if probabilities is not None:
        probabilities = probabilities.reshape(positions.shape[:2])
    return TrajectoriesFile(positions, probabilities, attrs)


SOURCE_SOFTWARE = "idtracker.ai"


def to_poses(data: TrajectoriesFile):
    """The workflow's common form: one keypoint (`centroid`) per animal, named id_<label>;
    the confidence is idtracker.ai's identity probability (NaN where it placed an animal
    without identifying it: crossings, filled gaps; 0 where it has no position)."""
    from idtracker_flow.trackers.poses import CENTROID, Poses

    positions = data.positions
    n_frames, n_animals = positions.shape[:2]
    probabilities = data.id_probabilities
    if probabilities is None:
        probabilities = np.full((n_frames, n_animals), np.nan)
    present = np.isfinite(positions).all(axis=2)
    body_length = data.number("body_length")
    version = data.attrs.get("version")
    return Poses(
        position=positions[:, :, np.newaxis, :],
        confidence=probabilities[:, :, np.newaxis],
        labels=data.identities,
        individuals=[f"id_{label}" for label in data.identities],
        keypoints=[CENTROID],
        fps=data.number("frames_per_second"),
        source_software=SOURCE_SOFTWARE,
        source_version=str(version) if version else None,
        confidence_name="identity_probability",
        interpolated=present & np.isnan(probabilities),
        width=_whole(data.attrs.get("width")),
        height=_whole(data.attrs.get("height")),
        body_length=body_length if body_length and body_length > 0 else None,
        attrs={
            "estimated_accuracy": data.number("estimated_accuracy"),
            "silhouette_score": data.number("silhouette_score"),
        },
    )


def _whole(value) -> int | None:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None
