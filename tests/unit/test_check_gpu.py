"""`pixi run check-gpu`: the verdict for every cause (fabricated facts) and the real report."""

import os
import subprocess

import pytest
from conftest import REPO, run_task

from idtracker_flow.cli.check_gpu import USES_CPU, USES_GPU, GpuFacts, verdict


def facts(**changes) -> GpuFacts:
    """A CUDA build of torch on a machine with a working driver and no GPU in use, changed."""
    base = {
        "torch_version": "2.13.0+cu130",
        "cuda_build": "13.0",
        "cuda_available": False,
        "devices": [],
        "cuda_visible_devices": None,
        "driver_version": "580.65",
    }
    return GpuFacts(**{**base, **changes})


def test_a_visible_gpu_is_used():
    found = verdict(facts(cuda_available=True, devices=[("NVIDIA H100", 80 * 1024**3)]))
    assert found.uses_gpu
    assert found.summary == f"{USES_GPU}: NVIDIA H100"


def test_several_gpus_are_counted():
    found = verdict(facts(cuda_available=True, devices=[("A", 1), ("B", 1)]))
    assert found.uses_gpu and "2 GPUs" in found.summary


def test_apple_gpu_is_used():
    found = verdict(facts(cuda_build=None, driver_version=None, mps_available=True))
    assert found.uses_gpu and "MPS" in found.summary


def test_cpu_only_torch_build():
    found = verdict(facts(torch_version="2.13.0+cpu", cuda_build=None))
    assert not found.uses_gpu
    assert found.summary.startswith(f"{USES_CPU}: ")
    assert "CPU-only build" in found.summary and "2.13.0+cpu" in found.summary


@pytest.mark.parametrize("value", ["", "-1", " "])
def test_cuda_visible_devices_hiding_every_gpu(value):
    found = verdict(facts(cuda_visible_devices=value))
    assert not found.uses_gpu
    assert "CUDA_VISIBLE_DEVICES" in found.summary and "hides every GPU" in found.summary
    assert "unset CUDA_VISIBLE_DEVICES" in found.advice


def test_no_driver():
    found = verdict(facts(driver_version=None))
    assert not found.uses_gpu
    assert "no NVIDIA driver" in found.summary
    assert "R580" in found.advice


def test_driver_that_torch_cannot_use():
    warning = "The NVIDIA driver on your system is too old (found version 11040)."
    found = verdict(facts(driver_version="470.1", cuda_warning=warning))
    assert not found.uses_gpu
    assert "470.1" in found.summary and warning in found.summary
    assert "too old" in found.advice


def test_cuda_visible_devices_naming_missing_gpus():
    found = verdict(facts(cuda_visible_devices="3"))
    assert not found.uses_gpu and "CUDA_VISIBLE_DEVICES='3'" in found.summary


def run_check_gpu(**env) -> subprocess.CompletedProcess:
    return run_task(REPO, "check-gpu", timeout=120, env=env)


def test_real_report_on_this_machine():
    import torch

    result = run_check_gpu()
    assert result.returncode == 0, result.stderr
    assert f"PyTorch:              {torch.__version__}" in result.stdout
    verdict_line = next(line for line in result.stdout.splitlines() if line.startswith("Verdict:"))
    if torch.cuda.is_available():
        assert USES_GPU in verdict_line
    else:
        assert USES_CPU in verdict_line
        assert "What to do:" in result.stdout


@pytest.mark.skipif(
    os.path.exists("/proc/driver/nvidia/version"),
    reason="this machine has an NVIDIA driver",
)
def test_real_report_without_a_driver_names_the_cause():
    result = run_check_gpu()
    assert "NVIDIA driver:        not found" in result.stdout
    assert "no NVIDIA driver was found" in result.stdout or "CPU-only build" in result.stdout


def test_real_report_with_cuda_visible_devices_empty():
    import torch

    result = run_check_gpu(CUDA_VISIBLE_DEVICES="")
    assert "CUDA available:       no" in result.stdout
    if torch.version.cuda:  # with a CPU-only build that is the cause reported instead
        assert "CUDA_VISIBLE_DEVICES is set to ''" in result.stdout
