"""How many tracking jobs run at once on each GPU, with how many threads and how much RAM for
idtracker.ai's contrastive step: `plan()` is a pure rule over measured facts (docs/running.md,
"How many jobs run at once"); the rest gathers those facts and remembers what jobs taught it.

The facts: each GPU's free memory, the CPU cores, the available RAM, the largest GPU memory a
job of this project used (recorded by every job, `.snakemake/idtracker-flow/gpu-sizing.json`)
and the CUDA out-of-memory failures seen (each lowers the most jobs one GPU may hold).
"""

import json
import os
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from idtracker_flow.project import atomic_files
from idtracker_flow.tracking.file_lock import try_lock
from idtracker_flow.tracking.gpu_memory import Gpu

LEARNED = Path(".snakemake/idtracker-flow/gpu-sizing.json")
PLAN = Path(".snakemake/idtracker-flow/gpu-plan.json")

# GPU memory a job is assumed to need before any job of this project has recorded its peak.
SAFE_START_MB = 8000
# On the largest recorded peak: another video of the project may need more.
PEAK_MARGIN = 1.25
# Of each GPU's free memory at the start of the run (CUDA and the driver keep some).
GPU_FILL = 0.9
# Cores per job at the least: idtracker.ai's main process and one segmentation worker.
MIN_THREADS = 2
# Of the available RAM, shared among the jobs that run at once; the rest stays for the system.
RAM_FILL = 0.75
# A job's RAM besides the contrastive preload (measured peak 3.1 GB on test_B, 4 workers).
JOB_RAM_MB = 4000
# The least contrastive preload worth sharing a machine for (idtracker.ai reads from disk beyond).
MIN_CONTRASTIVE_MB = 2000
# threads: auto where the launcher does not size the run (plain snakemake, a cluster).
FALLBACK_THREADS = 4


@dataclass(frozen=True)
class Machine:
    gpus: tuple[Gpu, ...]  # the GPUs tracking may use (free_mb 0: unknown)
    cores: int
    ram_available_mb: float


@dataclass(frozen=True)
class Learned:
    largest_peak_mb: float | None = None  # of any job of this project so far
    most_per_gpu: int | None = None  # after CUDA out of memory: one fewer than failed


@dataclass(frozen=True)
class Plan:
    slots: dict[str, int]  # GPU -> tracking jobs at once on it
    threads: int
    contrastive_max_mb: int
    job_gpu_mb: float
    why: list[str] = field(default_factory=list)

    @property
    def jobs_at_once(self) -> int:
        return sum(self.slots.values()) or 1


def job_gpu_mb(learned: Learned) -> float:
    if learned.largest_peak_mb:
        return learned.largest_peak_mb * PEAK_MARGIN
    return SAFE_START_MB


def _auto_slots(
    machine: Machine, learned: Learned, need_mb: float, why: list, most_jobs: int | None
) -> dict[str, int]:
    cpu_cap = max(1, machine.cores // MIN_THREADS)
    ram_cap = max(1, int(machine.ram_available_mb * RAM_FILL // (JOB_RAM_MB + MIN_CONTRASTIVE_MB)))
    share = max(1, min(cpu_cap, ram_cap) // len(machine.gpus))
    if most_jobs:  # fewer jobs to track than places: their threads get the cores instead
        share = min(share, -(-most_jobs // len(machine.gpus)))
    why.append(
        f"{machine.cores} cores allow {cpu_cap} jobs ({MIN_THREADS} each),"
        f" {machine.ram_available_mb / 1024:.0f} GB of free RAM {ram_cap}"
    )
    slots = {}
    for gpu in machine.gpus:
        fit = max(1, int(gpu.free_mb * GPU_FILL // need_mb)) if gpu.free_mb else 1
        slots[gpu.index] = min(fit, share, learned.most_per_gpu or fit)
        if gpu.free_mb:
            why.append(f"GPU {gpu.index}: {gpu.free_mb / 1024:.0f} GB free holds {fit}")
        else:
            why.append(f"GPU {gpu.index}: memory unknown, 1 job")
    if learned.most_per_gpu:
        why.append(f"at most {learned.most_per_gpu} per GPU since CUDA ran out of memory")
    return slots


def plan(
    machine: Machine,
    learned: Learned,
    jobs_per_gpu="auto",
    threads="auto",
    most_jobs: int | None = None,
) -> Plan:
    """Jobs at once per GPU, threads per job and contrastive RAM per job. A number set by the
    user wins over the rule; without a GPU one job runs at a time with every core. `most_jobs`:
    how many jobs there are to track (None: unknown)."""
    need_mb = job_gpu_mb(learned)
    why = [
        f"a job needs {need_mb / 1024:.1f} GB of GPU memory"
        + (
            " (largest so far + 25 %)"
            if learned.largest_peak_mb
            else " (assumed until one is measured)"
        )
    ]
    if not machine.gpus:
        slots = {}
    elif jobs_per_gpu != "auto":
        slots = {gpu.index: int(jobs_per_gpu) for gpu in machine.gpus}
        why = [f"jobs_per_gpu: {jobs_per_gpu} (config/config.yaml)"]
    else:
        slots = _auto_slots(machine, learned, need_mb, why, most_jobs)
    at_once = sum(slots.values()) or 1
    chosen_threads = int(threads) if threads != "auto" else max(1, machine.cores // at_once)
    # idtracker.ai's own default is a quarter of the RAM available when the step starts: each
    # of several jobs would take that quarter. Share instead, never more than that quarter.
    share = machine.ram_available_mb * RAM_FILL / at_once - JOB_RAM_MB
    contrastive = int(min(machine.ram_available_mb / 4, max(MIN_CONTRASTIVE_MB / 4, share)))
    return Plan(slots, chosen_threads, contrastive, need_mb, why)


# ----- facts of this machine and of this project -----


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))  # what this process may use (containers, taskset)
    except AttributeError:
        return os.cpu_count() or 1


def ram_available_mb() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (ValueError, OSError, AttributeError):
        return 8192.0  # unknown (Windows): a modest machine


def machine(devices: list[str], shown: list[Gpu]) -> Machine:
    """The machine as tracking may use it: `devices` are the GPUs config `gpus` allows (a
    device the driver does not show has unknown memory: 0)."""
    by_index = {gpu.index: gpu for gpu in shown}
    gpus = tuple(by_index.get(device, Gpu(device, 0.0, 0.0)) for device in devices)
    return Machine(gpus, cores(), ram_available_mb())


def for_this_machine(
    devices: list[str], jobs_per_gpu="auto", threads="auto", most_jobs: int | None = None
) -> Plan:
    """The rule applied to this machine now (the launcher, before its jobs start)."""
    from idtracker_flow.tracking import gpu_memory

    facts = machine(devices, gpu_memory.gpus())
    return plan(facts, learned(), jobs_per_gpu, threads, most_jobs)


def _in_run(devices: list[str], jobs_per_gpu) -> Plan:
    """What the launcher decided for this run; without the launcher (plain snakemake), the
    rule with each GPU's total memory (the jobs already running hold some of the free)."""
    from idtracker_flow.tracking import gpu_memory

    decided = planned()
    if decided.get("slots") and decided.get("contrastive_max_mb"):
        slots = {device: int(decided["slots"].get(device, 1)) for device in devices}
        return Plan(slots, int(decided.get("threads", 1)), int(decided["contrastive_max_mb"]), 0)
    whole = [Gpu(gpu.index, gpu.total_mb, gpu.total_mb) for gpu in gpu_memory.gpus()]
    return plan(machine(devices, whole), learned(), jobs_per_gpu)


def slots_for_job(jobs_per_gpu, devices: list[str]):
    """Slots per device for a job taking one: a number set by the user, else the plan."""
    if jobs_per_gpu != "auto":
        return int(jobs_per_gpu)
    return _in_run(devices, jobs_per_gpu).slots


def contrastive_for_job(jobs_per_gpu, devices: list[str]) -> int:
    """This job's share of the RAM for idtracker.ai's contrastive preload."""
    return _in_run(devices, jobs_per_gpu).contrastive_max_mb


def _read(path: Path) -> dict:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def learned(path: Path = LEARNED) -> Learned:
    data = _read(path)
    peaks = [
        mb for mb in data.get("peaks_mb", {}).values() if isinstance(mb, int | float) and mb > 0
    ]
    # A job out of GPU memory while alone says nothing about sharing: it only counts shared.
    events = data.get("out_of_memory", [])
    ooms = [event["jobs_on_gpu"] for event in events if event.get("jobs_on_gpu", 1) > 1]
    return Learned(
        largest_peak_mb=max(peaks) if peaks else None,
        most_per_gpu=max(1, min(ooms) - 1) if ooms else None,
    )


def _update(path: Path, change) -> None:
    """Read, change and write the learned facts under a lock (jobs finish at the same time)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + 30
    while (held := try_lock(path.with_name(path.name + ".lock"))) is None:
        if time.monotonic() > deadline:
            return  # a fact lost is better than a job stuck
        time.sleep(0.1)
    try:
        data = _read(path)
        change(data)
        atomic_files.write_text(path, json.dumps(data, indent=1) + "\n")
    finally:
        held.close()


def remember_peak(job: str, peak_mb: float | None, path: Path = LEARNED) -> None:
    if peak_mb:
        _update(path, lambda data: data.setdefault("peaks_mb", {}).__setitem__(job, peak_mb))


def remember_out_of_memory(job: str, device: str, jobs_on_gpu: int, path: Path = LEARNED) -> None:
    event = {
        "job": job,
        "device": device,
        "jobs_on_gpu": jobs_on_gpu,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    _update(path, lambda data: data.setdefault("out_of_memory", []).append(event))


def write_plan(chosen: Plan, path: Path = PLAN) -> None:
    """What the launcher decided, for the jobs of this run to read."""
    record = {"slots": chosen.slots, "threads": chosen.threads}
    record["contrastive_max_mb"] = chosen.contrastive_max_mb
    atomic_files.write_text(path, json.dumps(record) + "\n")


def planned(path: Path = PLAN) -> dict:
    return _read(path)


def describe(chosen: Plan) -> str:
    """One line for the terminal: what runs at once and why."""
    if not chosen.slots:
        return f"No NVIDIA GPU to share: one tracking job at a time, {chosen.threads} threads."
    gpus = ", ".join(f"GPU {device}: {n}" for device, n in chosen.slots.items())
    return (
        f"Tracking jobs at once: {chosen.jobs_at_once} ({gpus}), {chosen.threads} threads each"
        f" [{'; '.join(chosen.why)}]."
    )
