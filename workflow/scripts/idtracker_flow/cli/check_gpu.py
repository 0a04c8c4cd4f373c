"""Say whether tracking will use a GPU, and if not, the likely reason.

    python workflow/scripts/flow.py check-gpu

idtracker.ai silently falls back to the CPU (only a warning in its log), which makes tracking
with identities impractically slow. This prints what PyTorch sees and a plain verdict.
`probe()` gathers the facts; `verdict()` is a pure function of them, so every cause is testable.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import warnings
from dataclasses import dataclass, field
from pathlib import Path

USES_GPU = "tracking will use the GPU"
USES_CPU = "tracking will run on CPU (slow)"
# The PyPI torch builds for CUDA 13.0 (requirements.txt) need this NVIDIA driver series or newer.
MIN_DRIVER = "R580"


@dataclass
class GpuFacts:
    torch_version: str
    cuda_build: str | None  # torch.version.cuda; None for a CPU-only build
    cuda_available: bool
    # (name, memory in bytes) of each GPU torch can use
    devices: list[tuple[str, int]] = field(default_factory=list)
    cuda_visible_devices: str | None = None  # the environment variable; None when unset
    driver_version: str | None = None  # None when no NVIDIA driver was found
    cuda_warning: str | None = None  # what torch warned while looking for CUDA
    mps_available: bool = False  # Apple GPUs, which idtracker.ai also uses


@dataclass
class Verdict:
    uses_gpu: bool
    summary: str  # USES_GPU or USES_CPU, with the device or the reason
    advice: str = ""


def verdict(facts: GpuFacts) -> Verdict:
    if facts.cuda_available and facts.devices:
        name = facts.devices[0][0]
        extra = (
            f" ({len(facts.devices)} GPUs, each shared by as many jobs as it holds)"
            if len(facts.devices) > 1
            else ""
        )
        return Verdict(True, f"{USES_GPU}: {name}{extra}")
    if facts.mps_available:
        return Verdict(True, f"{USES_GPU}: Apple GPU (MPS)")

    if facts.cuda_build is None:
        return Verdict(
            False,
            f"{USES_CPU}: this PyTorch ({facts.torch_version}) is a CPU-only build.",
            "Install a CUDA build of PyTorch: delete the .venv folder and run"
            " `python3 tasks.py setup` (with Pixi: `pixi install`).",
        )
    visible = facts.cuda_visible_devices
    if visible is not None and visible.strip() in {"", "-1", "none", "NoDevFiles"}:
        return Verdict(
            False,
            f"{USES_CPU}: CUDA_VISIBLE_DEVICES is set to {visible!r}, which hides every GPU.",
            "Unset it (`unset CUDA_VISIBLE_DEVICES`) or set it to a GPU number, e.g. 0.",
        )
    if facts.driver_version is None:
        return Verdict(
            False,
            f"{USES_CPU}: no NVIDIA driver was found (no GPU, or its driver is not installed).",
            f"On a machine with an NVIDIA GPU, install its driver ({MIN_DRIVER} series or newer"
            f" for this PyTorch, built for CUDA {facts.cuda_build}), then restart.",
        )
    if visible:
        cause = f"CUDA_VISIBLE_DEVICES={visible!r} may name GPUs that do not exist"
        advice = "Check the GPU numbers with `nvidia-smi`, or unset CUDA_VISIBLE_DEVICES."
    else:
        cause = f"NVIDIA driver {facts.driver_version} is installed but PyTorch cannot use it"
        advice = (
            f"This PyTorch is built for CUDA {facts.cuda_build}: the driver may be too old"
            f" (it needs {MIN_DRIVER} or newer). Update the driver and restart."
        )
    if facts.cuda_warning:
        cause += f" (PyTorch says: {facts.cuda_warning})"
    return Verdict(False, f"{USES_CPU}: {cause}.", advice)


def driver_version() -> str | None:
    """The NVIDIA driver's version, or None when no driver is installed."""
    proc_file = Path("/proc/driver/nvidia/version")
    if proc_file.exists():  # Linux: present exactly when the kernel module is loaded
        words = proc_file.read_text(errors="replace").split()
        return next((w for w in words if w[:1].isdigit() and "." in w), "unknown version")
    smi = shutil.which("nvidia-smi")
    if smi is None:
        return None
    try:
        out = subprocess.run(
            [smi, "--query-gpu=driver_version", "--format=csv,noheader"],
            check=False, capture_output=True, text=True, timeout=20,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = out.stdout.split()
    return lines[0] if out.returncode == 0 and lines else None


def probe() -> GpuFacts:
    import torch

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        available = torch.cuda.is_available()
    devices = []
    if available:
        for index in range(torch.cuda.device_count()):
            props = torch.cuda.get_device_properties(index)
            devices.append((props.name, props.total_memory))
    mps = getattr(torch.backends, "mps", None)
    return GpuFacts(
        torch_version=torch.__version__,
        cuda_build=torch.version.cuda,
        cuda_available=available,
        devices=devices,
        cuda_visible_devices=os.environ.get("CUDA_VISIBLE_DEVICES"),
        driver_version=driver_version(),
        cuda_warning=" ".join(str(w.message).strip() for w in caught) or None,
        mps_available=bool(mps and mps.is_available()),
    )


def report(facts: GpuFacts) -> str:
    gib = 1024**3
    visible = (
        "(not set)" if facts.cuda_visible_devices is None else repr(facts.cuda_visible_devices)
    )
    lines = [
        f"PyTorch:              {facts.torch_version}",
        f"Built for CUDA:       {facts.cuda_build or 'no (CPU-only build)'}",
        f"NVIDIA driver:        {facts.driver_version or 'not found'}",
        f"CUDA_VISIBLE_DEVICES: {visible}",
        f"CUDA available:       {'yes' if facts.cuda_available else 'no'}",
        f"GPUs visible:         {len(facts.devices)}",
    ]
    lines += [
        f"  GPU {i}: {name}, {memory / gib:.1f} GiB"
        for i, (name, memory) in enumerate(facts.devices)
    ]
    if facts.mps_available:
        lines.append("Apple GPU (MPS):      available")
    found = verdict(facts)
    lines += ["", f"Verdict: {found.summary}"]
    if found.advice:
        lines.append(f"What to do: {found.advice}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    import argparse

    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args(argv)
    print(report(probe()))
    return 0  # a CPU-only machine is a fact to report, not an error
