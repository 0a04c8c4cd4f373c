"""Give each running tracking job a GPU of its own (Snakemake only counts GPUs, never names one).

A slot is one place on one device (`jobs_per_gpu` slots per device). A job takes the first free
slot by locking its file with an OS lock, which the OS releases when the job's process ends in any
way (crash, kill -9): no stale lock can block the next run. The job's idtracker.ai then sees only
its device through CUDA_VISIBLE_DEVICES.
"""

import os
import shutil
import subprocess
import time
from pathlib import Path

from idtracker_flow.tracking.file_lock import try_lock

SLOTS_DIR = Path(".snakemake/gpu-slots")


def visible_gpus() -> list[str]:
    """GPUs this process may use: CUDA_VISIBLE_DEVICES when set, else what nvidia-smi lists."""
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None:
        return [d.strip() for d in visible.split(",") if d.strip() and d.strip() != "-1"]
    if not shutil.which("nvidia-smi"):
        return []
    try:
        listing = subprocess.run(
            ["nvidia-smi", "--query-gpu=index", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            timeout=20,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return [line.strip() for line in listing.splitlines() if line.strip().isdigit()]


def devices_to_use(configured) -> list[str]:
    """config `gpus`: "auto" (every visible GPU) or a list of device ids."""
    if configured == "auto":
        return visible_gpus()
    return [str(device) for device in configured]


def scheduler_assigns_devices() -> bool:
    """On a cluster the scheduler picks the GPU (and sets CUDA_VISIBLE_DEVICES): stay out of it."""
    return any(name in os.environ for name in ("SLURM_JOB_ID", "PBS_JOBID", "LSB_JOBID"))


class Slot:
    """A held slot; release() or the end of the process frees it."""

    def __init__(self, device: str, index: int, handle):
        self.device, self.index, self._handle = device, index, handle

    def release(self) -> None:
        if self._handle is not None:
            self._handle.close()  # closing the file drops the OS lock
            self._handle = None


def acquire(devices: list[str], jobs_per_gpu: int, wait_s: float = 3600, log=None) -> Slot:
    """The first free slot; waits (Snakemake's gpu resource normally makes that unnecessary)."""
    SLOTS_DIR.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_s
    told = False
    while True:
        # Fill each device once before sharing any: slot 0 of every device first.
        for index in range(jobs_per_gpu):
            for device in devices:
                handle = try_lock(SLOTS_DIR / f"gpu{device}-slot{index}.lock")
                if handle is not None:
                    return Slot(device, index, handle)
        if time.monotonic() > deadline:
            raise TimeoutError(f"no free GPU slot among devices {devices} after {wait_s:.0f} s")
        if log is not None and not told:
            print("Every GPU slot is taken; waiting for one to free up.", file=log, flush=True)
            told = True
        time.sleep(2)
