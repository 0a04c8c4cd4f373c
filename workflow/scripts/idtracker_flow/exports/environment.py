"""What a tracking job ran on, captured by the tracking step itself (on the machine that
tracked: a cluster node's GPU and versions, not the login node's).

Cheap on purpose (well under a second): versions from the installed packages' metadata and
torch's version file rather than importing torch, the GPU from nvidia-smi.
"""

import importlib.metadata
import importlib.util
import os
import platform
import re
import socket
import subprocess
from pathlib import Path

import idtracker_flow
from idtracker_flow.exports import lock
from idtracker_flow.project import layout

PACKAGES = ("idtrackerai", "snakemake", "torch", "torchvision", "numpy", "movement")


def package_versions() -> dict:
    versions = {"idtracker-flow": idtracker_flow.__version__, "python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    versions["torch_cuda_build"] = torch_cuda_build()
    return versions


def torch_cuda_build() -> str | None:
    """The CUDA version torch was built for ('13.0'; None for a CPU build), from torch's
    generated version.py, without importing torch (seconds)."""
    spec = importlib.util.find_spec("torch")
    if spec is None or not spec.origin:
        return None
    version_file = Path(spec.origin).with_name("version.py")
    try:
        match = re.search(r"^cuda\s*(?::[^=]*)?=\s*'([^']*)'", version_file.read_text(), re.M)
    except OSError:
        return None
    return match[1] if match else None


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(layout.WORKFLOW_DIR), *args],
            capture_output=True,
            text=True,
            timeout=20,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def workflow_source() -> dict:
    """The workflow's version and git commit, and whether its tracked files were edited."""
    commit = _git("rev-parse", "HEAD")
    if commit is None:
        return {"version": idtracker_flow.__version__, "commit": "not a git checkout"}
    changed = _git("status", "--porcelain", "--untracked-files=no", "--", str(layout.WORKFLOW_DIR))
    return {
        "version": idtracker_flow.__version__,
        "commit": commit,
        "workflow_files_edited": bool(changed),
    }


def gpu(device: str | None) -> dict | None:
    """Model and driver of the GPU the job used (None on a CPU), from nvidia-smi."""
    from idtracker_flow.tracking.gpu_memory import nvidia_smi_rows

    if not device or not device.startswith("cuda"):
        return None
    gpus = nvidia_smi_rows("--query-gpu=index,name,driver_version") or []
    visible = os.environ.get("CUDA_VISIBLE_DEVICES", "").split(",")[0].strip()
    for fields in gpus:
        if len(fields) == 3 and (not visible or fields[0] == visible):
            return {"index": fields[0], "model": fields[1], "driver": fields[2]}
    return None


def capture(device: str | None) -> dict:
    return {
        "host": socket.gethostname(),
        "platform": platform.platform(),
        "workflow": workflow_source(),
        "software": package_versions(),
        "lock": lock.record(),  # every package's version: requirements.lock, by its digest
        "gpu": gpu(device),
    }
