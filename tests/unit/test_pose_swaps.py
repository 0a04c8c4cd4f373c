"""Possible identity swaps of pose tracks (qc/pose_quality.py), on synthetic tracks whose swaps
are known: each kind of swap counted once at its frame, a one-frame flicker listed but not
counted, tracks with gaps but no swap counting none."""

import numpy as np

from idtracker_flow.qc import pose_quality

# Three keypoints per animal around its centre: a body about 8.5 px long.
KEYPOINTS = np.array([(4.0, 0.0), (0.0, 3.0), (-4.0, 0.0)])


def animals(frames: int, n: int = 2, spacing: float = 40.0) -> np.ndarray:
    """(frames, animals, 2): animals moving right at 1 px per frame on parallel lines."""
    t = np.arange(frames, dtype=float)
    return np.stack(
        [np.stack([10 + t, np.full(frames, 20 + spacing * i)], axis=1) for i in range(n)], axis=1
    )


def poses(centres: np.ndarray) -> np.ndarray:
    """(frames, tracks, keypoints, 2) around the centres (NaN centres: track missing)."""
    return centres[:, :, None, :] + KEYPOINTS[None, None]


def follow(truth: np.ndarray, plan: dict[int, list[tuple[int, int, int | None]]]) -> np.ndarray:
    """Tracks made from the animals' truth: plan[track] = [(first, end, animal or None)]."""
    tracks = np.full((len(truth), len(plan), 2), np.nan)
    for track, stretches in plan.items():
        for first, end, animal in stretches:
            if animal is not None:
                tracks[first:end, track] = truth[first:end, animal]
    return tracks


def report(tracks: np.ndarray) -> pose_quality.SwapReport:
    return pose_quality.find_swaps(poses(tracks), ["a", "b", "c"][: tracks.shape[1]])


def test_tracks_with_gaps_and_no_swap_count_none():
    truth = animals(100)
    tracks = follow(truth, {0: [(0, 30, 0), (45, 100, 0)], 1: [(0, 60, 1), (62, 100, 1)]})
    found = report(tracks)
    assert found.count == 0 and found.flickers == [], found.as_dict()
    assert abs(found.body_length_px - np.hypot(8, 3)) < 0.01


def test_an_exchange_between_present_frames_is_one_swap():
    truth = animals(40)
    tracks = follow(truth, {0: [(0, 25, 0), (25, 40, 1)], 1: [(0, 25, 1), (25, 40, 0)]})
    found = report(tracks)
    assert found.count == 1 and found.frames == [25], found.as_dict()
    assert found.swaps[0]["kind"] == "exchange" and found.swaps[0]["tracks"] == ["a", "b"]


def test_an_exchange_across_missing_frames_is_one_swap():
    # As DeepLabCut's stitcher does: both tracks missing for a while, then each on the other.
    truth = animals(100)
    tracks = follow(truth, {0: [(0, 41, 0), (46, 100, 1)], 1: [(0, 43, 1), (50, 100, 0)]})
    found = report(tracks)
    assert found.count == 1 and found.frames == [50], found.as_dict()
    assert found.swaps[0]["kind"] == "exchange" and found.swaps[0]["last_seen"] == 40
    # The old count saw none: in no two consecutive frames were both tracks present across it.


def test_a_track_jumping_to_another_animal_is_one_swap():
    truth = animals(100, n=3)
    # Track c loses animal 2 at frame 30; track a leaves animal 0 for animal 2 at frame 60.
    tracks = follow(
        truth,
        {0: [(0, 60, 0), (60, 100, 2)], 1: [(0, 100, 1)], 2: [(0, 30, 2)]},
    )
    found = report(tracks)
    assert found.count == 1 and found.frames == [60], found.as_dict()
    assert found.swaps[0]["kind"] == "jump" and found.swaps[0]["tracks"] == ["a"]
    assert found.swaps[0]["distance_px"] > 79  # two rows away (80 px)


def test_a_one_frame_flicker_is_listed_not_counted_and_the_real_swap_is():
    # The run: a flicker at frame 43 counted, the real swap later missed.
    truth = animals(100)
    tracks = follow(truth, {0: [(0, 100, 0)], 1: [(0, 70, 1), (74, 100, 0)]})
    tracks[43, 0] = truth[43, 1]  # track a caught on animal 1 for one frame
    tracks[70:74, 0] = np.nan  # track a missing while b moves onto animal 0
    tracks[74:, 0] = truth[74:, 1]  # and a then follows animal 1: an exchange across the gap
    found = report(tracks)
    assert found.frames == [74] and found.count == 1, found.as_dict()
    assert [f["frame"] for f in found.flickers] == [43] and found.flickers[0]["back_at"] == 44


def test_a_one_frame_label_exchange_and_back_is_a_flicker():
    truth = animals(60)
    tracks = follow(truth, {0: [(0, 60, 0)], 1: [(0, 60, 1)]})
    tracks[30] = tracks[30, ::-1]
    found = report(tracks)
    assert found.count == 0 and [f["frame"] for f in found.flickers] == [30], found.as_dict()


def test_two_close_animals_exchanging_labels_is_one_swap():
    # Closer than a body length: no jump, but the labels' exchange halves how far they moved.
    truth = animals(60, spacing=6.0)
    tracks = follow(truth, {0: [(0, 30, 0), (30, 60, 1)], 1: [(0, 30, 1), (30, 60, 0)]})
    found = report(tracks)
    assert found.count == 1 and found.frames == [30], found.as_dict()
    assert found.swaps[0]["kind"] == "close exchange"
