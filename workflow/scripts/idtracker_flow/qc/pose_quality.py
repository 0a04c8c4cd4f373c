"""What only poses have, for any pose tracker (Poses.keypoint_confidence): the keypoints
found, their mean likelihood and the frames where an animal's track seems to change animal.
The rest of a pose job's row comes from each animal's centre, as for every tracker.

A track changes animal in three ways a user sees in a labelled video, all counted as possible
identity swaps (one each, at the frame it lands):
- a jump: between two frames where the track is present (across frames where it is missing,
  too) its centre moves further than a body length (the median spread of its keypoints) plus
  the track's usual step for each missing frame;
- an exchange: two tracks jump into each other's places within the same stretch of frames
  (DeepLabCut's stitcher does this across frames where both are missing): one swap, not two;
- a close exchange: two animals near each other (no jump) whose labels, exchanged, would more
  than halve how far both moved since they were last seen.
A jump or exchange undone within FLICKER_FRAMES frames is a flicker (a keypoint caught on the
neighbour for a frame), listed apart and not counted: the identity is the same after it.
"""

import warnings
from bisect import bisect_right
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np

# A close exchange: exchanging two animals' labels would more than halve the distance they
# moved (and both moved further than this many pixels).
SWAP_GAIN = 2.0
MIN_STEP_PX = 2.0
# A change of animal undone this many frames later (or sooner) is a flicker, not a swap.
FLICKER_FRAMES = 2

COLUMNS = ("keypoints_found", "mean_likelihood", "possible_identity_swaps")


@dataclass(frozen=True, eq=False)  # each jump is itself (sets of jumps)
class Jump:
    track: int
    since: int  # the frame it was last seen before
    frame: int  # the frame it lands
    before: np.ndarray  # centre at `since`
    after: np.ndarray  # centre at `frame`
    distance: float


@dataclass
class SwapReport:
    """Every possible swap (counted) and flicker (not counted), by frame."""

    swaps: list[dict] = field(default_factory=list)
    flickers: list[dict] = field(default_factory=list)
    body_length_px: float | None = None

    @property
    def count(self) -> int:
        return len(self.swaps)

    @property
    def frames(self) -> list[int]:
        return sorted({event["frame"] for event in self.swaps})

    def as_dict(self) -> dict:
        return {
            "count": self.count,
            "frames": self.frames,
            "swaps": sorted(self.swaps, key=lambda event: event["frame"]),
            "flickers": sorted(self.flickers, key=lambda event: event["frame"]),
            "body_length_px": self.body_length_px,
        }


def body_lengths(position: np.ndarray) -> np.ndarray:
    """(animals,): each track's median keypoint spread (the diagonal of the box around the
    keypoints found, in frames with at least two); NaN for a track without such frames."""
    if not len(position):
        return np.full(position.shape[1], np.nan)
    with _quiet():
        low, high = np.nanmin(position, axis=2), np.nanmax(position, axis=2)
        diagonal = np.linalg.norm(high - low, axis=-1)  # (frames, animals)
        enough = np.isfinite(position[..., 0]).sum(axis=2) >= 2
        diagonal[~enough | ~(diagonal > 0)] = np.nan
        return np.nanmedian(diagonal, axis=0)


@contextmanager
def _quiet():
    """All-NaN slices (a frame without keypoints, a track never seen) are expected here."""
    with warnings.catch_warnings(), np.errstate(invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def usual_steps(centres: np.ndarray) -> np.ndarray:
    """(animals,): each track's median move between consecutive frames (0 when unknown)."""
    with _quiet():
        steps = np.linalg.norm(np.diff(centres, axis=0), axis=2)
        usual = np.nanmedian(steps, axis=0) if len(steps) else np.zeros(centres.shape[1])
    return np.nan_to_num(usual)


def _jumps(centres: np.ndarray, body: np.ndarray, usual: np.ndarray) -> list[Jump]:
    """Per track, moves between frames where it is present longer than its body length plus
    its usual step for each frame it was missing."""
    found = []
    for track in range(centres.shape[1]):
        present = np.flatnonzero(np.isfinite(centres[:, track]).all(axis=1))
        if len(present) < 2 or not np.isfinite(body[track]):
            continue
        since, frame = present[:-1], present[1:]
        distance = np.linalg.norm(centres[frame, track] - centres[since, track], axis=1)
        limit = body[track] + (frame - since - 1) * usual[track]
        for i in np.flatnonzero(distance > limit):
            found.append(
                Jump(track, int(since[i]), int(frame[i]), centres[since[i], track],
                     centres[frame[i], track], float(distance[i]))
            )  # fmt: skip
    return found


def _near(a: np.ndarray, b: np.ndarray, limit: float) -> bool:
    return bool(np.linalg.norm(a - b) <= limit)


def _flickers(jumps: list[Jump], body: np.ndarray) -> dict[Jump, Jump]:
    """Jumps undone soon after (the track comes back to where it was): out -> back. Jumps
    come per track in frame order (_jumps), so only the next few are looked at."""
    undone = {}
    for at, out in enumerate(jumps):
        for back in jumps[at + 1 : at + 1 + FLICKER_FRAMES]:
            if (back.track == out.track and back.frame - out.frame <= FLICKER_FRAMES
                    and _near(back.after, out.before, body[out.track])):  # fmt: skip
                undone[out] = back
                break
    return undone


def _took_place(a: Jump, b: Jump, body: np.ndarray, usual: np.ndarray) -> bool:
    """Track a landed where track b was last seen (b may have moved on meanwhile)."""
    limit = body[b.track] + abs(a.frame - b.since) * usual[b.track]
    return _near(a.after, b.before, limit)


def _exchanges(jumps: list[Jump], body: np.ndarray, usual: np.ndarray) -> list[tuple[Jump, Jump]]:
    """Pairs of jumps of two tracks, in overlapping stretches, each into the other's place."""
    ordered = sorted(jumps, key=lambda j: j.frame)
    frames = [j.frame for j in ordered]
    span = max((j.frame - j.since for j in ordered), default=0)
    pairs, used = [], set()
    for at, a in enumerate(ordered):
        # b lands at or after a; their stretches overlap only within the longest stretch.
        for b in ordered[at + 1 : bisect_right(frames, a.frame + span)]:
            if a.track == b.track or a in used or b in used or b.since > a.frame:
                continue
            if _took_place(a, b, body, usual) and _took_place(b, a, body, usual):
                pairs.append((a, b))
                used |= {a, b}
    return pairs


def _last_seen(present: np.ndarray) -> np.ndarray:
    """(frames,): the last frame before each one where the track was present; -1 none."""
    index = np.where(present, np.arange(len(present)), -1)
    last = np.maximum.accumulate(index)
    return np.concatenate([[-1], last[:-1]])


def _close_exchanges(centres: np.ndarray) -> list[tuple[int, int, int]]:
    """(frame, track a, track b) where exchanging the labels of two animals present now
    would more than halve how far both moved since each was last seen."""
    present = np.isfinite(centres).all(axis=2)
    last = np.stack([_last_seen(present[:, t]) for t in range(centres.shape[1])], axis=1)
    found = []
    for a, b in combinations(range(centres.shape[1]), 2):
        frames = np.flatnonzero(
            present[:, a] & present[:, b] & (last[:, a] >= 0) & (last[:, b] >= 0)
        )
        if not len(frames):
            continue
        now_a, now_b = centres[frames, a], centres[frames, b]
        was_a, was_b = centres[last[frames, a], a], centres[last[frames, b], b]
        kept = np.linalg.norm(now_a - was_a, axis=1) + np.linalg.norm(now_b - was_b, axis=1)
        swapped = np.linalg.norm(now_a - was_b, axis=1) + np.linalg.norm(now_b - was_a, axis=1)
        for frame in frames[(kept > 2 * MIN_STEP_PX) & (kept > SWAP_GAIN * swapped)]:
            found.append((int(frame), a, b))
    return found


def find_swaps(position: np.ndarray, names: list[str] | None = None) -> SwapReport:
    """Possible identity swaps of pose tracks: position (frames, animals, keypoints, 2)."""
    n_animals = position.shape[1]
    names = names or [str(i) for i in range(n_animals)]
    with _quiet():
        centres = np.nanmean(position, axis=2)
    body = body_lengths(position)
    report = SwapReport(
        body_length_px=round(float(np.nanmedian(body)), 2) if np.isfinite(body).any() else None
    )
    usual = usual_steps(centres)
    jumps = _jumps(centres, body, usual)
    flicker = _flickers(jumps, body)
    settled = [j for j in jumps if j not in flicker and j not in flicker.values()]
    exchanges = _exchanges(settled, body, usual)
    in_exchange = {j for pair in exchanges for j in pair}
    stretches = {}  # pair -> (first, last) frame of its exchange across a gap
    for a, b in exchanges:
        pair = tuple(sorted((a.track, b.track)))
        stretches.setdefault(pair, []).append((min(a.since, b.since), max(a.frame, b.frame)))
        report.swaps.append(_event("exchange", max(a.frame, b.frame), min(a.since, b.since),
                                   [names[a.track], names[b.track]]))  # fmt: skip
    for jump in jumps:
        event = _event("jump", jump.frame, jump.since, [names[jump.track]], jump.distance)
        if jump in flicker:
            report.flickers.append({**event, "back_at": flicker[jump].frame})
        elif jump in settled and jump not in in_exchange:
            report.swaps.append(event)
    close = [c for c in _close_exchanges(centres) if not _within(c, stretches)]
    flagged = set(close)
    back = {(f, a, b): g for f, a, b in close
            for g in range(f + 1, f + 1 + FLICKER_FRAMES) if (g, a, b) in flagged}  # fmt: skip
    returns = {(g, a, b) for (f, a, b), g in back.items()}
    for frame, a, b in close:
        event = _event("close exchange", frame, frame - 1, [names[a], names[b]])
        if (frame, a, b) in back:
            report.flickers.append({**event, "back_at": back[(frame, a, b)]})
        elif (frame, a, b) not in returns:
            report.swaps.append(event)
    report.flickers = _one_per_frame(report.flickers)
    return report


def _one_per_frame(flickers: list[dict]) -> list[dict]:
    """One flicker per frame: two tracks caught on each other are one event, seen as two
    jumps and a close exchange."""
    merged: dict[int, dict] = {}
    for event in flickers:
        kept = merged.setdefault(event["frame"], {**event, "tracks": []})
        kept["tracks"] = sorted({*kept["tracks"], *event["tracks"]})
    return list(merged.values())


def _within(close: tuple[int, int, int], stretches: dict) -> bool:
    """A close exchange of a pair already counted as an exchange across the same frames."""
    frame, a, b = close
    return any(first <= frame <= last for first, last in stretches.get((a, b), []))


def _event(kind: str, frame: int, since: int, tracks: list[str], distance=None) -> dict:
    event = {"frame": frame, "kind": kind, "tracks": tracks, "last_seen": since}
    if distance is not None:
        event["distance_px"] = round(float(distance), 1)
    return event


def swap_report(poses) -> SwapReport | None:
    """None for a tracker without keypoint likelihoods (not a pose tracker)."""
    if not poses.keypoint_confidence:
        return None
    return find_swaps(poses.position, list(poses.individuals))


def pose_columns(poses, swaps: SwapReport | None = None) -> dict:
    """The pose columns of a job's row (None for a tracker without keypoint likelihoods).
    `swaps`: the report when the caller has it (it writes the frames beside the row)."""
    if not poses.keypoint_confidence:
        return dict.fromkeys(COLUMNS)
    found = np.isfinite(poses.position[..., 0])
    swaps = swaps or swap_report(poses)
    return {
        "keypoints_found": round(float(found.mean()), 4) if found.size else None,
        "mean_likelihood": (round(float(np.nanmean(poses.confidence)), 4) if found.any() else None),
        "possible_identity_swaps": swaps.count,
    }
