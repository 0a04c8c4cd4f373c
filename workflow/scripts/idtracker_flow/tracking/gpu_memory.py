"""GPU memory as NVIDIA's driver reports it: each GPU's total and free memory, and what a process
group (the tracker and its worker processes) holds, sampled while it runs to keep the peak.

NVML (the `nvidia-ml-py` package, imported only when asked: most commands never need it) is
asked first; `nvidia-smi` is the fallback. Both are absent on a machine without an NVIDIA
driver: then there are no GPUs and no reading (None), never an error.
"""

import os
import shutil
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Gpu:
    index: str
    total_mb: float
    free_mb: float


def _nvml():
    """The initialised pynvml module, or None (not installed, no driver)."""
    try:
        import pynvml

        pynvml.nvmlInit()
    except Exception:  # ImportError, NVMLError (no libnvidia-ml, no driver)
        return None
    return pynvml


def nvidia_smi_rows(*query: str) -> list[list[str]] | None:
    """Rows of an nvidia-smi CSV query, or None when it cannot answer."""
    if not shutil.which("nvidia-smi"):
        return None
    try:
        done = subprocess.run(
            ["nvidia-smi", *query, "--format=csv,noheader,nounits"],
            capture_output=True,
            text=True,
            timeout=20,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return [[cell.strip() for cell in line.split(",")] for line in done.stdout.splitlines() if line]


def gpus() -> list[Gpu]:
    """Every GPU the driver shows, with total and free memory in MB."""
    nvml = _nvml()
    if nvml is not None:
        found = []
        for index in range(nvml.nvmlDeviceGetCount()):
            info = nvml.nvmlDeviceGetMemoryInfo(nvml.nvmlDeviceGetHandleByIndex(index))
            found.append(Gpu(str(index), info.total / 2**20, info.free / 2**20))
        return found
    rows = nvidia_smi_rows("--query-gpu=index,memory.total,memory.free") or []
    found = []
    for row in rows:
        try:
            found.append(Gpu(row[0], float(row[1]), float(row[2])))
        except (IndexError, ValueError):
            continue  # "[N/A]" on some virtual GPUs
    return found


def used_by_process(nvml=None) -> dict[int, float] | None:
    """GPU memory (MB) of every process using a GPU, by pid; None when nothing can tell."""
    if nvml is not None:
        used: dict[int, float] = {}
        for index in range(nvml.nvmlDeviceGetCount()):
            handle = nvml.nvmlDeviceGetHandleByIndex(index)
            for proc in nvml.nvmlDeviceGetComputeRunningProcesses(handle):
                if proc.usedGpuMemory is not None:  # None where the driver hides it
                    used[proc.pid] = used.get(proc.pid, 0.0) + proc.usedGpuMemory / 2**20
        return used
    rows = nvidia_smi_rows("--query-compute-apps=pid,used_memory")
    if rows is None:
        return None
    used = {}
    for row in rows:
        try:
            used[int(row[0])] = used.get(int(row[0]), 0.0) + float(row[1])
        except (IndexError, ValueError):
            continue
    return used


def group_members(pgid: int) -> set[int]:
    """Processes of a process group (the tracker runs in its own): field 5 of /proc/<pid>/stat."""
    members = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        if int(fields[2]) == pgid:
            members.add(int(stat.parent.name))
    return members


class PeakSampler:
    """Samples the GPU memory of a process group every few seconds while it runs; `peak_mb` is
    the largest sum seen, or None when no reading could be made (no driver, CPU only, or
    the group's processes not visible to the driver)."""

    def __init__(self, every_s: float = 2.0):
        self.every_s = every_s
        self.peak_mb: float | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, pgid: int) -> None:
        if os.name == "nt" or not (shutil.which("nvidia-smi") or _nvml_importable()):
            return
        self._thread = threading.Thread(target=self._sample, args=(pgid,), daemon=True)
        self._thread.start()

    def _sample(self, pgid: int) -> None:
        nvml = _nvml()
        if nvml is None and not shutil.which("nvidia-smi"):
            return  # nvidia-ml-py without a driver: nothing to read
        while True:
            self.sample_once(pgid, nvml)
            if self._stop.wait(self.every_s):
                return

    def sample_once(self, pgid: int, nvml=None) -> None:
        used = used_by_process(nvml)
        if used is None:
            return
        total = sum(mb for pid, mb in used.items() if pid in group_members(pgid))
        self.peak_mb = max(self.peak_mb or 0.0, total)

    def stop(self) -> float | None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        # 0 means none of the group's processes was found (a container hides their pids from
        # the driver): unknown, not "no memory", or the sizing would believe jobs are free.
        return round(self.peak_mb) if self.peak_mb else None


def _nvml_importable() -> bool:
    import importlib.util

    return importlib.util.find_spec("pynvml") is not None
