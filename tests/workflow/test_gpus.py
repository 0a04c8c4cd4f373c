"""Several GPUs on one machine: each running tracking job holds a device of its own; a job that
runs out of GPU memory is retried alone, and the jobs after it share less.

This machine has no GPU, so tracking is replaced by tests/fakes/gpu_probe.py (a stand-in that
records CUDA_VISIBLE_DEVICES and sleeps, or fails as CUDA out of memory when it shared its
GPU); everything else is the real workflow and Snakemake.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from conftest import REPO
from project_files import planned_steps

from idtracker_flow.cli import track as launch
from idtracker_flow.project.config import read_config
from idtracker_flow.tracking import gpu_slots, sizing

PROBE = str(REPO / "tests" / "fakes" / "gpu_probe.py")


def configure(ws, gpus, seconds=4.0):
    config = yaml.safe_load(ws.path("config", "config.yaml").read_text())
    # retries 0: a killed job must end the run here, to show its device is free for the next.
    config.update(gpus=gpus, threads=1, idtrackerai_command=[sys.executable, PROBE], retries=0)
    ws.path("config", "config.yaml").write_text(yaml.safe_dump(config))
    records = ws.path("probe.jsonl")
    return records, {"GPU_PROBE_RECORDS": str(records), "GPU_PROBE_SECONDS": str(seconds)}


def read_records(path: Path) -> list[dict]:
    finished = {}
    for line in path.read_text().splitlines():
        record = json.loads(line)
        if "end" in record:
            finished[record["job"]] = record
    return list(finished.values())


def add_jobs(ws, count):
    ws.add_video("demo")
    for index in range(count):
        ws.add_job("demo", f"part{index}")


def test_overlapping_jobs_never_share_a_device(workspace):
    add_jobs(workspace, 6)
    records_file, env = configure(workspace, [0, 1, 2])
    result = workspace.snakemake("--cores", "3", "--resources", "gpu=3", env=env)
    assert result.returncode == 0, result.stdout + result.stderr

    records = read_records(records_file)
    assert len(records) == 6
    assert {r["device"] for r in records} == {"0", "1", "2"}
    for a in records:
        for b in records:
            overlap = a["start"] < b["end"] and b["start"] < a["end"]
            if a is not b and overlap:
                assert a["device"] != b["device"], (a, b)
    log = workspace.path("results", "logs", "track", "demo", "part0.log").read_text()
    assert "CUDA_VISIBLE_DEVICES=" in log


def test_killed_job_gives_its_device_back(workspace):
    add_jobs(workspace, 3)
    records_file, env = configure(workspace, [0, 1, 2], seconds=30)
    command = [sys.executable, "-m", "snakemake", "--workflow-profile", "workflow/profiles/default"]
    run = subprocess.Popen(
        [*command, "--cores", "3", "--resources", "gpu=3"],
        cwd=workspace.root,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        lines = records_file.read_text().splitlines() if records_file.exists() else []
        if len(lines) >= 3:
            break
        time.sleep(0.5)
    started = [json.loads(line) for line in lines]
    assert len({r["device"] for r in started}) == 3
    victim = started[0]
    os.kill(victim["wrapper"], signal.SIGKILL)  # the job's process dies without cleaning up
    run.wait(timeout=180)
    assert run.returncode != 0

    # The next run retries the killed job on that same device, and only it may be used.
    records_file.unlink()
    configure(workspace, [int(victim["device"])], seconds=1)
    result = workspace.snakemake("--cores", "1", env=env, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert [r["device"] for r in read_records(records_file)] == [victim["device"]]


def test_slots_are_shared_only_when_allowed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    first = gpu_slots.acquire(["0", "1"], 2, wait_s=0)
    second = gpu_slots.acquire(["0", "1"], 2, wait_s=0)
    third = gpu_slots.acquire(["0", "1"], 2, wait_s=0)
    assert [first.device, second.device, third.device] == ["0", "1", "0"]
    assert (first.index, third.index) == (0, 1)
    gpu_slots.acquire(["0", "1"], 2, wait_s=0).release()
    with pytest.raises(TimeoutError):
        gpu_slots.acquire(["0"], 2, wait_s=0)
    first.release()
    assert gpu_slots.acquire(["0"], 1, wait_s=0).device == "0"


def test_cluster_scheduler_is_left_alone(monkeypatch):
    monkeypatch.setenv("SLURM_JOB_ID", "42")
    assert gpu_slots.scheduler_assigns_devices()


def test_launcher_uses_every_gpu_by_default(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "config.yaml"
    path.write_text("gpus: [0, 1, 3]\njobs_per_gpu: 2\nthreads: 2\n")
    config = read_config(path)
    assert launch.gpu_resources([], config) == ["--resources=gpu=6"]
    assert launch.gpu_resources(["--resources", "gpu=1"], config) == []
    path.write_text("gpus: auto\n")
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")
    cores = sizing.cores()  # no GPU: the profile's gpu=1, one job with every core
    assert launch.gpu_resources([], read_config(path)) == [f"--set-threads=track={cores}"]


def test_no_free_gpu_slot_fails_the_job_with_what_to_do(tmp_path, monkeypatch, capsys):
    """Every slot of device 0 is held (by this test, with the real file locks) and the wait is
    cut to a moment: the job fails with a message naming it and the next step, no traceback."""
    from idtracker_flow.trackers.protocol import RunFailed
    from idtracker_flow.tracking import run as run_tracking

    monkeypatch.chdir(tmp_path)
    for name in ("SLURM_JOB_ID", "PBS_JOBID", "LSB_JOBID"):
        monkeypatch.delenv(name, raising=False)
    held = gpu_slots.acquire(["0"], jobs_per_gpu=1, wait_s=1)
    real_acquire = gpu_slots.acquire
    monkeypatch.setattr(
        gpu_slots, "acquire", lambda devices, jobs, **options: real_acquire(devices, jobs, 0.5)
    )
    try:
        with pytest.raises(RunFailed) as failure:
            run_tracking.pin_gpu("auto", ["0"], 1, sys.stdout, "rec1/part01")
    finally:
        held.release()
    message = str(failure.value)
    assert message.startswith("Job rec1/part01: no free GPU slot")
    assert "config/config.yaml" in message and "pixi run track" in message


def test_out_of_memory_is_retried_alone_and_the_sizing_shrinks(workspace):
    """Stand-ins: the probe fails as CUDA out of memory when another job ran on its GPU at the
    same time, and the launcher's plan for a machine that holds 2 jobs per GPU is written as
    the launcher would (this 2-core machine would plan 1). Snakemake, the retries, the slots,
    and the learned facts are real."""
    add_jobs(workspace, 3)
    records_file, env = configure(workspace, [0], seconds=8)
    config = workspace.path("config", "config.yaml")
    config.write_text(config.read_text().replace("retries: 0", "retries: 1"))
    assert "jobs_per_gpu: auto" in config.read_text()
    plan = {"slots": {"0": 2}, "threads": 1, "contrastive_max_mb": 1500}
    workspace.path(".snakemake", "idtracker-flow").mkdir(parents=True)
    workspace.path(".snakemake", "idtracker-flow", "gpu-plan.json").write_text(json.dumps(plan))
    env["GPU_PROBE_OOM_WHEN_SHARED"] = "1"
    result = workspace.snakemake("--cores", "2", "--resources", "gpu=2", env=env)
    assert result.returncode == 0, result.stdout + result.stderr

    runs = {}
    for line in records_file.read_text().splitlines():
        record = json.loads(line)
        runs.setdefault((record["job"], record["start"]), {}).update(record)
    runs = sorted(runs.values(), key=lambda run: run["start"])
    failed = [run for run in runs if run.get("oom")]
    assert failed, "the first two jobs should have shared the GPU and run out of its memory"
    first_failure = min(run["end"] for run in failed)
    for a in runs:
        assert ["--contrastive_max_mbytes", "1500"] == a["args"][-3:-1]
        for b in runs:
            overlap = a["start"] < b["end"] and b["start"] < a["end"]
            # After the first failure no two jobs share the GPU (a retry runs alone, and the
            # learned limit is one job per GPU).
            if a is not b and overlap:
                assert min(a["start"], b["start"]) < first_failure, (a, b)
    assert {run["job"] for run in runs if not run.get("oom")} == {"part0", "part1", "part2"}
    for run in failed:
        log = workspace.path("results", "logs", "track", "demo", f"{run['job']}.log").read_text()
        assert "a retry of this job runs alone" in log and "alone on it" in log

    learned = sizing.learned(workspace.path(".snakemake", "idtracker-flow", "gpu-sizing.json"))
    assert learned.most_per_gpu == 1
    h200 = sizing.Machine((sizing.Gpu("0", 143_771, 143_000),), 16, 120 * 1024)
    assert sizing.plan(h200, sizing.Learned()).slots == {"0": 8}
    assert sizing.plan(h200, learned).slots == {"0": 1}
    tracked = json.loads(
        workspace.path("results", "sessions", "demo", "part0.tracked.json").read_text()
    )
    assert tracked["peak_gpu_memory_mb"] is None  # no driver here to read it from


def test_sized_threads_and_places_do_not_track_finished_jobs_again(workspace):
    """Jobs tracked with one number of threads and GPU places, then the launcher's dry run
    (threads: auto passes its own --set-threads) and one with other numbers: nothing is to be
    tracked again (the profile's rerun-triggers: mtime). The tracker is the probe stand-in."""
    add_jobs(workspace, 2)
    _, env = configure(workspace, [0], seconds=1)
    config = workspace.path("config", "config.yaml")
    config.write_text(config.read_text().replace("threads: 1", "threads: auto"))
    first = workspace.snakemake("--cores", "2", "trajectories", "--set-threads", "track=1", env=env)
    assert first.returncode == 0, first.stdout + first.stderr
    launcher = workspace.track("trajectories", "--dry-run")  # the target first: see run_plan
    assert launcher.returncode == 0, launcher.stdout + launcher.stderr
    other = workspace.snakemake(
        "-n", "trajectories", "--set-threads", "track=2", "--resources", "gpu=3"
    )
    assert other.returncode == 0, other.stdout + other.stderr
    for result in (launcher, other):
        assert planned_steps(result.stdout) == set(), result.stdout
    pending = workspace.add_job("demo", "new")
    assert pending.exists()
    planned = workspace.snakemake("-n", "trajectories", "--set-threads", "track=2")
    steps = ("repair_settings", "track", "copy_trajectories")
    assert planned_steps(planned.stdout) == {("demo", "new", step) for step in steps}
