"""`jobs_per_gpu: auto` and `threads: auto`: the sizing rule on a table of machines, the facts
read from the NVIDIA driver, and what a CUDA out-of-memory failure teaches it.

This machine has no NVIDIA GPU: the driver's answers come from tests/fakes/nvidia_smi.py, a
stand-in for `nvidia-smi` put first on PATH (NVML is absent here, so the code falls back to it as
it would on a machine without nvidia-ml-py), and the CPU cores and RAM of the table's machines
are given to the pure rule (or patched over this machine's for the launcher). The file locks,
the process groups and the learned-facts file are real.
"""

import json
import os
import subprocess
import sys
import threading
import time

import pytest
from conftest import REPO

from idtracker_flow.tracking import gpu_memory, gpu_slots, run_plan, sizing
from idtracker_flow.tracking.gpu_memory import Gpu
from idtracker_flow.tracking.sizing import Learned, Machine

GIB = 1024
H200 = Gpu("0", 143_771, 143_000)


def fake_driver(tmp_path, monkeypatch, gpus, apps=()):
    """Put the nvidia-smi stand-in first on PATH, answering with these facts."""
    facts = tmp_path / "nvidia-smi.json"
    facts.write_text(json.dumps({"gpus": gpus, "apps": list(apps)}))
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    script = bin_dir / "nvidia-smi"
    script.write_text(
        f'#!/bin/sh\nexec "{sys.executable}" "{REPO}/tests/fakes/nvidia_smi.py" "$@"\n'
    )
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_NVIDIA_SMI", str(facts))
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    for name in ("SLURM_JOB_ID", "PBS_JOBID", "LSB_JOBID"):
        monkeypatch.delenv(name, raising=False)
    return facts


# (machine, what the project learned, expected jobs per GPU, expected threads per job[, jobs
# there are to track])
MACHINES = {
    "1 H200, 16 cores, 128 GiB, nothing measured yet: the cores limit (2 each)": (
        Machine((H200,), 16, 120 * GIB),
        Learned(),
        {"0": 8},
        2,
    ),
    "1 H200, 16 cores, 128 GiB, only 4 jobs to track: 4 at once with 4 threads each": (
        Machine((H200,), 16, 120 * GIB),
        Learned(),
        {"0": 4},
        4,
        4,
    ),
    "1 H200, 16 cores, 128 GiB, jobs measured at 3 GB: still the cores": (
        Machine((H200,), 16, 120 * GIB),
        Learned(largest_peak_mb=3000),
        {"0": 8},
        2,
    ),
    "2 GPUs of 24 GB, 8 cores, 32 GiB: the RAM limits (3 jobs, shared equally)": (
        Machine((Gpu("0", 24_576, 24_000), Gpu("1", 24_576, 24_000)), 8, 30 * GIB),
        Learned(),
        {"0": 1, "1": 1},
        4,
    ),
    "2 GPUs of 24 GB, 32 cores, 256 GiB: the GPU memory limits (2 of 8 GB each)": (
        Machine((Gpu("0", 24_576, 24_000), Gpu("1", 24_576, 24_000)), 32, 250 * GIB),
        Learned(),
        {"0": 2, "1": 2},
        8,
    ),
    "small GPU (8 GB) with large jobs (6 GB measured): one job, every core": (
        Machine((Gpu("0", 8192, 7900),), 16, 60 * GIB),
        Learned(largest_peak_mb=6000),
        {"0": 1},
        16,
    ),
    "no GPU: one job at a time with every core": (
        Machine((), 8, 30 * GIB),
        Learned(),
        {},
        8,
    ),
    "1 H200 after CUDA ran out of memory with 4 jobs on it: 3": (
        Machine((H200,), 16, 120 * GIB),
        Learned(most_per_gpu=3),
        {"0": 3},
        5,
    ),
}


@pytest.mark.parametrize("name", MACHINES)
def test_auto_sizing_on_a_table_of_machines(name):
    machine, learned, slots, threads, *most_jobs = MACHINES[name]
    chosen = sizing.plan(machine, learned, most_jobs=(most_jobs or [None])[0])
    assert (chosen.slots, chosen.threads) == (slots, threads), chosen.why
    # Concurrent jobs never preload more than the shared RAM allows, nor more than
    # idtracker.ai's own default (a quarter of the available RAM) in any one job.
    assert chosen.contrastive_max_mb <= machine.ram_available_mb / 4
    used = chosen.jobs_at_once * (chosen.contrastive_max_mb + sizing.JOB_RAM_MB)
    assert used <= machine.ram_available_mb * sizing.RAM_FILL or chosen.jobs_at_once == 1


def test_a_number_set_by_the_user_wins():
    machine = Machine((H200, Gpu("1", 143_771, 143_000)), 16, 120 * GIB)
    chosen = sizing.plan(machine, Learned(most_per_gpu=1), jobs_per_gpu=5, threads=3)
    assert (chosen.slots, chosen.threads) == ({"0": 5, "1": 5}, 3)


def test_facts_from_the_driver_and_the_launchers_options(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    fake_driver(tmp_path, monkeypatch, [[0, 143771, 143000], [1, 81559, 1000]])
    assert gpu_memory.gpus() == [Gpu("0", 143771, 143000), Gpu("1", 81559, 1000)]
    monkeypatch.setattr(sizing, "cores", lambda: 16)
    monkeypatch.setattr(sizing, "ram_available_mb", lambda: 120 * GIB)
    config = {"device": "auto", "gpus": "auto", "jobs_per_gpu": "auto", "threads": "auto"}
    options, line = run_plan.snakemake_args([], config)
    # GPU 1 is nearly full (someone else's job): one job there, the cores share the rest.
    assert options == ["--resources=gpu=5", "--set-threads=track=3"]
    assert "Tracking jobs at once: 5 (GPU 0: 4, GPU 1: 1), 3 threads each" in line
    assert json.loads(sizing.PLAN.read_text())["slots"] == {"0": 4, "1": 1}
    # What the user typed wins; `gpus` leaves a GPU out.
    options, _ = run_plan.snakemake_args(["--resources", "gpu=1"], config)
    assert options == ["--set-threads=track=3"]
    options, _ = run_plan.snakemake_args([], {**config, "gpus": [1], "threads": 2})
    assert options == []
    run_plan.forget()
    assert not sizing.PLAN.exists()


def test_no_driver_means_no_gpu_and_cpu_threads(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path))  # no nvidia-smi anywhere
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    monkeypatch.setattr(sizing, "cores", lambda: 6)
    config = {"device": "auto", "gpus": "auto", "jobs_per_gpu": "auto", "threads": "auto"}
    options, line = run_plan.snakemake_args([], config)
    assert options == ["--set-threads=track=6"]
    assert line.startswith("No NVIDIA GPU to share: one tracking job at a time, 6 threads")


def test_cluster_jobs_are_left_to_the_scheduler(monkeypatch):
    monkeypatch.setenv("SLURM_JOB_ID", "7")
    config = {"device": "auto", "gpus": "auto", "jobs_per_gpu": "auto", "threads": "auto"}
    assert run_plan.snakemake_args([], config) == ([], None)


def test_peak_gpu_memory_of_a_process_group(tmp_path, monkeypatch):
    """The tracker's process group (here a real `sleep` in a session of its own) against the
    driver's per-process list: only the group's processes count."""
    group = subprocess.Popen(["sleep", "30"], start_new_session=True)
    try:
        fake_driver(tmp_path, monkeypatch, [[0, 81559, 0]], [[group.pid, 1234], [1, 5000]])
        sampler = gpu_memory.PeakSampler()
        sampler.sample_once(group.pid)
        assert sampler.stop() == 1234
        stranger = gpu_memory.PeakSampler()
        stranger.sample_once(os.getpid())  # a group with no process on the GPU: unknown
        assert stranger.stop() is None
    finally:
        group.kill()
        group.wait()


def test_out_of_memory_shrinks_the_next_plan(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    machine = Machine((H200,), 16, 120 * GIB)
    assert sizing.plan(machine, sizing.learned()).slots == {"0": 8}
    sizing.remember_peak("rec1/part1", 3000)
    sizing.remember_out_of_memory("rec1/part2", "0", jobs_on_gpu=8)
    assert sizing.learned() == Learned(largest_peak_mb=3000, most_per_gpu=7)
    assert sizing.plan(machine, sizing.learned()).slots == {"0": 7}
    sizing.remember_out_of_memory("rec1/part3", "0", jobs_on_gpu=1)  # too big even alone:
    assert sizing.plan(machine, sizing.learned()).slots == {"0": 7}  # nothing about sharing
    sizing.remember_out_of_memory("rec1/part4", "0", jobs_on_gpu=2)
    assert sizing.plan(machine, sizing.learned()).slots == {"0": 1}


def test_a_job_retried_alone_waits_for_the_whole_gpu(tmp_path, monkeypatch):
    """Real OS locks: while a job waits to be alone on GPU 0, no other job takes a slot
    there; it gets the GPU once the job already on it ends."""
    monkeypatch.chdir(tmp_path)
    running = gpu_slots.acquire(["0"], 3, wait_s=0)
    got = []
    waiter = threading.Thread(
        target=lambda: got.append(gpu_slots.acquire(["0"], 3, alone=True)), daemon=True
    )
    waiter.start()
    time.sleep(1.5)
    assert not got
    with pytest.raises(TimeoutError):
        gpu_slots.acquire(["0"], 3, wait_s=0)  # slots 2 and 3 are free, but reserved
    assert gpu_slots.held_on("0") == 1  # the waiter takes slots in order: slot 1 first
    running.release()
    waiter.join(timeout=10)
    assert got and got[0].alone and gpu_slots.held_on("0") == 3
    got[0].release()
    assert gpu_slots.acquire(["0"], 3, wait_s=0).index == 0


def test_learned_limit_applies_to_slots_taken_later(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    first = gpu_slots.acquire(["0"], 4, wait_s=0, most_per_gpu=lambda: 2)
    second = gpu_slots.acquire(["0"], 4, wait_s=0, most_per_gpu=lambda: 2)
    with pytest.raises(TimeoutError):
        gpu_slots.acquire(["0"], 4, wait_s=0, most_per_gpu=lambda: 2)
    assert gpu_slots.acquire(["0"], 4, wait_s=0).index == 2  # a number set by the user
    first.release(), second.release()


def test_launcher_counts_the_jobs_left_to_track(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for job in ("a", "b", "c"):
        (tmp_path / "settings" / "v").mkdir(parents=True, exist_ok=True)
        (tmp_path / "settings" / "v" / f"{job}.toml").write_text("")
    tracked = tmp_path / "results" / "sessions" / "v" / "b.tracked.json"
    tracked.parent.mkdir(parents=True)
    tracked.write_text("{}")
    config = {"skip": ["v/c"]}
    assert run_plan.jobs_to_track(config) == 1  # a; b is tracked, c skipped
    later = time.time() + 10
    os.utime(tmp_path / "settings" / "v" / "b.toml", (later, later))  # edited since
    assert run_plan.jobs_to_track(config) == 2


def test_contrastive_share_unless_the_settings_set_it(tmp_path):
    from idtracker_flow.trackers.idtrackerai.run import contrastive_flag

    settings = tmp_path / "job.toml"
    settings.write_text("number_of_animals = 8\n")
    assert contrastive_flag(settings, 7250) == ["--contrastive_max_mbytes", "7250"]
    assert contrastive_flag(settings, None) == []  # a cluster, or the CPU: idtracker.ai decides
    settings.write_text("number_of_animals = 8\nCONTRASTIVE_MAX_MBYTES = 500\n")
    assert contrastive_flag(settings, 7250) == []


def test_out_of_memory_lesson_counts_the_jobs_on_the_gpu(tmp_path, monkeypatch):
    """Real slot locks: two jobs on GPU 0 when one runs out of memory; then one alone (which
    holds every slot itself) runs out too, and that teaches nothing about sharing."""
    from idtracker_flow.tracking.run import learn_out_of_memory

    monkeypatch.chdir(tmp_path)
    other = gpu_slots.acquire(["0"], 2, wait_s=0)
    mine = gpu_slots.acquire(["0"], 2, wait_s=0)
    assert "with 2 jobs on GPU 0: from now on at most 1" in learn_out_of_memory(mine, "v/a")
    other.release(), mine.release()
    alone = gpu_slots.acquire(["0"], 2, wait_s=0, alone=True)
    assert "alone on GPU 0" in learn_out_of_memory(alone, "v/a")
    alone.release()
    events = json.loads(sizing.LEARNED.read_text())["out_of_memory"]
    assert [event["jobs_on_gpu"] for event in events] == [2, 1]
    assert sizing.learned().most_per_gpu == 1


@pytest.mark.parametrize("jobs_per_gpu", [2, "auto"])
def test_a_job_takes_a_slot_with_a_number_or_auto(tmp_path, monkeypatch, jobs_per_gpu):
    """Real slot locks; the launcher's plan (2 per GPU) is written as it would write it."""
    import io

    from idtracker_flow.tracking.run import pin_gpu

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path))  # no driver: only the plan and the number count
    for name in ("SLURM_JOB_ID", "PBS_JOBID", "LSB_JOBID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "-1")  # pin_gpu sets it: put back afterwards
    machine = Machine((H200,), 4, 60 * GIB)
    sizing.write_plan(sizing.plan(machine, Learned(), most_jobs=2))
    log = io.StringIO()
    slots = [pin_gpu("auto", ["0"], jobs_per_gpu, log, f"v/{n}") for n in range(2)]
    assert [slot.index for slot in slots] == [0, 1]
    assert "GPU 0 for this job (slot 2 of 2): CUDA_VISIBLE_DEVICES=0" in log.getvalue()
    for slot in slots:
        slot.release()
