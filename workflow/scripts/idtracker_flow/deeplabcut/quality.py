"""The QC of a DeepLabCut job: the same row and pictures as an idtracker.ai job, from each
animal's centre (the mean of its keypoints found), plus what only poses have: the keypoints
found, their mean likelihood and the frames where two animals seem to swap identities."""

import warnings
from itertools import permutations

import numpy as np

from idtracker_flow.deeplabcut import tracks_file
from idtracker_flow.qc.metrics import Trajectories

# A frame-to-frame step is a possible swap when exchanging two animals' labels would more
# than halve the distance they moved (and both moved further than this many pixels).
SWAP_GAIN = 2.0
MIN_STEP_PX = 2.0


def arrays(table) -> tuple[np.ndarray, np.ndarray]:
    """(positions (frames, animals, keypoints, 2), likelihood (frames, animals, keypoints))."""
    names, parts = tracks_file.individuals(table), tracks_file.bodyparts(table)
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


def centres(positions: np.ndarray) -> np.ndarray:
    """Each animal's centre (frames, animals, 2): the mean of its keypoints found, else NaN."""
    with warnings.catch_warnings():  # an animal with no keypoint in a frame: NaN, expected
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(positions, axis=2)


def centroid_trajectories(
    table, positions, fps, width=None, height=None, version=None
) -> Trajectories:
    return Trajectories(
        positions=centres(positions),
        fps=float(fps) if fps else float("nan"),
        body_length=None,
        width=width,
        height=height,
        version=version,
        estimated_accuracy=None,
        identities=tracks_file.individuals(table),
    )


def possible_swaps(centres: np.ndarray) -> int:
    """Frames where relabelling the animals present in both frames would more than halve how
    far they moved: a tracker's identity swap, or two animals jumping past each other."""
    n_frames, n_animals = centres.shape[:2]
    if n_animals < 2 or n_animals > 6:  # beyond 6 animals the permutations cost too much
        return 0
    count = 0
    for frame in range(1, n_frames):
        before, now = centres[frame - 1], centres[frame]
        both = np.flatnonzero(np.isfinite(before).all(axis=1) & np.isfinite(now).all(axis=1))
        if len(both) < 2:
            continue
        steps = np.linalg.norm(now[both][:, None] - before[both][None], axis=2)
        kept = np.trace(steps)
        best = min(
            sum(steps[i, j] for i, j in enumerate(order))
            for order in permutations(range(len(both)))
        )
        if kept > MIN_STEP_PX * len(both) and kept > SWAP_GAIN * best:
            count += 1
    return count


def pose_columns(positions: np.ndarray, likelihood: np.ndarray) -> dict:
    found = np.isfinite(positions[..., 0])
    return {
        "keypoints_found": round(float(found.mean()), 4) if found.size else None,
        "mean_likelihood": round(float(np.nanmean(likelihood)), 4) if found.any() else None,
        "possible_identity_swaps": possible_swaps(centres(positions)),
    }
