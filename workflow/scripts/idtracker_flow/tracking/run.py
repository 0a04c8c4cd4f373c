"""Run one job with its tracker and judge the result by its outputs: the same discipline for
every tracker (trackers/protocol.py).

The job's session folder is made from scratch every time (a stale one from a killed run is
removed) after the tracker's own checks (a session validated by hand is never touched); the
runner holds a GPU slot, watches the process (no progress, a full disk, Snakemake gone),
records the peak GPU memory and the session's size, learns from CUDA running out of memory,
and words a stall, a full disk and a signal the same way for every tracker.
"""

import json
import os
import shutil
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from idtracker_flow.project import atomic_files
from idtracker_flow.trackers.protocol import Resources, RunFailed, RunRequest
from idtracker_flow.tracking import gpu_memory, gpu_slots, retry, session_sizes, sizing
from idtracker_flow.tracking import process as tracker_process
from idtracker_flow.tracking.watchdog import Limits, free_space_problem

FREE_SPACE = (
    "What to do: free space on that disk (sessions or videos you no longer need), or keep less"
    " per session (`data_policy` in config/config.yaml), then run `pixi run track` again."
)
STALLED = (
    "What to do: read the end of this log for what it was doing. If it was working but slow"
    " (long steps on a CPU), raise `stall_minutes` in config/config.yaml; then run"
    " `pixi run track` again."
)


def pin_gpu(
    device: str, gpus, jobs_per_gpu, log, job_name: str, alone: bool = False
) -> gpu_slots.Slot | None:
    """Hold a GPU slot for this job and show the tracker only that device. `alone`: the
    whole device (a retry after CUDA ran out of memory)."""
    if device not in ("auto", "cuda"):
        return None  # CPU, or a device named in config/config.yaml
    if gpu_slots.scheduler_assigns_devices():
        visible = os.environ.get("CUDA_VISIBLE_DEVICES", "all")
        print(f"GPU chosen by the cluster scheduler (CUDA_VISIBLE_DEVICES={visible})", file=log)
        return None
    devices = gpu_slots.devices_to_use(gpus)
    if not devices:
        return None
    counts = gpu_slots.slot_counts(devices, sizing.slots_for_job(jobs_per_gpu, devices))
    learned = (lambda: sizing.learned().most_per_gpu) if jobs_per_gpu == "auto" else lambda: None
    try:
        slot = gpu_slots.acquire(devices, counts, log=log, alone=alone, most_per_gpu=learned)
    except TimeoutError as error:
        raise RunFailed(  # every slot busy for an hour: later it may be free
            f"Job {job_name}: {error}; every GPU slot ({gpu_slots.SLOTS_DIR}) was held by other"
            " tracking jobs the whole time. Nothing was tracked.\nWhat to do: check with"
            " `nvidia-smi` for trackers left running, or lower `gpus`/`jobs_per_gpu` in"
            " config/config.yaml, then run `pixi run track` again.",
            transient=True,
        ) from None
    # Set here too, so this process's own GPU check touches only that device.
    os.environ["CUDA_VISIBLE_DEVICES"] = slot.device
    if slot.alone:
        where = "alone on it: the previous attempt ran out of GPU memory"
    else:
        where = f"slot {slot.index + 1} of {counts[slot.device]}"
    print(f"GPU {slot.device} for this job ({where}): CUDA_VISIBLE_DEVICES={slot.device}", file=log)
    slot.sharing = gpu_slots.held_on(slot.device)
    return slot


def start_afresh(session: Path, workdir: Path, log, marker: bytes) -> None:
    """Stop a tracker an interrupted attempt left running (its command line holds `marker`)
    and remove what it left: a session is always made from scratch."""
    if tracker_process.kill_leftover(workdir, marker):
        print("Stopped a tracker left running by an interrupted run.", file=log)
    for stale in (session, workdir):
        if stale.exists():
            print(f"Removing {stale} from an earlier attempt.", file=log)
            shutil.rmtree(stale)


def track(tracker, request: RunRequest, log, resources: dict, limits: Limits | None = None,
          alone: bool = False) -> dict:  # fmt: skip
    """Run one job; return its tracking record (results/sessions/<video>/<job>.tracked.json).
    `resources`: config's device, gpus, jobs_per_gpu and the job's threads. Raises
    RunFailed."""
    tracker.check(request)
    start_afresh(request.session, request.workdir, log, tracker.PROCESS_MARKER)
    request.session.parent.mkdir(parents=True, exist_ok=True)
    limits = limits or Limits()
    check_free_space(limits, request.job_name)
    device, gpus, jobs_per_gpu = resources["device"], resources["gpus"], resources["jobs_per_gpu"]
    slot = pin_gpu(device, gpus, jobs_per_gpu, log, request.job_name, alone)
    held = Resources(
        device=device,
        threads=resources["threads"],
        visible_gpus=gpu_slots.visible_gpus() if device == "auto" else [],
        ram_share_mb=(
            sizing.contrastive_for_job(jobs_per_gpu, gpu_slots.devices_to_use(gpus))
            if slot is not None
            else None
        ),
    )
    try:
        record = _run_and_judge(tracker, request, held, log, limits)
        session_sizes.remember(request.session)
        sizing.remember_peak(request.job_name, record["peak_gpu_memory_mb"])
        return record
    except RunFailed as failure:
        if slot is None or retry.CUDA_OUT_OF_MEMORY not in str(failure):
            raise
        # Said in the message: Snakemake deletes this attempt's log before the next one.
        lesson = learn_out_of_memory(slot, request.job_name)
        raise RunFailed(f"{failure}\n{lesson}", failure.transient) from None
    finally:
        if slot is not None:
            slot.release()


def _run_and_judge(tracker, request: RunRequest, resources: Resources, log, limits) -> dict:
    name = tracker.DISPLAY_NAME
    command = tracker.command(request, resources)
    env = dict(os.environ, OMP_NUM_THREADS=str(resources.threads), **command.env)
    for line in command.log_lines:
        print(line, file=log)
    print(f"Working directory: {request.workdir}", file=log, flush=True)
    started = time.time()
    limits = replace(limits, progress=[request.workdir, request.session], program=name)
    sampler = gpu_memory.PeakSampler()
    status, stopped = tracker_process.run(
        command.argv, request.workdir, env, log, limits, on_start=sampler.start
    )
    seconds = round(time.time() - started, 1)
    peak_mb = sampler.stop()
    if stopped:
        print(f"\n{name} was stopped after {seconds} s.", file=log)
        advice = FREE_SPACE if stopped.startswith("disk full") else STALLED
        raise RunFailed(f"Job {request.job_name}: {stopped}.\n{advice}")
    if status < 0:  # a signal ended it: its log says nothing about why
        print(f"\n{name} was stopped after {seconds} s.", file=log)
        # The out-of-memory killer, a cluster's preemption: another attempt may succeed.
        raise RunFailed(f"Job {request.job_name}: {killed_by(-status, name)}", transient=True)
    print(f"\n{name} exited with status {status} after {seconds} s.", file=log)
    return {
        "job": request.job_name,
        "tracker": tracker.NAME,
        "settings": str(request.settings_path),
        "session": portable(request.session),
        "started": datetime.fromtimestamp(started, UTC).isoformat(timespec="seconds"),
        "seconds": seconds,
        **tracker.judge(request, status, log),
        # the tracker and its workers together; None where it cannot be read (CPU, no driver)
        "peak_gpu_memory_mb": peak_mb,
    }


def learn_out_of_memory(slot: gpu_slots.Slot, job_name: str) -> str:
    """The jobs that shared this GPU were too many: later jobs hold one fewer per GPU."""
    # A job alone holds every slot of its GPU itself.
    sharing = 1 if slot.alone else max(slot.sharing, gpu_slots.held_on(slot.device))
    sizing.remember_out_of_memory(job_name, slot.device, sharing)
    if sharing > 1:
        return (
            f"CUDA ran out of memory with {sharing} jobs on GPU {slot.device}: from now on at"
            f" most {sharing - 1} share a GPU, and a retry of this job runs alone on one."
        )
    return f"CUDA ran out of memory with this job alone on GPU {slot.device}."


def check_free_space(limits: Limits, job_name: str) -> None:
    """Before any GPU time: room for a session as large as the largest this project made."""
    needed = replace(limits, min_free_bytes=max(limits.min_free_bytes, session_sizes.largest()))
    if needed.min_free_bytes and (problem := free_space_problem(needed)):
        raise RunFailed(f"Job {job_name}: not started: {problem}.\n{FREE_SPACE}")


def portable(path: Path) -> str:
    """A path inside the project folder as relative to it: the record stays right when the
    project folder is moved or mounted elsewhere."""
    try:
        return str(Path(path).relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def killed_by(signal_number: int, program: str = "idtracker.ai") -> str:
    """Why the tracker was stopped by a signal, and what to do, in the user's words."""
    import signal

    try:
        name = signal.Signals(signal_number).name
    except ValueError:
        name = f"signal {signal_number}"
    cause = {
        "SIGKILL": (
            "most often the system's out-of-memory killer: the machine ran out of memory."
            " What to do: lower `threads` in config/config.yaml (each worker holds its own"
            " copy of the data), or track fewer jobs at once"
        ),
        "SIGTERM": "someone or something (a cluster's time limit) asked it to stop",
        "SIGINT": "Ctrl+C",
        "SIGSEGV": f"it crashed (a fault in {program} or one of its libraries)",
    }.get(name, "it was stopped from outside")
    return (
        f"{program} was killed by {name}: {cause}. Nothing was kept of this attempt;"
        " `pixi run track` tracks it again."
    )


def write_record(path: Path, record: dict) -> None:
    """The tracking record: Snakemake's output of the track step, written last."""
    atomic_files.write_text(path, json.dumps(record, indent=2) + "\n")
