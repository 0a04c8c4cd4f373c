"""Give each running tracking job a GPU of its own (Snakemake only counts GPUs, never names one).

A slot is one place on one device (`jobs_per_gpu` slots per device). A job takes the first free
slot by locking its file with an OS lock, which the OS releases when the job's process ends in any
way (crash, kill -9): no stale lock can block the next run. The job's tracker then sees only
its device through CUDA_VISIBLE_DEVICES.
"""

import os
import time
from pathlib import Path

from idtracker_flow.tracking.file_lock import try_lock

SLOTS_DIR = Path(".snakemake/gpu-slots")


def visible_gpus() -> list[str]:
    """GPUs this process may use: CUDA_VISIBLE_DEVICES when set, else what nvidia-smi lists."""
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None:
        return [d.strip() for d in visible.split(",") if d.strip() and d.strip() != "-1"]
    from idtracker_flow.tracking.gpu_memory import nvidia_smi_rows

    rows = nvidia_smi_rows("--query-gpu=index") or []
    return [row[0] for row in rows if row and row[0].isdigit()]


def devices_to_use(configured) -> list[str]:
    """config `gpus`: "auto" (every visible GPU) or a list of device ids."""
    if configured == "auto":
        return visible_gpus()
    return [str(device) for device in configured]


def scheduler_assigns_devices() -> bool:
    """On a cluster the scheduler picks the GPU (and sets CUDA_VISIBLE_DEVICES): stay out of it."""
    return any(name in os.environ for name in ("SLURM_JOB_ID", "PBS_JOBID", "LSB_JOBID"))


class Slot:
    """A held slot (or, for a job retried alone, every slot of its device); release() or the
    end of the process frees it."""

    def __init__(self, device: str, index: int, handle, alone: bool = False):
        self.device, self.index, self.alone = device, index, alone
        self.sharing = 1  # jobs on this device when it started (itself included)
        self._handles = handle if isinstance(handle, list) else [handle]

    def release(self) -> None:
        for handle in self._handles:
            if handle is not None:
                handle.close()  # closing the file drops the OS lock
        self._handles = []


def _slot_file(device: str, index: int) -> Path:
    return SLOTS_DIR / f"gpu{device}-slot{index}.lock"


def _reserved(device: str) -> bool:
    """A job retried alone after CUDA ran out of memory is waiting for this whole device."""
    handle = try_lock(SLOTS_DIR / f"gpu{device}-alone.lock")
    if handle is None:
        return True
    handle.close()
    return False


def held_on(device: str, most: int = 64) -> int:
    """How many slots of `device` other processes hold now (its jobs at once)."""
    held = 0
    for index in range(most):
        if not _slot_file(device, index).exists():
            continue
        handle = try_lock(_slot_file(device, index))
        if handle is None:
            held += 1
        else:
            handle.close()
    return held


def slot_counts(devices, jobs_per_gpu) -> dict[str, int]:
    """Slots per device, from one number for all or one per device."""
    if isinstance(jobs_per_gpu, dict):
        return {device: max(1, int(jobs_per_gpu.get(device, 1))) for device in devices}
    return dict.fromkeys(devices, max(1, int(jobs_per_gpu)))


def _try_shared(devices, counts: dict[str, int], most: int | None) -> Slot | None:
    # Fill each device once before sharing any: slot 0 of every device first.
    for index in range(max(counts.values())):
        for device in devices:
            if index >= counts[device] or _reserved(device):
                continue
            if most and held_on(device, counts[device]) >= most:
                continue  # learned: fewer jobs than slots fit on one GPU
            handle = try_lock(_slot_file(device, index))
            if handle is not None:
                return Slot(device, index, handle)
    return None


def _try_alone(devices, counts: dict[str, int], held: dict) -> Slot | None:
    """Reserve one device, then take its slots in order as they free up (no other job takes
    one meanwhile: they skip a reserved device). None until every slot is held."""
    if not held:
        for device in devices:
            handle = try_lock(SLOTS_DIR / f"gpu{device}-alone.lock")
            if handle is not None:
                held.update(device=device, handles=[handle])
                break
        else:
            return None
    device, handles = held["device"], held["handles"]
    while len(handles) - 1 < counts[device]:
        handle = try_lock(_slot_file(device, len(handles) - 1))
        if handle is None:
            return None
        handles.append(handle)
    return Slot(device, 0, handles, alone=True)


def acquire(
    devices: list[str],
    jobs_per_gpu,
    wait_s: float = 3600,
    log=None,
    alone: bool = False,
    most_per_gpu=lambda: None,
) -> Slot:
    """The first free slot; waits (Snakemake's gpu resource normally makes that unnecessary).

    `jobs_per_gpu`: slots per device (a number, or one per device). `most_per_gpu()` is asked
    at every look: a lower number learned meanwhile (CUDA out of memory) leaves slots unused.
    `alone`: every slot of one device, for a job retried after CUDA ran out of memory. The
    wait counts only while no device is reserved that way (a job alone can take hours)."""
    SLOTS_DIR.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_s
    told = False
    held: dict = {}
    while True:
        counts = slot_counts(devices, jobs_per_gpu)
        if alone:
            slot = _try_alone(devices, counts, held)
        else:
            slot = _try_shared(devices, counts, most_per_gpu())
        if slot is not None:
            return slot
        if alone or any(_reserved(device) for device in devices):
            deadline = time.monotonic() + wait_s
        if time.monotonic() > deadline:
            raise TimeoutError(f"no free GPU slot among devices {devices} after {wait_s:.0f} s")
        if log is not None and not told:
            what = "the whole GPU" if alone else "a slot"
            print(f"Every GPU slot is taken; waiting for {what} to free up.", file=log, flush=True)
            told = True
        time.sleep(1 if alone else 2)
