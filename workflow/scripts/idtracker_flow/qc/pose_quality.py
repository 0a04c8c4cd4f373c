"""What only poses have, for any pose tracker (Poses.keypoint_confidence): the keypoints
found, their mean likelihood and the frames where two animals seem to swap identities. The
rest of a pose job's row comes from each animal's centre, as for every tracker."""

from itertools import permutations

import numpy as np

# A frame-to-frame step is a possible swap when exchanging two animals' labels would more
# than halve the distance they moved (and both moved further than this many pixels).
SWAP_GAIN = 2.0
MIN_STEP_PX = 2.0


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


COLUMNS = ("keypoints_found", "mean_likelihood", "possible_identity_swaps")


def pose_columns(poses) -> dict:
    """The pose columns of a job's row (None for a tracker without keypoint likelihoods)."""
    if not poses.keypoint_confidence:
        return dict.fromkeys(COLUMNS)
    found = np.isfinite(poses.position[..., 0])
    return {
        "keypoints_found": round(float(found.mean()), 4) if found.size else None,
        "mean_likelihood": (round(float(np.nanmean(poses.confidence)), 4) if found.any() else None),
        "possible_identity_swaps": possible_swaps(poses.centres()),
    }
