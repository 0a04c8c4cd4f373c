"""Unit tests for the synthetic demo video and the ground-truth scorer.

Fast: no idtracker.ai run. The video is kept short (60 frames) except where
crossings are needed.
"""

from pathlib import Path

import cv2
import h5py
import numpy as np
import pytest
import toml

from idtracker_flow.demo import ground_truth, synthetic_video


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The default video (2 animals, 200 frames, seed 0), made once."""
    return synthetic_video.make_video(tmp_path_factory.mktemp("demo"))


def _write_h5(path: Path, trajectories: np.ndarray) -> Path:
    with h5py.File(path, "w") as h5:
        h5.create_dataset("trajectories", data=trajectories)
    return path


def _truth(result) -> np.ndarray:
    truth, labels = ground_truth.load_groundtruth(result["groundtruth"])
    assert labels == list(range(1, result["n_animals"] + 1))
    return truth


# --------------------------------------------------------------------------
# Video and ground truth
# --------------------------------------------------------------------------


def test_same_arguments_give_identical_output(tmp_path):
    a = synthetic_video.make_video(tmp_path / "a", n_frames=60, seed=3)
    b = synthetic_video.make_video(tmp_path / "b", n_frames=60, seed=3)
    assert a["groundtruth"].read_bytes() == b["groundtruth"].read_bytes()
    cap_a, cap_b = cv2.VideoCapture(str(a["video"])), cv2.VideoCapture(str(b["video"]))
    for _ in range(60):
        (ok_a, frame_a), (ok_b, frame_b) = cap_a.read(), cap_b.read()
        assert ok_a and ok_b
        assert np.array_equal(frame_a, frame_b)


def test_other_seed_gives_other_paths(tmp_path):
    a = synthetic_video.make_video(tmp_path / "a", n_frames=30, seed=0)
    b = synthetic_video.make_video(tmp_path / "b", n_frames=30, seed=1)
    assert a["groundtruth"].read_bytes() != b["groundtruth"].read_bytes()


def test_video_reads_back_with_right_count_and_size(demo):
    assert synthetic_video.count_frames(demo["video"]) == 200
    cap = cv2.VideoCapture(str(demo["video"]))
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == 200
    ok, frame = cap.read()
    assert ok
    assert frame.shape[:2] == (demo["height"], demo["width"]) == (320, 320)


def _ffv1_available(tmp_path) -> bool:
    fourcc = cv2.VideoWriter_fourcc(*"FFV1")
    writer = cv2.VideoWriter(str(tmp_path / "probe.avi"), fourcc, 25, (64, 64), False)
    opened = writer.isOpened()
    writer.release()
    return opened


def test_video_is_lossless_where_ffv1_exists(demo, tmp_path):
    """The pixels read back are exactly the rendered ones (FFV1 is lossless)."""
    if not _ffv1_available(tmp_path):
        pytest.skip("this OpenCV cannot write FFV1; the MJPG fallback is lossy")
    assert demo["codec"] == "FFV1"
    background = synthetic_video._background(demo["width"], demo["height"])
    noise = np.random.default_rng([0, 2])  # seed 0, the pixel-noise stream
    cap = cv2.VideoCapture(str(demo["video"]))
    for frame in range(3):
        expected = synthetic_video.render_frame(
            background, demo["positions"][frame], demo["headings"][frame], noise
        )
        ok, image = cap.read()
        assert ok
        gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
        assert np.array_equal(gray, expected)


def test_groundtruth_has_every_frame_and_animal(demo):
    truth = _truth(demo)
    assert truth.shape == (200, 2, 2)
    assert np.isfinite(truth).all()


def test_animals_stay_inside_the_frame(demo):
    truth = _truth(demo)
    half_length = max(size[0] for size in synthetic_video.BODY_SIZES) / 2
    assert (truth >= half_length).all()
    assert (truth[..., 0] <= demo["width"] - 1 - half_length).all()
    assert (truth[..., 1] <= demo["height"] - 1 - half_length).all()


def test_animals_cross_a_few_times(demo):
    truth = _truth(demo)
    body_length = min(size[0] for size in synthetic_video.BODY_SIZES[:2])
    close = np.linalg.norm(truth[:, 0] - truth[:, 1], axis=1) < body_length
    n_encounters = np.count_nonzero(np.diff(close.astype(int)) == 1) + close[0]
    assert n_encounters >= 2


def test_every_animal_is_one_blob_outside_crossings(demo):
    """The settings' thresholds give exactly one blob per animal."""
    cap = cv2.VideoCapture(str(demo["video"]))
    counts = []
    for _ in range(demo["n_frames"]):
        ok, frame = cap.read()
        assert ok
        gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY) if frame.ndim == 3 else frame
        counts.append(synthetic_video.count_blobs(gray))
    counts = np.array(counts)
    assert counts.max() == 2  # never an extra (noise) blob
    assert np.flatnonzero(counts < 2).tolist() == demo["crossing_frames"]
    assert 0 < len(demo["crossing_frames"]) < 0.25 * demo["n_frames"]


def test_paths_are_smooth(demo):
    truth = _truth(demo)
    steps = np.linalg.norm(np.diff(truth, axis=0), axis=2)
    assert steps.max() < 6  # px per frame: no teleporting


def test_truth_matches_dark_pixels(demo):
    """Where the ground truth says an animal is, the video is dark."""
    truth = _truth(demo)
    cap = cv2.VideoCapture(str(demo["video"]))
    ok, frame = cap.read()
    assert ok
    gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY) if frame.ndim == 3 else frame
    low, high = synthetic_video.INTENSITY_THS
    for x, y in truth[0]:
        patch = gray[round(y) - 1 : round(y) + 2, round(x) - 1 : round(x) + 2]
        assert low <= patch.mean() <= high
    assert np.median(gray) > high  # the background is not segmented


def test_more_animals_fit(tmp_path):
    result = synthetic_video.make_video(tmp_path, n_animals=5, n_frames=20)
    assert result["width"] == result["height"] == 400
    assert _truth(result).shape == (20, 5, 2)


def test_settings_toml_is_readable_with_idtracker_rules(tmp_path, demo):
    path = synthetic_video.write_settings(
        tmp_path / "s.toml", demo["video"], 2, disable_contrastive=True
    )
    text = path.read_text()
    assert "area_ths = [100.0, inf]" in text  # floats only: toml 0.10 rule
    assert 'tracking_intervals = ""' in text
    settings = toml.loads(text)
    assert settings["video_paths"] == [str(demo["video"].resolve())]
    assert settings["number_of_animals"] == 2
    assert settings["track_wo_identities"] is True
    assert settings["disable_contrastive"] is True
    assert settings["use_bkg"] is False


def test_settings_keep_windows_backslashes_single(tmp_path):
    path = synthetic_video.write_settings(tmp_path / "s.toml", "C:\\data\\v.avi", 1)
    assert "\\\\" not in path.read_text()


# --------------------------------------------------------------------------
# Scorer
# --------------------------------------------------------------------------


def test_perfect_tracking_scores_perfectly(tmp_path, demo):
    h5 = _write_h5(tmp_path / "t.h5", _truth(demo))
    result = ground_truth.score_files(h5, demo["groundtruth"])
    assert result.median_error_px == 0
    assert result.p95_error_px == 0
    assert result.detection_fraction == 1.0
    assert result.complete_frames_fraction == 1.0
    assert result.identity_accuracy == 1.0
    assert result.identity_map == {1: 1, 2: 2}


def test_swapped_columns_are_still_perfect(tmp_path, demo):
    """Tracked id numbers are arbitrary: one global relabelling is free."""
    h5 = _write_h5(tmp_path / "t.h5", _truth(demo)[:, ::-1])
    result = ground_truth.score_files(h5, demo["groundtruth"])
    assert result.identity_accuracy == 1.0
    assert result.identity_map == {1: 2, 2: 1}


def test_identity_swap_halfway_halves_accuracy(tmp_path, demo):
    tracked = _truth(demo).copy()
    tracked[100:] = tracked[100:, ::-1]
    h5 = _write_h5(tmp_path / "t.h5", tracked)
    result = ground_truth.score_files(h5, demo["groundtruth"])
    assert result.median_error_px == 0  # positions are still right
    assert 0.4 <= result.identity_accuracy <= 0.6


def test_offset_shows_as_position_error(demo):
    truth = _truth(demo)
    result = ground_truth.score(truth + [3.0, 4.0], truth)
    assert result.median_error_px == pytest.approx(5.0)
    assert result.detection_fraction == 1.0
    far = ground_truth.score(truth + [600.0, 800.0], truth, max_distance=15)
    assert far.detection_fraction == 0.0
    assert far.identity_accuracy == 0.0


def test_missing_frames_count_as_not_found(tmp_path, demo):
    tracked = _truth(demo).copy()
    tracked[:50] = np.nan  # whole frames lost
    tracked[50:100, 1] = np.nan  # one animal lost
    h5 = _write_h5(tmp_path / "t.h5", tracked)
    result = ground_truth.score_files(h5, demo["groundtruth"])
    assert result.median_error_px == 0
    assert result.detection_fraction == pytest.approx((400 - 100 - 50) / 400)
    assert result.complete_frames_fraction == pytest.approx(100 / 200)
    assert result.identity_accuracy == pytest.approx(250 / 400)
    assert result.per_animal[1]["detection_fraction"] == pytest.approx(150 / 200)
    assert result.per_animal[2]["detection_fraction"] == pytest.approx(100 / 200)


def test_all_nan_tracking_does_not_crash(demo):
    truth = _truth(demo)
    result = ground_truth.score(np.full_like(truth, np.nan), truth)
    assert np.isnan(result.median_error_px)
    assert result.detection_fraction == 0.0
    assert result.identity_accuracy == 0.0


def test_short_tracking_is_padded(demo):
    truth = _truth(demo)
    result = ground_truth.score(truth[:150], truth)
    assert result.detection_fraction == pytest.approx(0.75)


def test_brute_force_matches_hungarian():
    rng = np.random.default_rng(0)
    for shape in [(3, 3), (2, 4), (4, 2), (5, 5)]:
        cost = rng.random(shape)
        rows, cols = ground_truth.assign(cost)
        rows_b, cols_b = ground_truth._assign_brute_force(cost)
        assert cost[rows, cols].sum() == pytest.approx(cost[rows_b, cols_b].sum())


def test_cli_prints_a_summary(tmp_path, demo, capsys):
    h5 = _write_h5(tmp_path / "t.h5", _truth(demo))
    ground_truth.main([str(h5), str(demo["groundtruth"])])
    out = capsys.readouterr().out
    assert "median 0.00 px" in out
    assert "Identity kept right: 100.0%" in out


def test_a_recording_part_filmed_at_night_has_less_contrast_and_its_own_threshold(tmp_path):
    made = synthetic_video.make_recording(tmp_path, 2, 20, n_animals=2, night_parts=(1,))
    day, night = (cv2.VideoCapture(str(part["video"])).read()[1][..., 0] for part in made)
    assert made[0]["intensity_ths"] == list(synthetic_video.INTENSITY_THS)
    assert made[1]["intensity_ths"] == list(synthetic_video.NIGHT.intensity_ths)
    # Half the contrast between the darkest animal pixels and the background.
    contrast = [np.median(f) - np.percentile(f, 0.2) for f in (day, night)]
    assert 0.35 < contrast[1] / contrast[0] < 0.65
    # Its own threshold still segments one blob per animal outside crossings.
    crossing = made[1]["crossing_frames"]
    assert 0 in crossing or synthetic_video.count_blobs(night, made[1]["intensity_ths"]) == 2
    assert len(crossing) < 10


def test_a_joined_recording_is_scored_with_one_identity_map_for_all_parts(tmp_path):
    """The demo's --recording score: a tidy table that follows the truth scores 100 %; one
    whose identities swap at the part boundary (each part right on its own) scores half."""
    import pandas as pd

    made = synthetic_video.make_recording(tmp_path, 2, 20, name="fish1")
    truths = [info["groundtruth"] for info in made]
    truth = np.concatenate([ground_truth.load_groundtruth(p)[0] for p in truths])

    def table(swap_in_second_part: bool) -> Path:
        rows = []
        for frame in range(truth.shape[0]):
            for animal in range(2):
                source = 1 - animal if swap_in_second_part and frame >= 20 else animal
                x, y = truth[frame, source]
                rows.append({"recording_frame": frame, "individual": f"id_{animal + 1}",
                             "x": x, "y": y})  # fmt: skip
        frame_table = pd.DataFrame(rows).astype({"individual": "category"})
        path = tmp_path / f"swap{swap_in_second_part}.parquet"
        frame_table.to_parquet(path)
        return path

    assert ground_truth.score_recording(table(False), truths).identity_accuracy == 1.0
    swapped = ground_truth.score_recording(table(True), truths).identity_accuracy
    assert swapped == pytest.approx(0.5, abs=0.05)
