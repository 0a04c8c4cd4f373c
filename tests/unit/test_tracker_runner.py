"""One runner for every tracker (tracking/run.py): a DeepLabCut job gets what an idtracker.ai
job gets. These faults cannot be produced on demand with the real DeepLabCut on this machine
(no GPU: no CUDA out of memory, no GPU memory to sample; no stall or kill at will), so its
Python is a stand-in (tests/fakes/deeplabcut_python.py) and so is nvidia-smi
(tests/fakes/nvidia_smi.py); the runner, the slots, the watchdog, the sizing records and the
DeepLabCut tracker's own check, command and verdict are the real ones. The real DeepLabCut
runs in tests/workflow/test_deeplabcut_real_runs.py."""

import io
import json
import os
import subprocess
import sys
import time

import pytest
from conftest import REPO
from test_deeplabcut import PROJECT_YAML
from test_sizing import fake_driver

from idtracker_flow import trackers
from idtracker_flow.console.logs import JobLogs
from idtracker_flow.settings import digest
from idtracker_flow.trackers.protocol import RunFailed, RunRequest
from idtracker_flow.tracking import process, session_sizes, sizing
from idtracker_flow.tracking.run import start_afresh, track
from idtracker_flow.tracking.watchdog import Limits

DEEPLABCUT = trackers.by_name("deeplabcut")


@pytest.fixture
def job(tmp_path, monkeypatch):
    """A DeepLabCut job in a project folder, with a GPU (the nvidia-smi stand-in) and the
    stand-in for DeepLabCut's Python."""
    monkeypatch.chdir(tmp_path)
    fake_driver(tmp_path, monkeypatch, [[0, 81559, 80000]])
    config = tmp_path / "dlc" / "config.yaml"
    train = config.parent / "dlc-models-pytorch/iteration-0/fishNov30-trainset95shuffle1/train"
    train.mkdir(parents=True)
    config.write_text(PROJECT_YAML)
    (train / "snapshot-010.pt").write_bytes(b"")
    python = tmp_path / "dlc-env" / "python"
    python.parent.mkdir()
    python.write_text(
        f'#!/bin/sh\nexec "{sys.executable}" "{REPO}/tests/fakes/deeplabcut_python.py" "$@"\n'
    )
    python.chmod(0o755)
    settings = {"tracker": "deeplabcut", "project": str(config), "video_paths": ["v.mp4"]}
    repaired = tmp_path / "results/settings/fish1/poses.toml"
    repaired.parent.mkdir(parents=True)
    repaired.write_text(f'tracker = "deeplabcut"\nproject = "{config}"\nvideo_paths = ["v.mp4"]\n')
    return RunRequest(
        job_name="fish1/poses",
        settings_path=repaired,
        settings=settings,
        session=tmp_path / "results/sessions/fish1/session_poses",
        workdir=tmp_path / "results/work/fish1/poses",
        tracked=tmp_path / "results/sessions/fish1/poses.tracked.json",
        config={"deeplabcut_python": str(python)},
    )


def run(request, monkeypatch, behaviour, limits=None):
    monkeypatch.setenv("FAKE_DEEPLABCUT", behaviour)
    resources = {"device": "auto", "threads": 1, "gpus": "auto", "jobs_per_gpu": 1}
    request.workdir.parent.mkdir(parents=True, exist_ok=True)
    with open(request.workdir.parent / "track.log", "w", encoding="utf-8") as log:
        return track(DEEPLABCUT, request, log, resources, limits or Limits())


def test_a_deeplabcut_job_records_its_peak_gpu_memory_and_session_size(job, monkeypatch):
    record = run(job, monkeypatch, "ok")
    assert record["tracker"] == "deeplabcut" and record["deeplabcut_exit_status"] == 0
    assert record["peak_gpu_memory_mb"] == 1500
    assert sizing.learned().largest_peak_mb == 1500  # jobs_per_gpu: auto learns from it
    assert session_sizes.largest() > 0  # the free-space check too


def test_a_deeplabcut_job_out_of_gpu_memory_teaches_the_sizing(job, monkeypatch):
    with pytest.raises(RunFailed) as failure:
        run(job, monkeypatch, "oom")
    assert failure.value.transient
    assert "CUDA ran out of memory with this job alone on GPU 0" in str(failure.value)
    events = json.loads(sizing.LEARNED.read_text())["out_of_memory"]
    assert [event["job"] for event in events] == ["fish1/poses"]


def test_a_stalled_deeplabcut_job_says_what_to_do(job, monkeypatch):
    with pytest.raises(RunFailed) as failure:
        run(job, monkeypatch, "stall", Limits(stall_seconds=3))
    message = str(failure.value)
    assert "DeepLabCut made no progress for" in message
    assert "raise `stall_minutes` in config/config.yaml" in message


def test_a_killed_deeplabcut_job_says_why_and_is_retried(job, monkeypatch):
    with pytest.raises(RunFailed) as failure:
        run(job, monkeypatch, "kill")
    assert failure.value.transient
    assert "DeepLabCut was killed by SIGKILL: most often the system's out-of-memory killer" in (
        str(failure.value)
    )


def test_a_leftover_is_recognised_by_its_tracker_not_the_folder_name(tmp_path):
    """A checkout renamed `fishlab` (no "tracker" anywhere in its path): the DeepLabCut runner
    an interrupted attempt left behind is still found and stopped."""
    script = tmp_path / "fishlab" / "analyze.py"
    script.parent.mkdir()
    script.write_text("import time\ntime.sleep(120)\n")
    workdir = tmp_path / "fishlab" / "work"
    workdir.mkdir()
    python = tmp_path / "fishlab" / "python"  # no "tracker" in the interpreter's path either
    python.symlink_to(sys.executable)
    left = subprocess.Popen([str(python), str(script)], start_new_session=True)
    try:
        time.sleep(0.3)
        (workdir / process.PID_FILE).write_text(str(left.pid))
        log = io.StringIO()
        start_afresh(tmp_path / "session", workdir, log, DEEPLABCUT.PROCESS_MARKER)
        assert "Stopped a tracker left running" in log.getvalue()
        assert left.wait(timeout=10) != 0
    finally:
        left.kill()


def test_the_console_reads_a_deeplabcut_log_with_deeplabcuts_stages(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    repaired = tmp_path / "results/settings/fish1/poses.toml"
    repaired.parent.mkdir(parents=True)
    repaired.write_text('tracker = "deeplabcut"\nproject = "p"\n')
    log = tmp_path / "track.log"
    log.write_text("DeepLabCut job: snapshot-010.pt on cuda, tracker box\nStage: saving\n")
    assert JobLogs().stage(str(log), ("fish1", "poses")).describe() == "saving"


def test_the_settings_digest_cache_follows_the_trackers_code(tmp_path):
    """The digest stores what each tracker's module computes (its `digest`): a change of that
    code starts a fresh cache."""
    before = digest.code_version()
    job_settings = REPO / "workflow/scripts/idtracker_flow/trackers/deeplabcut/job_settings.py"
    stat = job_settings.stat()
    try:
        os.utime(job_settings, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
        assert digest.code_version() != before
    finally:
        os.utime(job_settings, ns=(stat.st_atime_ns, stat.st_mtime_ns))
