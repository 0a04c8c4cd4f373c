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
