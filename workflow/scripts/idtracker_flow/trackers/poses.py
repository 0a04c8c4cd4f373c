"""The one in-memory form of every tracker's result, shaped like a movement poses dataset.

Each tracker reads its own file into `Poses`; the QC row, the tidy table and the movement
dataset are built from it alone, so they agree for every tracker. A tracker that follows
animals as points (idtracker.ai) gives one keypoint, `centroid`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

CENTROID = "centroid"


@dataclass
class Poses:
    position: np.ndarray  # (frames, individuals, keypoints, 2) pixels, NaN = missing
    confidence: np.ndarray  # (frames, individuals, keypoints), NaN where it has none
    labels: list[str]  # the tracker's own name of each animal ("1", "ind1")
    individuals: list[str]  # their names in the analysis files unless config names them
    keypoints: list[str]
    fps: float | None
    source_software: str
    source_version: str | None = None
    # Its column in the tidy table: what the tracker's confidence means.
    confidence_name: str = "confidence"
    # True where the confidence is a detection likelihood per keypoint (pose trackers):
    # the QC then adds keypoints found, mean likelihood and possible swaps.
    keypoint_confidence: bool = False
    # (frames, individuals): a position the tracker gave without identifying the animal
    # (idtracker.ai's crossings and filled gaps); None where the tracker has no such notion.
    interpolated: np.ndarray | None = None
    width: int | None = None
    height: int | None = None
    body_length: float | None = None  # pixels, when the tracker measures it
    attrs: dict = field(default_factory=dict)  # the tracker's own figures (its estimates)

    def centres(self) -> np.ndarray:
        """(frames, individuals, 2): the mean of each animal's keypoints found, else NaN."""
        if self.position.shape[2] == 1:
            return self.position[:, :, 0, :]
        with warnings.catch_warnings():  # an animal with no keypoint in a frame: NaN, expected
            warnings.simplefilter("ignore", RuntimeWarning)
            return np.nanmean(self.position, axis=2)

    def check(self) -> None:
        """Raise ValueError when the arrays and names disagree (a tracker's reader is wrong)."""
        frames, animals, keypoints, space = self.position.shape
        if space != 2 or self.confidence.shape != (frames, animals, keypoints):
            raise ValueError(f"position {self.position.shape}, confidence {self.confidence.shape}")
        if len(self.individuals) != animals or len(self.labels) != animals:
            raise ValueError(f"{animals} animals, names {self.individuals}, labels {self.labels}")
        if len(self.keypoints) != keypoints:
            raise ValueError(f"{keypoints} keypoints, names {self.keypoints}")


def tracked_mask(n_frames: int, tracking_intervals) -> np.ndarray:
    """True for frames inside the tracking intervals ([start, end) pairs; None = all frames)."""
    if not tracking_intervals:
        return np.ones(n_frames, dtype=bool)
    mask = np.zeros(n_frames, dtype=bool)
    for start, end in tracking_intervals:
        mask[max(int(start), 0) : min(int(end), n_frames)] = True
    return mask
