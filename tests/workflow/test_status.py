"""`pixi run status` and `pixi run skip`/`unskip` on a project tracked by the real workflow.

One project is tracked once per test session (three jobs that succeed, one that idtracker.ai
fails on, one whose video is missing); tests put jobs into every other state on copies of it
and check what status prints and writes against what `snakemake -n` plans.
"""

import base64
import json
import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import copy_workspace, dry_run_steps, fake_finished, make_workspace, run_status

from idtracker_flow.project import layout
from idtracker_flow.state import facts, verdict

DATED = "20260204-180700-H264-01"  # a video named the way the lab's cameras name them


def run_skip(ws, command, *args):
    """`pixi run skip ...` or `pixi run unskip ...`."""
    return ws.task(command, *args, timeout=60)


def status_steps(rows) -> set[tuple[str, str]]:
    return {(name, step) for name, row in rows.items() for step in row["next_track_runs"].split()}


@pytest.fixture(scope="session")
def tracked(tmp_path_factory):
    ws = make_workspace(tmp_path_factory.mktemp("status") / "project")
    ws.add_video("demo")
    (ws.path("videos", f"{DATED}.avi")).write_bytes(ws.path("videos", "demo.avi").read_bytes())
    ws.add_job("demo", "done")
    ws.add_job("demo", "edited")
    ws.add_job(DATED, "all")
    # A real idtracker.ai failure: no animal in this intensity range.
    ws.add_job("demo", "dark", intensity_ths=[0, 1])
    # Saved on a Windows PC, video nowhere on this machine: the repair step fails.
    ws.add_job("lost", "day", video_path="D:\\\\lab\\\\lost_video.avi")
    # Side by side, one thread each: the suite waits for one tracking instead of four.
    result = ws.snakemake(
        "--cores", "4", "--resources", "gpu=4", "--config", "threads=1", timeout=3600
    )  # fmt: skip
    assert result.returncode != 0, "two jobs must fail"
    assert ws.path("tracking", DATED, "all.h5").is_file(), result.stdout + result.stderr
    return ws


@pytest.fixture(scope="session")
def every_state(tracked, tmp_path_factory):
    """A copy with a job in every state but running."""
    ws = copy_workspace(tracked, tmp_path_factory.mktemp("every-state") / "project")
    os.utime(ws.settings_path("demo", "edited"))  # settings saved again
    os.utime(ws.path("videos", f"{DATED}.avi"))  # video replaced
    ws.add_job("demo", "new")
    ws.add_job("demo", "ignored")
    result = run_skip(ws, "skip", "demo/ignored")
    assert result.returncode == 0, result.stdout + result.stderr
    return ws


def test_every_state_printed_and_written(every_state):
    ws = every_state
    printed, rows = run_status(ws)

    assert {name: row["state"] for name, row in rows.items()} == {
        "demo/done": "done",
        "demo/edited": "outdated",
        f"{DATED}/all": "outdated",
        "demo/dark": "failed",
        "lost/day": "failed",
        "demo/new": "pending",
        "demo/ignored": "skipped",
    }
    done = rows["demo/done"]
    record = json.loads(ws.path("results", "sessions", "demo", "done.tracked.json").read_text())
    assert float(done["seconds"]) == record["seconds"] > 0
    assert done["tracked_at"] and "tracked " + done["tracked_at"] in done["reason"]
    assert done["estimated_accuracy"] == "", "tracked without identities: no accuracy"
    assert "settings file changed" in rows["demo/edited"]["reason"]
    assert f"video videos/{DATED}.avi changed" in rows[f"{DATED}/all"]["reason"]
    assert (rows[f"{DATED}/all"]["part"], rows[f"{DATED}/all"]["recorded"]) == (
        "01",
        "2026-02-04 18:07:00",
    )
    dark = rows["demo/dark"]
    assert "CRITICAL No animals detected in the video" in dark["reason"]
    assert dark["log"] == "results/logs/track/demo/dark.log" and dark["log"] in dark["reason"]
    lost = rows["lost/day"]
    assert "checking the settings failed" in lost["reason"] and "lost_video.avi" in lost["reason"]
    assert lost["log"] == "results/logs/repair_settings/lost/day.log"
    assert rows["demo/new"]["reason"] == "never tracked"
    assert "skip" in rows["demo/ignored"]["reason"]

    # The terminal table: one line per job with its state and reason, then the totals.
    for name, row in rows.items():
        video, job = name.split("/")
        line = next(line for line in printed.splitlines() if line.split()[:2] == [video, job])
        assert f" {row['state']} " in line and row["reason"][:40] in line
    assert "done 1, pending 1, outdated 2, running 0, failed 2, skipped 1" in " ".join(
        printed.split()
    )


def test_status_agrees_with_dry_run(every_state):
    _, rows = run_status(every_state)
    planned = dry_run_steps(every_state)
    assert status_steps(rows) == planned
    # Failed jobs are retried with nothing to edit; the skipped one is left alone.
    assert ("demo/dark", "track") in planned and ("lost/day", "repair_settings") in planned
    assert not any(name == "demo/ignored" for name, _ in planned)
    would_run = {name for name, _ in planned}
    assert would_run == {
        n for n, r in rows.items() if r["state"] in ("pending", "outdated", "failed")
    }


def test_copy_only_and_deleted_intermediate(tracked, tmp_path):
    """Validation rewrites the session's trajectories: only the copy runs again. A deleted
    repaired settings file alone makes Snakemake run nothing; status agrees."""
    ws = copy_workspace(tracked, tmp_path / "copy")
    session = ws.path("results", "sessions", "demo", "session_done")
    info = json.loads((session / "session.json").read_text())
    info["last_validated"] = "2026-11-20 10:00:00"
    (session / "session.json").write_text(json.dumps(info))
    os.utime(session / "trajectories" / "trajectories.h5")
    ws.path("results", "settings", DATED, "all.toml").unlink()

    _, rows = run_status(ws)

    assert rows["demo/done"]["state"] == "outdated"
    assert "validated 2026-11-20 10:00:00: copy pending" in rows["demo/done"]["reason"]
    assert rows["demo/done"]["next_track_runs"] == "copy_trajectories"
    # Like Snakemake, a deleted intermediate file alone makes nothing run.
    assert rows[f"{DATED}/all"]["state"] == "done"
    assert rows["demo/edited"]["state"] == "done"
    assert status_steps(rows) == dry_run_steps(ws)


def _wait_for(condition, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.3)
    assert condition()


@pytest.mark.skipif(sys.platform == "win32", reason="kill -9 is POSIX")
def test_running_while_a_run_holds_the_lock_and_not_after_it_is_killed(tracked, tmp_path):
    ws = copy_workspace(tracked, tmp_path / "copy")
    # A stand-in tracker that only waits: it keeps a real Snakemake run busy on demand.
    config = ws.path("config", "config.yaml")
    sleeper = f'["{sys.executable}", "-c", "import time; time.sleep(300)"]'
    config.write_text(config.read_text() + f"idtrackerai_command: {sleeper}\nthreads: 1\n")
    os.utime(ws.settings_path("demo", "edited"))
    started = time.time()
    run = subprocess.Popen(
        [sys.executable, "-m", "snakemake", "--workflow-profile", "workflow/profiles/default"],
        cwd=ws.root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        tracker_pids = [
            ws.path("results", "work", "demo", j, "tracker.pid") for j in ("dark", "edited")
        ]
        _wait_for(lambda: any(p.exists() for p in tracker_pids), 120)
        repair_log = ws.path("results", "logs", "repair_settings", "lost", "day.log")
        _wait_for(lambda: repair_log.stat().st_mtime > started, 60)
        _, rows = run_status(ws)
    finally:
        run.send_signal(signal.SIGKILL)
        run.wait()

    busy = "dark" if tracker_pids[0].exists() else "edited"
    waiting = "edited" if busy == "dark" else "dark"
    assert rows[f"demo/{busy}"]["state"] == "running"
    assert f"tracking now (Snakemake process {run.pid}" in rows[f"demo/{busy}"]["reason"]
    assert rows[f"demo/{waiting}"]["state"] == "running"
    assert "waiting its turn" in rows[f"demo/{waiting}"]["reason"]
    assert rows["demo/done"]["state"] == rows[f"{DATED}/all"]["state"] == "done"
    assert rows["lost/day"]["state"] == "failed", "it failed in this run: not running any more"

    # The killed run left its lock behind; nothing is running now.
    assert list(ws.path(".snakemake", "locks").glob("*.lock"))
    _, rows = run_status(ws)
    assert "running" not in {row["state"] for row in rows.values()}
    assert rows[f"demo/{busy}"]["state"] == "failed"
    # Which words depends on a race: the job's script sees Snakemake gone (interrupted), or
    # first sees its tracker stopped by the watchdog's SIGTERM; both say it must run again.
    reason = rows[f"demo/{busy}"]["reason"]
    assert "interrupted before it finished" in reason or "killed by SIGTERM" in reason, reason


def test_skip_and_unskip_keep_the_config_comments(workspace):
    ws = workspace
    ws.add_job("demo", "a")
    ws.add_job("demo", "b")
    config = ws.path("config", "config.yaml")
    before = config.read_text()

    result = run_skip(ws, "skip", "demo/a", "settings/demo/b.toml")
    assert result.returncode == 0, result.stdout
    text = config.read_text()
    assert text.startswith(before.split("skip:")[0]), "comments and other keys are kept"
    assert "skip:\n  - demo/a\n  - demo/b\n" in text
    _, rows = run_status(ws)
    assert {row["state"] for row in rows.values()} == {"skipped"}

    assert "no settings file" in run_skip(ws, "skip", "demo/typo").stdout
    assert run_skip(ws, "unskip", "demo/a").returncode == 0
    _, rows = run_status(ws)
    assert rows["demo/a"]["state"] == "pending" and rows["demo/b"]["state"] == "skipped"
    assert run_skip(ws, "unskip", "demo/b").returncode == 0
    assert config.read_text().replace("skip: []", "") == before.replace("skip: []", "")


def test_done_shows_accuracy_only_when_identities_were_tracked(workspace, monkeypatch):
    """The tracking record here is written by hand (as run_tracking.py writes it): the real
    accuracy needs an identity run, minutes on CPU."""
    ws = workspace
    monkeypatch.chdir(ws.root)
    for job, without_identities in (("ids", False), ("noids", True)):
        ws.add_job("demo", job, track_wo_identities=without_identities)
        stamp = time.time() - 100
        for n, pattern in enumerate(
            ("results/settings/{video}/{job}.toml", "results/sessions/{video}/{job}.tracked.json",
             "tracking/{video}/{job}.h5")
        ):  # fmt: skip
            path = ws.path(pattern.format(video="demo", job=job))
            path.parent.mkdir(parents=True, exist_ok=True)
            record = {"started": "2026-11-20T10:00:00+00:00", "seconds": 9000.0,
                      "estimated_accuracy": 0.9912,
                      "peak_gpu_memory_mb": 3277 if job == "ids" else None}  # fmt: skip
            path.write_text(json.dumps(record))
            os.utime(path, (stamp + n, stamp + n))
        os.utime(ws.settings_path("demo", job), (stamp - 10, stamp - 10))
    rows = {s.name: s for s in verdict.collect(facts.Project())}
    assert rows["demo/ids"].state == rows["demo/noids"].state == "done"
    assert (
        "in 2 h 30 min, estimated accuracy 99.1%, peak GPU memory 3.2 GB" in rows["demo/ids"].reason
    )
    assert "accuracy" not in rows["demo/noids"].reason
    assert "GPU" not in rows["demo/noids"].reason  # not read (CPU): nothing said


@pytest.mark.parametrize(
    "video, part, recorded",
    [
        ("20260204-180700-H264-01", "01", "2026-02-04 18:07:00"),
        ("20260204-180700", "", "2026-02-04 18:07:00"),
        ("fish_tank_3", "", ""),
    ],
)
def test_video_name_parts(video, part, recorded):
    assert layout.name_parts(video) == (part, recorded)


def test_agrees_with_dry_run_on_transfer_skip_and_interrupted_jobs(workspace):
    """Finished sessions are faked (files with ordered times): status and the dry run only
    look at files and their times, so no tracking is needed to compare them."""
    ws = workspace
    stamp = time.time() - 1000
    ws.path("videos", "v.avi").write_text("not a video")
    os.utime(ws.path("videos", "v.avi"), (stamp, stamp))
    session = "results/sessions/{}/session_source"
    for video, touched in (("a", True), ("b", True), ("c", False)):
        for job, extra in (
            ("source", {}),
            ("learner", {"knowledge_transfer_folder": session.format(video)}),
        ):
            ws.add_job(video, job, video_path="videos/v.avi", **extra)
            os.utime(ws.settings_path(video, job), (stamp, stamp))
            fake_finished(ws, video, job, stamp + (10 if job == "learner" else 0))
        if touched:  # the source's settings saved again: both are tracked again
            os.utime(ws.settings_path(video, "source"))
    assert run_skip(ws, "skip", "b/source").returncode == 0
    # A run was cut off just as c/learner's record was written: Snakemake redoes the job.
    marker = base64.urlsafe_b64encode(b"results/sessions/c/learner.tracked.json").decode()
    ws.path(".snakemake", "incomplete").mkdir(parents=True)
    ws.path(".snakemake", "incomplete", marker).write_text("{}")

    _, rows = run_status(ws)

    assert status_steps(rows) == dry_run_steps(ws)
    assert "learns identities from a/source, which is tracked again" in rows["a/learner"]["reason"]
    assert rows["b/source"]["state"] == "skipped"
    assert (
        "still tracked, because b/learner learns identities from it" in rows["b/source"]["reason"]
    )
    assert rows["b/source"]["next_track_runs"] == "repair_settings track"
    assert rows["c/source"]["state"] == "done"
    assert rows["c/learner"]["state"] == "outdated"
    assert "cut off" in rows["c/learner"]["reason"]
