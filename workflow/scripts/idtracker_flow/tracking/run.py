"""Track one job with idtracker.ai and judge the session by its outputs.

The job's session folder is made from scratch every
time (a stale one from a killed run is removed), except a session validated by hand, which
is never touched: the job then stops and says how to re-track on purpose.
"""

import json
import os
import shutil
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from idtracker_flow.idtracker import command as idtracker_command
from idtracker_flow.idtracker import files as idtracker_files
from idtracker_flow.idtracker import log as idtracker_log
from idtracker_flow.idtracker import session as session_check
from idtracker_flow.project import atomic_files
from idtracker_flow.tracking import gpu_memory, gpu_slots, retry, session_sizes, sizing
from idtracker_flow.tracking import process as tracker_process
from idtracker_flow.tracking.watchdog import Limits, free_space_problem


class TrackingFailed(Exception):
    """The job failed; `transient` when another attempt may well succeed."""

    def __init__(self, message: str, transient: bool = False):
        super().__init__(message)
        self.transient = transient


FREE_SPACE = (
    "What to do: free space on that disk (sessions or videos you no longer need), or keep less"
    " per session (`data_policy` in config/config.yaml), then run `pixi run track` again."
)
STALLED = (
    "What to do: read the end of this log for what it was doing. If it was working but slow"
    " (long steps on a CPU), raise `stall_minutes` in config/config.yaml; then run"
    " `pixi run track` again."
)


def choose_device(configured: str) -> tuple[str, str]:
    """(value for idtracker.ai's --device, a line for the log).

    Asks nvidia-smi rather than PyTorch: importing torch here would cost seconds per job, and
    idtracker.ai's own log says which device it really used (see `device_used`).
    """
    if configured != "auto":
        return configured, f"Device: {configured} (set in config/config.yaml)"
    gpus = gpu_slots.visible_gpus()
    if gpus:
        return "", f"Device: automatic; NVIDIA GPU {', '.join(gpus)} visible"
    return "", (
        "WARNING: no NVIDIA GPU visible: tracking runs on CPU, which is very slow for"
        " identities. Run `pixi run check-gpu` to see why."
    )


def pin_gpu(
    device: str, gpus, jobs_per_gpu, log, job_name: str, alone: bool = False
) -> gpu_slots.Slot | None:
    """Hold a GPU slot for this job and show idtracker.ai only that device. `alone`: the
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
        raise TrackingFailed(  # every slot busy for an hour: later it may be free
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


def refuse_if_validated(session: Path, job_name: str, settings: Path, tracked: Path) -> None:
    when = session_check.validated_on(session)
    if when is None:
        return
    aside = session.with_name(f"{session.name}.validated")
    raise TrackingFailed(
        f"Job {job_name}: its session {session} was validated by hand on {when}, and its settings"
        f" ({settings}) or video changed since, so it would be tracked again."
        " Nothing was deleted.\n"
        f"To keep the validated result and stop this: snakemake --touch"
        f" --workflow-profile workflow/profiles/default {tracked}\n"
        f"To track again on purpose: move the session aside (e.g. rename it to {aside}) and run"
        f" `pixi run track` again."
    )


def start_afresh(session: Path, workdir: Path, log) -> None:
    """Stop a tracker an interrupted attempt left running and remove what it left: a session
    is always made from scratch."""
    if tracker_process.kill_leftover(workdir):
        print("Stopped a tracker left running by an interrupted run.", file=log)
    for stale in (session, workdir):
        if stale.exists():
            print(f"Removing {stale} from an earlier attempt.", file=log)
            shutil.rmtree(stale)


def track(
    settings: Path,
    session: Path,
    workdir: Path,
    job_name: str,
    tracked: Path,
    log,
    device: str = "auto",
    threads: int = 4,
    data_policy: str = "idmatcher.ai",
    command: list[str] = (),
    gpus="auto",
    jobs_per_gpu="auto",
    limits: Limits | None = None,
    alone: bool = False,
) -> dict:
    """Track one job; return what the tracked-marker file records. Raises TrackingFailed."""
    settings, session, workdir = Path(settings).resolve(), Path(session), Path(workdir)
    refuse_if_validated(session, job_name, settings, tracked)
    start_afresh(session, workdir, log)
    session.parent.mkdir(parents=True, exist_ok=True)
    limits = limits or Limits()
    check_free_space(limits, job_name)
    slot = pin_gpu(device, gpus, jobs_per_gpu, log, job_name, alone)
    contrastive_mb = None
    if slot is not None:
        contrastive_mb = sizing.contrastive_for_job(jobs_per_gpu, gpu_slots.devices_to_use(gpus))
    try:
        record = _run_and_judge(
            settings, session, workdir, job_name, log, device, threads, data_policy, command,
            limits, contrastive_mb,
        )  # fmt: skip
        session_sizes.remember(session)
        sizing.remember_peak(job_name, record["peak_gpu_memory_mb"])
        return record
    except TrackingFailed as failure:
        if slot is None or retry.CUDA_OUT_OF_MEMORY not in str(failure):
            raise
        # Said in the message: Snakemake deletes this attempt's log before the next one.
        lesson = learn_out_of_memory(slot, job_name)
        raise TrackingFailed(f"{failure}\n{lesson}", failure.transient) from None
    finally:
        if slot is not None:
            slot.release()


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
        raise TrackingFailed(f"Job {job_name}: not started: {problem}.\n{FREE_SPACE}")


def contrastive_flag(settings: Path, contrastive_mb: int | None) -> list[str]:
    """Cap idtracker.ai's contrastive preload (by default a quarter of the RAM available when
    it starts, in every job at once) to this job's share, unless the settings set it."""
    if not contrastive_mb or "contrastive_max_mbytes" in settings.read_text().lower():
        return []
    return ["--contrastive_max_mbytes", str(contrastive_mb)]


def _run_and_judge(
    settings, session, workdir, job_name, log, device, threads, data_policy, command, limits,
    contrastive_mb=None,
) -> dict:  # fmt: skip
    device_flag, device_note = choose_device(device)
    print(device_note, file=log)

    try:
        cmd = idtracker_command.idtrackerai_command(list(command))
    except idtracker_command.NotInstalled as error:
        raise TrackingFailed(f"Job {job_name}: {error}") from None
    cmd += [
        "--load", str(settings),
        "--name", session.name.removeprefix("session_"),
        "--output_dir", str(session.parent.resolve()),
        "--number_of_parallel_workers", str(threads),
        "--data_policy", data_policy,
        *contrastive_flag(settings, contrastive_mb),
        "--track",
    ]  # fmt: skip
    if device_flag:
        cmd[-1:-1] = ["--device", device_flag]
    env = dict(os.environ, IDTRACKERAI_DISABLE_ANALYTICS="true", OMP_NUM_THREADS=str(threads))
    print("Running: " + " ".join(cmd), file=log)
    print(f"Working directory: {workdir}", file=log, flush=True)
    started = time.time()
    limits = replace(limits, progress=[workdir, session])
    sampler = gpu_memory.PeakSampler()
    status, stopped = tracker_process.run(cmd, workdir, env, log, limits, on_start=sampler.start)
    seconds = round(time.time() - started, 1)
    peak_mb = sampler.stop()
    if stopped:
        print(f"\nidtracker.ai was stopped after {seconds} s.", file=log)
        advice = FREE_SPACE if stopped.startswith("disk full") else STALLED
        raise TrackingFailed(f"Job {job_name}: {stopped}.\n{advice}")

    cwd_log = workdir / idtracker_files.LOG
    if status < 0:  # a signal ended it: its log says nothing about why
        print(f"\nidtracker.ai was stopped after {seconds} s.", file=log)
        # The out-of-memory killer, a cluster's preemption: another attempt may succeed.
        raise TrackingFailed(f"Job {job_name}: {killed_by(-status)}", transient=True)
    success, reasons = session_check.verdict(session, cwd_log)
    print(f"\nidtracker.ai exited with status {status} after {seconds} s.", file=log)
    if not success:
        critical = any("CRITICAL" in reason for reason in reasons)
        advice = (
            "Fix what the CRITICAL lines say"
            if critical
            else "idtracker.ai stopped without saying why: read the end of this log"
        )
        raise TrackingFailed(
            f"Job {job_name}: idtracker.ai did not produce a usable session.\n"
            + "\n".join(f"  {reason}" for reason in reasons)
            + f"\nSettings used: {settings}. {advice}, then run"
            " `pixi run track` again: this job is retried automatically.",
            transient=any(retry.CUDA_OUT_OF_MEMORY in reason for reason in reasons),
        )
    return {
        "job": job_name,
        "settings": str(settings),
        "session": str(session),
        "started": datetime.fromtimestamp(started, UTC).isoformat(timespec="seconds"),
        "seconds": seconds,
        "device": idtracker_log.device_used(session_check.session_log(session, cwd_log)),
        "estimated_accuracy": session_check.estimated_accuracy(session),
        "idtrackerai_exit_status": status,
        # idtracker.ai and its workers together; None where it cannot be read (CPU, no driver)
        "peak_gpu_memory_mb": peak_mb,
    }


def killed_by(signal_number: int) -> str:
    """Why idtracker.ai was stopped by a signal, and what to do, in the user's words."""
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
        "SIGSEGV": "it crashed (a fault in idtracker.ai or one of its libraries)",
    }.get(name, "it was stopped from outside")
    return (
        f"idtracker.ai was killed by {name}: {cause}. Nothing was kept of this attempt;"
        " `pixi run track` tracks it again."
    )


def write_record(path: Path, record: dict) -> None:
    """The tracking record: Snakemake's output of the track step, written last."""
    atomic_files.write_text(path, json.dumps(record, indent=2) + "\n")
