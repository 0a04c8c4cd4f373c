"""Score idtracker.ai trajectories against a ground-truth CSV.

Ground truth: CSV with columns ``frame, animal, x, y`` (x = column, y = row,
in pixels), as written by ``synthetic_video.py``. Tracked: idtracker.ai's
``trajectories.h5`` (dataset ``trajectories``, shape (frames, animals, 2),
NaN where an animal was not found).

Three questions are answered:

* **Where**: for every frame, tracked points are paired with true points
  (Hungarian method, ignoring identities) and the distance of each pair is the
  position error.
* **How often**: the fraction of true positions that have a tracked point
  within ``max_distance`` px (detection).
* **Who**: one fixed tracked-id -> true-animal map is chosen for the whole
  video (the one that agrees most often). Identity accuracy is the fraction
  of all true positions for which the mapped tracked point exists, is within
  ``max_distance`` and is closer to its own animal than to any other.

CLI::

    python workflow/scripts/ground_truth.py TRAJECTORIES_H5 GROUNDTRUTH_CSV
        [--max-distance PX] [--json]
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import h5py
import numpy as np

try:  # scipy comes with idtracker.ai; the fallback is fine for a few animals
    from scipy.optimize import linear_sum_assignment
except ImportError:  # pragma: no cover
    linear_sum_assignment = None

DEFAULT_MAX_DISTANCE = 15.0  # px, about half a body length in the demo video


@dataclass
class Score:
    """Result of ``score``. Errors in px; fractions between 0 and 1."""

    n_frames: int
    n_animals: int
    n_tracked_ids: int
    median_error_px: float
    p95_error_px: float
    detection_fraction: float  # true positions with a tracked point nearby
    complete_frames_fraction: float  # frames where every animal was found
    identity_accuracy: float  # true positions with the right identity
    identity_map: dict  # tracked id -> true animal (both 1-based)
    per_animal: dict  # true animal -> {median_error_px, p95_error_px, detection_fraction}
    max_distance_px: float

    def as_dict(self) -> dict:
        return asdict(self)


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------


def load_trajectories(path) -> np.ndarray:
    """idtracker.ai trajectories as float array (frames, ids, 2)."""
    with h5py.File(path, "r") as h5:
        array = np.asarray(h5["trajectories"], dtype=float)
    if array.ndim == 2:  # a single animal may come squeezed
        array = array[:, None, :]
    return array


def load_groundtruth(path) -> tuple[np.ndarray, list[int]]:
    """Ground truth as (frames, animals, 2) plus the sorted animal labels.

    Frames missing from the CSV stay NaN (nothing to score there).
    """
    with open(path, newline="", encoding="utf-8") as handle:
        rows = [
            (int(r["frame"]), int(r["animal"]), float(r["x"]), float(r["y"]))
            for r in csv.DictReader(handle)
        ]
    if not rows:
        raise ValueError(f"{path}: no ground-truth rows")
    labels = sorted({animal for _, animal, _, _ in rows})
    column = {label: i for i, label in enumerate(labels)}
    truth = np.full((max(r[0] for r in rows) + 1, len(labels), 2), np.nan)
    for frame, animal, x, y in rows:
        truth[frame, column[animal]] = (x, y)
    return truth, labels


# --------------------------------------------------------------------------
# Matching
# --------------------------------------------------------------------------


def assign(cost: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Minimum-cost one-to-one assignment (rows, cols) of a cost matrix."""
    if linear_sum_assignment is not None:
        return linear_sum_assignment(cost)
    return _assign_brute_force(cost)


def _assign_brute_force(cost: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Same as ``assign`` by trying every permutation (fine up to ~7)."""
    transposed = cost.shape[0] > cost.shape[1]
    if transposed:
        cost = cost.T
    rows = np.arange(cost.shape[0])
    best = min(
        itertools.permutations(range(cost.shape[1]), cost.shape[0]),
        key=lambda cols: cost[rows, list(cols)].sum(),
    )
    cols = np.array(best, dtype=int)
    if transposed:
        order = np.argsort(cols)
        return cols[order], rows[order]
    return rows, cols


def _distances(tracked: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """Pairwise distances (frames, tracked ids, true animals); NaN if missing."""
    return np.linalg.norm(tracked[:, :, None, :] - truth[:, None, :, :], axis=-1)


def match_frames(dist: np.ndarray) -> np.ndarray:
    """Per frame, the error of each true animal after identity-free matching.

    Returns (frames, animals) with NaN where no tracked point was paired.
    """
    errors = np.full((dist.shape[0], dist.shape[2]), np.nan)
    for frame, d in enumerate(dist):
        ids = np.flatnonzero(np.isfinite(d).any(axis=1))
        animals = np.flatnonzero(np.isfinite(d).any(axis=0))
        if ids.size and animals.size:
            sub = d[np.ix_(ids, animals)]
            rows, cols = assign(sub)
            errors[frame, animals[cols]] = sub[rows, cols]
    return errors


def identity_hits(dist: np.ndarray, max_distance: float) -> np.ndarray:
    """hits[f, t, g]: tracked id t is at true animal g in frame f.

    "At" means within max_distance and no farther from g than from any other
    animal (a tie, e.g. two animals on top of each other, counts for both).
    """
    safe = np.where(np.isfinite(dist), dist, np.inf)
    nearest = safe.min(axis=2, keepdims=True)
    return (safe <= nearest) & (safe <= max_distance)


def global_identity_map(hits: np.ndarray) -> dict[int, int]:
    """Tracked id -> true animal index, maximising agreement over the video."""
    agreement = hits.sum(axis=0)  # (tracked ids, true animals)
    rows, cols = assign(-agreement)
    return {int(r): int(c) for r, c in zip(rows, cols)}


# --------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------


def _percentiles(values: np.ndarray) -> tuple[float, float]:
    values = values[np.isfinite(values)]
    if values.size == 0:
        return float("nan"), float("nan")
    return float(np.median(values)), float(np.percentile(values, 95))


def _align(tracked: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """Cut or NaN-pad the tracked frames to the ground-truth frame count."""
    n = truth.shape[0]
    if tracked.shape[0] >= n:
        return tracked[:n]
    pad = np.full((n - tracked.shape[0],) + tracked.shape[1:], np.nan)
    return np.concatenate([tracked, pad])


def score(tracked, truth, labels=None, max_distance=DEFAULT_MAX_DISTANCE) -> Score:
    """Compare arrays tracked (frames, ids, 2) and truth (frames, animals, 2)."""
    tracked = _align(np.asarray(tracked, dtype=float), np.asarray(truth, dtype=float))
    truth = np.asarray(truth, dtype=float)
    labels = list(labels) if labels is not None else list(range(1, truth.shape[1] + 1))
    dist = _distances(tracked, truth)
    errors = match_frames(dist)
    present = np.isfinite(truth).all(axis=2)  # true positions that exist
    found = (errors <= max_distance) & present
    hits = identity_hits(dist, max_distance)
    id_map = global_identity_map(hits)
    correct = sum(hits[:, t, g].sum() for t, g in id_map.items())
    n_true = max(int(present.sum()), 1)
    median, p95 = _percentiles(errors[present])
    per_animal = {}
    for g, label in enumerate(labels):
        a_median, a_p95 = _percentiles(errors[present[:, g], g])
        per_animal[label] = {
            "median_error_px": a_median,
            "p95_error_px": a_p95,
            "detection_fraction": float(found[:, g].sum() / max(present[:, g].sum(), 1)),
        }
    frames_with_truth = present.any(axis=1)
    complete = (found | ~present).all(axis=1) & frames_with_truth
    return Score(
        n_frames=int(truth.shape[0]),
        n_animals=int(truth.shape[1]),
        n_tracked_ids=int(tracked.shape[1]),
        median_error_px=median,
        p95_error_px=p95,
        detection_fraction=float(found.sum() / n_true),
        complete_frames_fraction=float(complete.sum() / max(frames_with_truth.sum(), 1)),
        identity_accuracy=float(correct / n_true),
        identity_map={t + 1: labels[g] for t, g in id_map.items()},
        per_animal=per_animal,
        max_distance_px=float(max_distance),
    )


def score_files(trajectories_h5, groundtruth_csv, max_distance=DEFAULT_MAX_DISTANCE):
    """``score`` for an idtracker.ai trajectories.h5 and a ground-truth CSV."""
    truth, labels = load_groundtruth(groundtruth_csv)
    return score(load_trajectories(trajectories_h5), truth, labels, max_distance)


def score_recording(tidy_table, groundtruth_csvs, max_distance=DEFAULT_MAX_DISTANCE):
    """``score`` for a joined recording (its tidy table: every part, the recording's identities)
    against its parts' ground truths in time order: one map from identity to animal for the
    whole recording, so an identity swapped at a part boundary counts as wrong."""
    import pandas as pd

    table = pd.read_parquet(tidy_table)
    names = list(table["individual"].cat.categories)
    tracked = np.stack(
        [
            table[table["individual"] == name].sort_values("recording_frame")[["x", "y"]].to_numpy()
            for name in names
        ],
        axis=1,
    )
    parts = [load_groundtruth(path) for path in groundtruth_csvs]
    truth = np.concatenate([positions for positions, _ in parts])
    return score(tracked, truth, parts[0][1], max_distance)


def summary(result: Score) -> str:
    """A few lines a biologist can read."""
    mapping = ", ".join(f"{t}->{g}" for t, g in result.identity_map.items())
    lines = [
        f"{result.n_frames} frames, {result.n_animals} animals"
        + f" ({result.n_tracked_ids} identities in the tracking)",
        f"Position error: median {result.median_error_px:.2f} px,"
        + f" 95% of positions within {result.p95_error_px:.2f} px",
        f"Animals found (within {result.max_distance_px:g} px):"
        + f" {result.detection_fraction:.1%} of positions;"
        + f" every animal found in {result.complete_frames_fraction:.1%} of frames",
        f"Identity kept right: {result.identity_accuracy:.1%} of positions"
        + f" (tracked id -> true animal: {mapping})",
    ]
    for label, stats in result.per_animal.items():
        lines.append(
            f"  animal {label}: median error {stats['median_error_px']:.2f} px, "
            f"found in {stats['detection_fraction']:.1%} of frames"
        )
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("trajectories", type=Path, help="idtracker.ai trajectories.h5")
    parser.add_argument("groundtruth", type=Path, help="CSV frame,animal,x,y")
    parser.add_argument(
        "--max-distance",
        type=float,
        default=DEFAULT_MAX_DISTANCE,
        help="px; farther tracked points count as not found (default %(default)s)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead")
    args = parser.parse_args(argv)
    result = score_files(args.trajectories, args.groundtruth, args.max_distance)
    if args.json:
        print(json.dumps(result.as_dict(), indent=2))
    else:
        print(summary(result))


if __name__ == "__main__":
    main()
