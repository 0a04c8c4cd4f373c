"""Identities matched by position at the cut between two parts that follow each other in time.

Each animal is where it was: its last position in one part is (almost) its first position in
the next, whatever the light, the animal's size on screen or the identification network. The
positions are assigned one-to-one (Hungarian method) on their distances. How sure the match is
comes from how much farther the nearest other candidate was than the matched one, in body
lengths: animals far apart at the cut give a certain match, two animals crossing right at
the cut an unsure one, and an animal that jumped across the cut none.
"""

from dataclasses import dataclass

import numpy as np

# Confidence 1 when the nearest other candidate is this many body lengths farther away than
# the matched position; 0.5 at half of it (one body length: animals touching at the cut).
SURE_GAP_BODY_LENGTHS = 2.0
# An animal does not move this many body lengths from one frame to the next: a longer jump
# across the cut means frames are missing there (or a position was edited), so no confidence.
MAX_MOVE_BODY_LENGTHS = 2.0
# Look this many tracked frames back (forward) for an animal's last (first) position: a
# position idtracker.ai could not give at the very last frame is taken from just before.
WINDOW = 5
_UNKNOWN = 1e12  # the cost of a pair without positions: assigned only when nothing else is left


@dataclass
class CutMatch:
    """identity j of the later part is identity `assignment[j]` of the earlier part."""

    assignment: list[int]
    confidence: list[float]  # per identity of the later part, 0 to 1
    moved: list[float | None]  # body lengths between the matched positions (None: no position)
    nearest_other: list[float | None]  # body lengths to the nearest other candidate

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def edge_positions(positions: np.ndarray, tracked: np.ndarray, last: bool) -> np.ndarray:
    """(animals, 2): each identity's last (or first) position among the last (first) WINDOW
    tracked frames, NaN when it has none there."""
    frames = np.flatnonzero(tracked)
    frames = frames[-WINDOW:][::-1] if last else frames[:WINDOW]
    edge = np.full(positions.shape[1:], np.nan)
    for frame in frames:
        missing = np.isnan(edge[:, 0]) & np.isfinite(positions[frame]).all(axis=1)
        edge[missing] = positions[frame][missing]
    return edge


def match_at_cut(before: np.ndarray, after: np.ndarray, body_length: float) -> CutMatch:
    """`before`: (animals, 2) the earlier part's last positions per identity; `after`: the
    later part's first positions; `body_length` in pixels."""
    from scipy.optimize import linear_sum_assignment

    distance = np.linalg.norm(after[:, None, :] - before[None, :, :], axis=2)  # (after, before)
    known = np.isfinite(distance)
    rows, columns = linear_sum_assignment(np.where(known, distance, _UNKNOWN))
    assignment = [int(c) for _, c in sorted(zip(rows, columns))]
    n = len(assignment)
    confidence, moved, nearest = [], [], []
    for j, i in enumerate(assignment):
        # The alternatives: this position matched with another animal, or another with it.
        others = np.concatenate([np.delete(distance[j], i), np.delete(distance[:, i], j)])
        others = others[np.isfinite(others)]
        if not known[j, i] or body_length <= 0:
            confidence.append(0.0)
            moved.append(None)
            nearest.append(None)
            continue
        alternative = float(others.min()) if n > 1 and others.size else np.inf
        gap = (alternative - distance[j, i]) / body_length
        sure = float(np.clip(gap / SURE_GAP_BODY_LENGTHS, 0.0, 1.0))
        confidence.append(sure if distance[j, i] / body_length <= MAX_MOVE_BODY_LENGTHS else 0.0)
        moved.append(round(float(distance[j, i] / body_length), 3))
        nearest.append(None if np.isinf(alternative) else round(alternative / body_length, 3))
    return CutMatch(assignment, confidence, moved, nearest)


def inverse(assignment: list[int]) -> list[int]:
    """The map the other way round (earlier identity -> later identity)."""
    back = [0] * len(assignment)
    for later, earlier in enumerate(assignment):
        back[earlier] = later
    return back
