"""The report of a 10,000-job night opens in a real browser (headless Chromium) in seconds.

The project is made, not tracked: 10,000 settings files whose jobs look finished (the files a
finished job leaves, each with its QC row), and one tiny stand-in picture hard-linked as every
job's two plots (what the report does with them is the same for any PNG). `pixi run report`
runs for real, then Chromium opens the page it wrote.
"""

import html
import json
import os
import time

import numpy as np
import project_files
import pytest
from browser import chromium, run_chromium
from conftest import ARTIFACTS, make_workspace

from idtracker_flow.project import layout
from idtracker_flow.qc import metrics as qc_metrics

N_VIDEOS, JOBS_PER_VIDEO = 1000, 10  # 10,000 jobs
FLAG_EVERY = 97  # about one job in a hundred needs a look
FLAG = "identified in 80.0% of tracked frames < 95%"
LOAD_LIMIT_S = 60  # generous for a shared 2-core machine; the figure is printed


def tiny_png(path) -> None:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(1, 1), dpi=40)
    figure.subplots().plot(np.arange(5), np.arange(5) ** 2)
    figure.savefig(path, format="png")


def qc_row(video: str, job: str, flagged: bool) -> dict:
    row = dict.fromkeys(qc_metrics.COLUMNS, "n/a")
    row.update(
        video=video,
        job=job,
        tracker="idtrackerai",
        animals=2,
        fraction_identified=0.8 if flagged else 0.99,
        fraction_all_present=0.97,
        validated=False,
        provenance=f"tracking/{video}/{job}.provenance.json",
        flags=FLAG if flagged else "",
    )
    return row


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    ws = make_workspace(tmp_path_factory.mktemp("night") / "project")
    ws.add_video("demo")
    picture = ws.path("stand-in.png")
    tiny_png(picture)
    long_ago = time.time() - 7200
    os.utime(ws.path("videos", "demo.avi"), (long_ago, long_ago))
    flagged = []
    for v in range(N_VIDEOS):
        video = f"v{v:04d}"
        for j in range(JOBS_PER_VIDEO):
            job = f"j{j}"
            settings = ws.add_job(video, job, video_path="videos/demo.avi")
            os.utime(settings, (long_ago, long_ago))
            project_files.fake_finished(ws.root, video, job, long_ago + 60, with_exports=True)
            is_flagged = (v * JOBS_PER_VIDEO + j) % FLAG_EVERY == 0
            flagged += [f"{video}/{job}"] if is_flagged else []
            row = ws.root / layout.job_file(layout.QC_ROW, video, job)
            row.parent.mkdir(parents=True, exist_ok=True)
            row.write_text(json.dumps(qc_row(video, job, is_flagged)))
            for pattern in (layout.QC_TRAJECTORY_PLOT, layout.QC_TIMELINE_PLOT):
                plot = ws.root / layout.job_file(pattern, video, job)
                plot.parent.mkdir(parents=True, exist_ok=True)
                os.link(picture, plot)
    started = time.monotonic()
    result = ws.task("report", timeout=900)
    seconds = time.monotonic() - started
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return ws, result.stdout, seconds, flagged


def test_report_of_10000_jobs_is_written_light(night):
    ws, stdout, seconds, flagged = night
    report = ws.path("results", "report.html")
    size_mb = report.stat().st_size / 1e6
    print(f"\n`pixi run report` at 10,000 jobs: {seconds:.0f} s, report.html {size_mb:.1f} MB")
    assert "Report: results/report.html (10000 jobs, 0 failed" in stdout, stdout
    assert size_mb < 20  # every picture inside would be far more (two per job)
    page = report.read_text()
    # The flagged jobs' paths shown, loaded on demand; every job's name links its own.
    assert page.count('loading="lazy"') == len(flagged)
    assert page.count('.trajectories.png">') == 10_000
    assert "data:image/png" not in page
    # The links point at the pictures from where the page lies.
    assert '<a href="qc/plots/v0000/j0.trajectories.png">j0</a>' in page
    assert '<a href="../tracking/v0000/j0.provenance.json">' in page
    assert ws.path("results", "qc", "plots", "v0000", "j0.trajectories.png").is_file()
    # Flagged jobs first: the table's first rows are the flagged ones, then the others.
    table = page[page.index('id="qc-summary-table"') : page.index("</table>")]
    rows = table.split("<tr")[2:]  # after the header's row
    assert len(rows) == 10_000
    shown = html.escape(FLAG)
    assert all(shown in row for row in rows[: len(flagged)])
    assert not any(shown in row for row in rows[len(flagged) :])
    assert f"{len(flagged)} of 10000 jobs need a look" in page


def test_report_of_10000_jobs_opens_in_chromium_in_seconds(night):
    if chromium() is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (apt-get install chromium)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    ws, _, _, flagged = night
    url = ws.path("results", "report.html").resolve().as_uri()
    started = time.monotonic()
    dom = run_chromium(url, "--dump-dom")
    seconds = time.monotonic() - started
    print(f"\nheadless Chromium loaded the 10,000-job report in {seconds:.1f} s")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert seconds < LOAD_LIMIT_S
    assert dom.stdout.count("<tr") >= 10_000  # the whole table rendered
    assert flagged[0] in dom.stdout
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    screenshot = ARTIFACTS / "report-10000-jobs.png"
    screenshot.unlink(missing_ok=True)
    shot = run_chromium(url, f"--screenshot={screenshot}")
    assert shot.returncode == 0, shot.stderr[-2000:]
    assert screenshot.stat().st_size > 10_000
