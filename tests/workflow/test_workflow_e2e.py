"""End to end: the real Snakemake runs the real idtracker.ai on a tiny synthetic video.

One workspace is tracked once per test session (two jobs on one 2-animal video, plus one job
whose video is missing); tests that change things work on copies of it.
"""

import json
import os
import re
import signal
import subprocess
import sys
import time

import h5py
import numpy as np
import pandas as pd
import pytest
from conftest import copy_workspace, make_workspace, planned_jobs, run_status

from idtracker_flow.demo import ground_truth

GOOD_JOBS = ("all", "second")
# What a dry run plans when exactly one job has to be tracked again.
ONE_JOB_AGAIN = {
    "repair_settings": 1,
    "track": 1,
    "copy_trajectories": 1,
    "analyse_job": 1,
    "qc_summary": 1,
    "behaviour_summary": 1,
    "all": 1,
}


@pytest.fixture(scope="session")
def tracked(tmp_path_factory):
    ws = make_workspace(tmp_path_factory.mktemp("tracked") / "project")
    ws.add_video("demo")
    for job in GOOD_JOBS:
        ws.add_job("demo", job)
    # Saved on a Windows PC, video nowhere on this machine.
    ws.add_job("lost", "day", video_path="D:\\\\lab\\\\lost_video.avi")
    result = ws.snakemake()
    return ws, result


@pytest.fixture
def tracked_copy(tracked, tmp_path):
    """A copy of the tracked workspace without the failing job."""
    ws = copy_workspace(tracked[0], tmp_path / "copy")
    ws.settings_path("lost", "day").unlink()
    return ws


def test_good_jobs_tracked_although_one_failed(tracked):
    ws, result = tracked
    assert result.returncode != 0, "a failed job must make the run end non-zero"
    for job in GOOD_JOBS:
        trajectories = ws.path("tracking", "demo", f"{job}.h5")
        with h5py.File(trajectories) as h5:
            assert h5["trajectories"].shape == (200, 2, 2)
        score = ground_truth.score_files(trajectories, ws.path("videos", "demo.groundtruth.csv"))
        assert score.median_error_px < 3.0
        assert score.detection_fraction > 0.8
        record = json.loads(
            ws.path("results", "sessions", "demo", f"{job}.tracked.json").read_text()
        )
        assert record["seconds"] > 0
        benchmark = ws.path("results", "benchmarks", "track", "demo", f"{job}.tsv")
        assert benchmark.is_file()
    # The failed job holds back the qc_summary rule; the table still lists the jobs that worked.
    summary = pd.read_csv(ws.path("results", "qc", "summary.csv"))
    assert sorted(summary["job"]) == sorted(GOOD_JOBS)


def test_failed_job_names_its_missing_video(tracked):
    ws, result = tracked
    log = ws.path("results", "logs", "repair_settings", "lost", "day.log").read_text()
    assert "lost_video.avi" in log
    assert "settings/lost/day.toml" in log
    assert "What to do" in log
    output = result.stdout + result.stderr
    assert "Error in rule repair_settings" in output
    assert "results/logs/repair_settings/lost/day.log" in output
    assert not ws.path("results", "sessions", "lost").exists()


def test_failed_job_log_ends_with_criticals(tmp_path):
    """A real idtracker.ai failure (no animal in the intensity range): CRITICAL lines at the end."""
    ws = make_workspace(tmp_path / "project")
    ws.add_video("demo")
    ws.add_job("demo", "dark", intensity_ths=[0, 1])
    result = ws.snakemake()
    assert result.returncode != 0
    log = ws.path("results", "logs", "track", "demo", "dark.log").read_text()
    tail = log.strip().splitlines()[-8:]
    assert any("CRITICAL" in line for line in tail), tail
    assert "pixi run track" in log
    assert not ws.path("results", "sessions", "demo", "dark.tracked.json").exists()


def test_dry_run_lists_exactly_the_pending_jobs(tracked, tmp_path):
    ws = copy_workspace(tracked[0], tmp_path / "copy")
    result = ws.snakemake("-n")
    assert result.returncode == 0, result.stderr
    # Only the failed job is retried; the tracked ones are done.
    assert planned_jobs(result) == ONE_JOB_AGAIN
    assert "settings/lost/day.toml" in result.stdout + result.stderr
    assert not ws.path("results", "settings", "lost").exists(), "a dry run must run nothing"


def test_second_run_does_nothing(tracked_copy):
    # The failed job (now removed) held back the qc_summary rule: this run may make only that.
    first = tracked_copy.snakemake()
    assert first.returncode == 0, first.stderr
    assert "rule track:" not in first.stdout + first.stderr
    assert tracked_copy.path("results", "qc", "summary.csv").is_file()
    result = tracked_copy.snakemake()
    assert result.returncode == 0, result.stderr
    assert "Nothing to be done" in result.stdout + result.stderr


def test_touching_one_settings_file_reruns_only_that_job(tracked_copy):
    os.utime(tracked_copy.settings_path("demo", "second"))
    result = tracked_copy.snakemake("-n")
    assert planned_jobs(result) == ONE_JOB_AGAIN
    assert "settings/demo/second.toml" in result.stdout
    assert "settings/demo/all.toml" not in result.stdout


def test_touching_the_video_reruns_its_jobs(tracked_copy):
    os.utime(tracked_copy.path("videos", "demo.avi"))
    result = tracked_copy.snakemake("-n")
    assert planned_jobs(result)["track"] == len(GOOD_JOBS)


def test_editing_the_workflow_code_does_not_retrack(tracked_copy):
    assert tracked_copy.snakemake().returncode == 0  # the quality table the failed job held back
    script = tracked_copy.path("workflow", "scripts", "run_tracking.py")
    script.write_text(script.read_text() + "\n# an upgrade\n")
    rules = tracked_copy.path("workflow", "rules", "tracking.smk")
    rules.write_text(rules.read_text().replace("gpu=1,", "gpu=1,\n        mem_mb=1000,"))
    result = tracked_copy.snakemake("-n")
    assert result.returncode == 0, result.stderr
    assert "Nothing to be done" in result.stdout + result.stderr


def test_validator_rewrite_is_copied_again(tracked_copy):
    session_h5 = tracked_copy.path(
        "results", "sessions", "demo", "session_all", "trajectories", "trajectories.h5"
    )
    # What idtracker.ai's validator does: rewrite the session's file in place.
    with h5py.File(session_h5, "r+") as h5:
        h5["trajectories"][0, 0, 0] = 12345.0
    result = tracked_copy.snakemake()
    assert result.returncode == 0, result.stderr
    assert "rule track:" not in result.stdout + result.stderr
    with h5py.File(tracked_copy.path("tracking", "demo", "all.h5")) as h5:
        assert h5["trajectories"][0, 0, 0] == 12345.0


def test_validated_session_is_never_deleted(tracked_copy):
    session = tracked_copy.path("results", "sessions", "demo", "session_all")
    info = json.loads((session / "session.json").read_text())
    info["last_validated"] = "2026-11-20 10:00:00"
    (session / "session.json").write_text(json.dumps(info))
    before = tracked_copy.path("tracking", "demo", "all.h5").read_bytes()
    os.utime(tracked_copy.settings_path("demo", "all"))

    result = tracked_copy.snakemake()

    assert result.returncode != 0
    log = tracked_copy.path("results", "logs", "track", "demo", "all.log").read_text()
    assert "validated by hand" in log and "move the session aside" in log
    assert (session / "trajectories" / "trajectories.h5").is_file()
    assert json.loads((session / "session.json").read_text())["last_validated"]
    assert tracked_copy.path("tracking", "demo", "all.h5").read_bytes() == before


def test_knowledge_transfer_folder_orders_the_jobs(tracked_copy):
    tracked_copy.add_job(
        "demo", "learner", knowledge_transfer_folder="results/sessions/demo/session_all"
    )
    os.utime(tracked_copy.settings_path("demo", "all"))
    result = tracked_copy.snakemake("-n")
    # The dry run prints one block per job: "rule track:", then "input: ...", "output: ...".
    blocks = re.split(r"^(?:local)?rule \w+:$", result.stdout, flags=re.MULTILINE)
    learner = next(b for b in blocks if "output: results/sessions/demo/learner.tracked.json" in b)
    inputs = next(line for line in learner.splitlines() if line.strip().startswith("input:"))
    assert "results/sessions/demo/all.tracked.json" in inputs


def _tracker_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.skipif(sys.platform == "win32", reason="kill -9 is POSIX")
def test_kill_9_during_tracking_then_rerun(tracked_copy):
    ws = tracked_copy
    ws.add_job("demo", "third")
    done_before = {
        job: ws.path("results", "sessions", "demo", f"{job}.tracked.json").stat().st_mtime_ns
        for job in GOOD_JOBS
    }
    command = [sys.executable, "-m", "snakemake", "--workflow-profile", "workflow/profiles/default"]
    snakemake = subprocess.Popen(
        command, cwd=ws.root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    pid_file = ws.path("results", "work", "demo", "third", "tracker.pid")
    session = ws.path("results", "sessions", "demo", "session_third")
    deadline = time.monotonic() + 180
    # Well into tracking: idtracker.ai has made the session folder and started segmenting.
    while not (session.is_dir() and any(session.iterdir())) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert session.is_dir(), "tracking never started"
    time.sleep(3)
    tracker = int(pid_file.read_text())
    snakemake.send_signal(signal.SIGKILL)
    snakemake.wait()

    deadline = time.monotonic() + 20
    while _tracker_alive(tracker) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not _tracker_alive(tracker), "idtracker.ai outlived the killed Snakemake"

    # Snakemake's own lock is still there; the launcher (pixi run track) sees it is stale.
    assert list(ws.path(".snakemake", "locks").glob("*.lock"))
    result = ws.track()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "was interrupted" in result.stdout
    log = ws.path("results", "logs", "track", "demo", "third.log").read_text()
    assert "from an earlier attempt" in log
    assert ws.path("tracking", "demo", "third.h5").is_file()
    for job, stamp in done_before.items():
        path = ws.path("results", "sessions", "demo", f"{job}.tracked.json")
        assert path.stat().st_mtime_ns == stamp, f"{job} was tracked again"
    assert np.isfinite(h5py.File(ws.path("tracking", "demo", "third.h5"))["trajectories"][:]).any()


def test_a_damaged_session_file_never_replaces_the_good_copy(tracked_copy):
    ws = tracked_copy
    good = ws.path("tracking", "demo", "all.h5").read_bytes()
    session_h5 = ws.path("results", "sessions", "demo", "session_all", "trajectories")
    (session_h5 / "trajectories.h5").write_bytes(b"garbage" * 1000)  # newer than the copy
    result = ws.task("copy")
    assert result.returncode != 0, "a damaged file must not look copied"
    assert ws.path("tracking", "demo", "all.h5").read_bytes() == good
    log = ws.path("results", "logs", "copy_trajectories", "demo", "all.log").read_text()
    assert "cannot be read" in log and "was left as it was" in log
    _, rows = run_status(ws)
    assert rows["demo/all"]["state"] == "failed"
    assert rows["demo/all"]["reason"].startswith("copying the trajectories failed: Job demo/all:")
    assert "cannot be read" in rows["demo/all"]["reason"]
