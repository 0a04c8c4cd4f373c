"""Quality table, plots and report on real idtracker.ai output.

One workspace is tracked once per test session with two jobs on the synthetic video: "whole"
(no identities, whole video) and "part" (identities, tracking interval 20-170). Every column of
results/qc/summary.csv is checked against values computed here, straight from the h5 file,
session.json and the tracking marker, without the workflow's QC code.
"""

import json
import os
import re
import subprocess
import sys

import h5py
import numpy as np
import pandas as pd
import pytest
from browser import chromium, run_chromium, visible_part
from conftest import ARTIFACTS, QC_INTERVAL, QC_JOBS, copy_workspace

from idtracker_flow.qc import metrics as qc_metrics

# Whether idtracker.ai can use a GPU here (the expected device column depends on it).
CUDA = (
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)",
        ],
        capture_output=True,
    ).returncode
    == 0
)

# The workspace (fixture qc_tracked) is shared with test_exports_real_runs.py: see conftest.py.
JOBS, INTERVAL = QC_JOBS, QC_INTERVAL


def read_summary(ws) -> pd.DataFrame:
    return pd.read_csv(
        ws.path("results", "qc", "summary.csv"), dtype=str, keep_default_na=False
    ).set_index("job")


def expected_row(ws, job: str) -> dict:
    """The row computed independently from idtracker.ai's files."""
    with h5py.File(ws.path("tracking", "demo", f"{job}.h5")) as h5:
        xy = h5["trajectories"][:]
        attrs = dict(h5.attrs)
    session = json.loads(
        ws.path("results", "sessions", "demo", f"session_{job}", "session.json").read_text()
    )
    marker = json.loads(ws.path("results", "sessions", "demo", f"{job}.tracked.json").read_text())
    n_frames, n_animals = xy.shape[:2]
    intervals = session["tracking_intervals"] or [[0, n_frames]]
    frames = [f for start, end in intervals for f in range(start, min(end, n_frames))]
    found = [[not np.isnan(xy[f, a, 0]) for a in range(n_animals)] for f in frames]
    # Gaps: walk frame by frame, per animal.
    gaps = []
    for a in range(n_animals):
        run = 0
        for row in found:
            if not row[a]:
                run += 1
            elif run:
                gaps.append(run)
                run = 0
        if run:
            gaps.append(run)
    fps = float(attrs["frames_per_second"])
    speeds = []
    for a in range(n_animals):
        for f in range(n_frames - 1):
            step = np.hypot(*(xy[f + 1, a] - xy[f, a]))
            if not np.isnan(step):
                speeds.append(step * fps / float(attrs["body_length"]))
    accuracy = (
        "n/a" if session["track_wo_identities"] else round(float(attrs["estimated_accuracy"]), 4)
    )
    return {
        "video": "demo",
        "frames": n_frames,
        "animals": n_animals,
        "fps": fps,
        "tracked_interval": ", ".join(f"{s}-{e}" for s, e in intervals),
        "tracked_frames": len(frames),
        "idtrackerai_version": attrs["version"],
        "estimated_accuracy": accuracy,
        "fraction_identified": sum(map(sum, found)) / (len(frames) * n_animals),
        "fraction_all_present": sum(all(row) for row in found) / len(frames),
        "gaps": len(gaps),
        "gap_frames_total": sum(gaps),
        "longest_gap_frames": max(gaps, default=0),
        "longest_gap_seconds": max(gaps, default=0) / fps,
        "median_speed_bl_per_s": float(np.median(speeds)),
        "tracking_seconds": marker["seconds"],
        # What idtracker.ai's log said it used; on a machine without CUDA that is the CPU.
        "device": marker["device"] if CUDA else "cpu",
        "validated": bool(session["last_validated"]),
        "last_validated": session["last_validated"] or "n/a",
    }


def assert_row_matches(actual: pd.Series, expected: dict) -> None:
    for column, value in expected.items():
        text = actual[column]
        if isinstance(value, bool):
            assert text == str(value), column
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            assert float(text) == pytest.approx(value, abs=6e-4), column
        else:
            assert text == str(value), column


def test_every_column_matches_the_h5_file(qc_tracked):
    summary = read_summary(qc_tracked)
    header = qc_tracked.path("results", "qc", "summary.csv").read_text().splitlines()[0]
    assert header.split(",") == qc_metrics.COLUMNS
    assert sorted(summary.index) == sorted(JOBS)
    for job in JOBS:
        assert_row_matches(summary.loc[job], expected_row(qc_tracked, job))
    part = summary.loc["part"]
    assert part["tracked_interval"] == "20-170" and part["tracked_frames"] == "150"
    assert summary.loc["whole"]["estimated_accuracy"] == "n/a"
    assert part["estimated_accuracy"] != "n/a"
    # idtracker.ai's own figure counts all 200 frames, ours only the 150 tracked ones.
    with h5py.File(qc_tracked.path("tracking", "demo", "part.h5")) as h5:
        whole_video = float(h5.attrs["fraction_identified"])
    assert float(part["fraction_identified"]) == pytest.approx(whole_video * 200 / 150, abs=1e-3)


def test_flags_give_reasons_from_the_thresholds(qc_tracked):
    summary = read_summary(qc_tracked)
    for job in JOBS:
        row = expected_row(qc_tracked, job)
        reasons = []
        if row["fraction_identified"] < 0.95:
            reasons.append("identified in")
        if row["fraction_all_present"] < 0.9:
            reasons.append("all animals present in")
        if row["longest_gap_seconds"] > 1.0:
            reasons.append("longest gap")
        if row["estimated_accuracy"] != "n/a" and row["estimated_accuracy"] < 0.99:
            reasons.append("estimated accuracy")
        flags = summary.loc[job]["flags"]
        assert [r for r in reasons if r in flags] == reasons
        assert len(flags.split("; ")) == len(reasons) if reasons else flags == ""


def test_parquet_holds_the_same_table(qc_tracked):
    parquet = pd.read_parquet(qc_tracked.path("results", "qc", "summary.parquet"))
    csv = pd.read_csv(qc_tracked.path("results", "qc", "summary.csv"), na_values=["n/a"])
    pd.testing.assert_frame_equal(
        parquet.drop(columns=["last_validated", "flags"]),
        csv.drop(columns=["last_validated", "flags"]),
        check_dtype=False,
    )
    assert parquet["estimated_accuracy"].dtype == np.float64


def test_plots_show_one_colour_per_identity(qc_tracked):
    import matplotlib.image

    for job in JOBS:
        paths = qc_tracked.path("results", "qc", "plots", "demo", f"{job}.trajectories.png")
        timeline = qc_tracked.path("results", "qc", "plots", "demo", f"{job}.timeline.png")
        assert timeline.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        pixels = matplotlib.image.imread(paths)[:, :, :3]
        # The first two tab10 colours (identities 1 and 2) are both drawn: a path, not only
        # the legend's short line (about 30 px).
        for colour in ((31, 119, 180), (255, 127, 14)):
            close = np.abs(pixels * 255 - colour).max(axis=2) < 10
            assert close.sum() > 100, (job, colour)


def test_validated_session_updates_its_row(qc_tracked, tmp_path):
    ws = copy_workspace(qc_tracked, tmp_path / "validated")
    session = ws.path("results", "sessions", "demo", "session_whole")
    before = read_summary(ws).loc["whole"]
    # What idtracker.ai's validator does: rewrite trajectories.h5 in place (here: animal 1
    # lost for 40 frames) and set last_validated in session.json.
    with h5py.File(session / "trajectories" / "trajectories.h5", "r+") as h5:
        h5["trajectories"][100:140, 0, :] = np.nan
    info = json.loads((session / "session.json").read_text())
    info["last_validated"] = "2026-11-21T09:30:00"
    (session / "session.json").write_text(json.dumps(info))

    result = ws.snakemake()

    assert result.returncode == 0, result.stderr[-3000:]
    output = result.stdout + result.stderr
    assert "rule track:" not in output
    assert "rule analyse_job:" in output and "rule qc_summary:" in output
    after = read_summary(ws)
    assert_row_matches(after.loc["whole"], expected_row(ws, "whole"))
    assert after.loc["whole"]["validated"] == "True"
    assert after.loc["whole"]["last_validated"] == "2026-11-21T09:30:00"
    assert float(after.loc["whole"]["longest_gap_frames"]) >= 40
    assert float(after.loc["whole"]["fraction_identified"]) < float(before["fraction_identified"])
    assert "longest gap" in after.loc["whole"]["flags"]
    # The other job's row is untouched.
    assert after.loc["part"].equals(read_summary(qc_tracked).loc["part"])


def test_demo_prints_the_row_from_the_same_code(qc_tracked, capsys):
    written = json.loads(qc_tracked.path("results", "qc", "jobs", "demo", "part.json").read_text())
    # Recomputed outside Snakemake (what the demo falls back to) equals what the rule wrote.
    assert qc_metrics.job_row_in_project("demo", "part", project=qc_tracked.root) == written
    row = qc_metrics.print_job_row("demo", "part", project=qc_tracked.root)
    printed = capsys.readouterr().out
    assert "Quality of demo/part:" in printed
    # Names padded to the longest column name, then the value.
    assert re.search(rf"^fraction_identified +{row['fraction_identified']}$", printed, re.M)
    assert re.search(rf"^tracked_interval +{INTERVAL[0]}-{INTERVAL[1]}$", printed, re.M)
    summary = read_summary(qc_tracked).loc["part"]
    assert float(summary["fraction_identified"]) == row["fraction_identified"]


def test_report_opens_in_chromium(qc_tracked):
    if chromium() is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (apt-get install chromium)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    result = qc_tracked.snakemake("--report", "results/report.html")
    assert result.returncode == 0, result.stderr[-3000:]
    report = qc_tracked.path("results", "report.html")
    url = report.resolve().as_uri()

    dom = run_chromium(url, "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    page = visible_part(dom.stdout)
    assert 'id="qc-summary-table"' in page, "the summary table is not on the report's front page"
    assert "Quality of every tracked job" in page
    for job in JOBS:
        assert f"<td>{job}</td>" in page
    assert '<img src="data:image/png;base64,' in page, "no plot on the report's front page"
    for category in ("demo", "Quality summary", "Behaviour"):
        assert category in page  # the navigation lists a category per video

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    screenshot = ARTIFACTS / "report.png"
    screenshot.unlink(missing_ok=True)
    shot = run_chromium(url, f"--screenshot={screenshot}")
    assert shot.returncode == 0, shot.stderr[-2000:]
    assert screenshot.stat().st_size > 10_000


def test_report_with_a_failed_job_shows_the_others_and_lists_it(qc_tracked, tmp_path):
    if chromium() is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (apt-get install chromium)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    ws = copy_workspace(qc_tracked, tmp_path / "copy")
    ws.add_job("lost", "night", video_path="D:\\\\lab\\\\lost_video.avi")  # fails its repair
    assert ws.track().returncode != 0
    plain = ws.snakemake("--report", "results/report.html")  # what `report` used to run
    assert plain.returncode != 0 and "does not exist" in plain.stdout + plain.stderr

    result = ws.task("report")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    page = visible_part(
        run_chromium(ws.path("results", "report.html").resolve().as_uri(), "--dump-dom").stdout
    )
    assert "1 jobs failed</b> and are not in the table" in page
    assert "<b>lost/night</b>: checking the settings failed: Job lost/night:" in page
    for job in JOBS:
        assert f"<td>{job}</td>" in page
