"""Unit tests of the QC computations on small hand-made arrays (no tracking needed)."""

import json

import h5py
import numpy as np
import pandas as pd
import pytest

from idtracker_flow.qc import metrics as qc_metrics
from idtracker_flow.qc import summary as qc_summary
from idtracker_flow.trackers.idtrackerai import quality as idtracker_quality

NAN = np.nan


def make_trajectories(positions, fps=10.0, body_length=2.0, accuracy=1.0):
    positions = np.asarray(positions, dtype=float)
    return qc_metrics.Trajectories(
        positions=positions,
        fps=fps,
        body_length=body_length,
        width=100,
        height=100,
        version="6.0.14",
        estimated_accuracy=accuracy,
        identities=[str(i + 1) for i in range(positions.shape[1])],
    )


def two_animals():
    """6 frames, 2 animals. Animal 1 moves 1 px/frame along x and is missing in frames 2-3;
    animal 2 stands still and is missing in frame 5."""
    positions = np.zeros((6, 2, 2))
    positions[:, 0, 0] = np.arange(6)
    positions[2:4, 0] = NAN
    positions[:, 1] = (50, 50)
    positions[5, 1] = NAN
    return positions


def test_runs_of_true():
    assert qc_metrics.runs_of_true(np.array([1, 1, 0, 1, 0, 0, 1], bool)) == [
        (0, 2),
        (3, 4),
        (6, 7),
    ]
    assert qc_metrics.runs_of_true(np.zeros(3, bool)) == []


def test_tracked_mask_and_interval_text():
    assert qc_metrics.tracked_mask(5, None).all()
    mask = qc_metrics.tracked_mask(10, [[2, 4], [7, 20]])
    assert mask.tolist() == [0, 0, 1, 1, 0, 0, 0, 1, 1, 1]
    assert qc_metrics.interval_text(10, [[2, 4], [7, 20]]) == "2-4, 7-20"
    assert qc_metrics.interval_text(10, None) == "0-10"


def test_gaps_stop_at_the_tracked_interval():
    positions = two_animals()
    everything = qc_metrics.gaps(positions, np.ones(6, bool))
    assert sorted(everything) == [(0, 2, 2), (1, 5, 1)]
    # Frames 4-5 untracked: animal 2's missing frame 5 is not a gap.
    first_four = qc_metrics.gaps(positions, qc_metrics.tracked_mask(6, [[0, 4]]))
    assert first_four == [(0, 2, 2)]


def test_row_of_two_animals():
    row = qc_metrics.job_row(
        "v",
        "j",
        make_trajectories(two_animals(), fps=10.0, body_length=2.0, accuracy=0.97),
        {"tracking_intervals": None, "track_wo_identities": False},
        {"seconds": 12.5, "device": "cuda (NVIDIA H100)"},
    )
    assert row["frames"] == 6 and row["animals"] == 2
    assert row["fraction_identified"] == pytest.approx(9 / 12, abs=1e-4)
    assert row["fraction_all_present"] == pytest.approx(3 / 6, abs=1e-4)
    assert (row["gaps"], row["gap_frames_total"], row["longest_gap_frames"]) == (
        2,
        3,
        2,
    )
    assert row["longest_gap_seconds"] == pytest.approx(0.2)
    # Steps that exist: animal 1 frames 0->1 and 4->5 (1 px each), animal 2 four still steps.
    # Speeds 10, 10, 0, 0, 0, 0 px/s -> median 0; in body lengths the same.
    assert row["median_speed_bl_per_s"] == 0.0
    assert row["estimated_accuracy"] == 0.97
    assert row["tracking_seconds"] == 12.5 and row["device"] == "cuda (NVIDIA H100)"
    assert row["validated"] is False and row["last_validated"] is None
    assert "estimated accuracy 97.00% < 99%" in row["flags"]
    assert "identified in 75.0%" in row["flags"]


def test_speed_in_body_lengths_per_second():
    positions = np.zeros((5, 1, 2))
    positions[:, 0, 0] = np.arange(5) * 3.0  # 3 px per frame
    row = qc_metrics.job_row(
        "v", "j", make_trajectories(positions, fps=20.0, body_length=6.0), {}, {}
    )
    assert row["median_speed_bl_per_s"] == pytest.approx(3.0 * 20.0 / 6.0)


def test_accuracy_is_na_without_identities_or_with_one_animal():
    two = make_trajectories(two_animals(), accuracy=1.0)
    assert idtracker_quality.meaningful_accuracy(two, {"track_wo_identities": True}) is None
    one = make_trajectories(np.zeros((3, 1, 2)), accuracy=1.0)
    assert idtracker_quality.meaningful_accuracy(one, {"track_wo_identities": False}) is None
    assert idtracker_quality.meaningful_accuracy(two, {"track_wo_identities": False}) == 1.0


def test_flags_follow_the_thresholds():
    row = {
        "estimated_accuracy": None,
        "fraction_identified": 0.99,
        "fraction_all_present": 0.5,
        "longest_gap_seconds": 3.0,
        "longest_gap_frames": 75,
    }
    reasons = qc_metrics.flags(row, qc_metrics.DEFAULT_THRESHOLDS)
    assert reasons == [
        "all animals present in 50.0% of tracked frames < 90%",
        "longest gap 3 s (75 frames) > 1 s",
    ]
    lenient = dict(qc_metrics.DEFAULT_THRESHOLDS, min_fraction_all_present=0.4, max_gap_seconds=5)
    assert qc_metrics.flags(row, lenient) == []


def test_validated_session(tmp_path):
    row = qc_metrics.job_row(
        "v",
        "j",
        make_trajectories(two_animals()),
        {"last_validated": "2026-11-20T10:00:00"},
    )
    assert row["validated"] is True and row["last_validated"] == "2026-11-20T10:00:00"


def test_files_round_trip(tmp_path):
    """From an h5 written like idtracker.ai's to summary CSV/parquet; n/a where no value."""
    h5_path = tmp_path / "t.h5"
    with h5py.File(h5_path, "w") as h5:
        h5.create_dataset("trajectories", data=two_animals())
        h5.attrs.update(
            frames_per_second=10.0,
            body_length=2.0,
            estimated_accuracy=1.0,
            version="6.0.14",
            width=100,
            height=100,
        )
        h5.attrs["identities_labels"] = np.array(["1", "2"], dtype=object)
    session = tmp_path / "session_j"  # the session folder: its session.json
    session.mkdir()
    (session / "session.json").write_text(
        '{"tracking_intervals": [[0, 4]], "track_wo_identities": true, "area_ths": [1, Infinity]}'
    )
    tracked = tmp_path / "t.tracked.json"
    tracked.write_text(
        json.dumps({"seconds": 3.0, "device": "Device: cpu (set in config/config.yaml)"})
    )
    row = qc_metrics.job_row_from_files("v", "j", h5_path, session, tracked)
    assert row["tracked_interval"] == "0-4" and row["tracked_frames"] == 4
    assert row["fraction_identified"] == pytest.approx(6 / 8)
    rows = tmp_path / "row.json"
    rows.write_text(json.dumps(row))
    table = qc_summary.write_summary(
        [rows],
        [tmp_path / "missing.png"],
        tmp_path / "s.csv",
        tmp_path / "s.parquet",
        tmp_path / "s.html",
    )
    csv_text = (tmp_path / "s.csv").read_text()
    assert csv_text.splitlines()[0] == ",".join(qc_metrics.COLUMNS)
    assert ",n/a," in csv_text  # estimated accuracy without identities
    parquet = pd.read_parquet(tmp_path / "s.parquet")
    assert parquet["estimated_accuracy"].isna().all()
    assert parquet["fraction_identified"].iloc[0] == pytest.approx(0.75)
    assert list(parquet.columns) == qc_metrics.COLUMNS
    assert len(table) == 1
    assert 'id="qc-summary-table"' in (tmp_path / "s.html").read_text()


def test_format_row_says_na():
    text = qc_metrics.format_row({"video": "v", "estimated_accuracy": None, "flags": ""})
    assert "estimated_accuracy" in text and "n/a" in text
    assert text.splitlines()[-1].split() == ["flags", "none"]


def test_summary_page_of_a_large_batch_links_its_pictures_flagged_first(tmp_path):
    """Above EMBEDDED_UP_TO jobs the page links each picture (loaded as it scrolls into view)
    instead of holding it, and lists the flagged jobs first; up to it, pictures are inside."""
    picture = tmp_path / "plots" / "p.png"
    picture.parent.mkdir()
    picture.write_bytes(b"\x89PNG stand-in")

    def page_of(n_jobs: int) -> str:
        rows, plots = [], []
        for n in range(n_jobs):
            row = dict.fromkeys(qc_metrics.COLUMNS, "n/a")
            row.update(video="v", job=f"j{n:04d}", validated=False, flags="")
            if n == n_jobs - 1:
                row["flags"] = "identified in 80.0% of tracked frames < 95%"
            rows.append(tmp_path / f"row{n}.json")
            rows[-1].write_text(json.dumps(row))
            plots.append(picture)
        html_path = tmp_path / f"summary{n_jobs}.html"
        qc_summary.write_summary(rows, plots, tmp_path / "s.csv", tmp_path / "s.parquet", html_path)
        return html_path.read_text()

    small = page_of(3)
    assert small.count("data:image/png;base64,") == 3 and 'loading="lazy"' not in small
    large = page_of(qc_summary.EMBEDDED_UP_TO + 1)
    assert "data:image/png" not in large
    # The flagged job's picture shown (loaded on demand), every job's name a link to its own.
    assert large.count('<img src="plots/p.png" loading="lazy"') == 1
    assert large.count('<a href="plots/p.png">') == qc_summary.EMBEDDED_UP_TO + 1
    body = large[large.index("<tbody>") :]
    last = f"j{qc_summary.EMBEDDED_UP_TO:04d}"
    assert body.index(f">{last}</a>") < body.index(">j0000</a>")  # flagged first
