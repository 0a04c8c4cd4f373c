"""`pixi run track`: Snakemake with the project's profile, one job per GPU, no stale lock.

Usage: python workflow/scripts/flow.py track [snakemake options and targets]
A run killed with kill -9 leaves Snakemake's lock behind; this removes it when the process
that held it is gone, and refuses to start a second run while the first is still working.
"""

import subprocess
import sys
import time
from pathlib import Path

from idtracker_flow.project.config import CONFIG, read_config
from idtracker_flow.tracking import gpu_slots, run_lock

PROFILE = ["--workflow-profile", "workflow/profiles/default"]


def snakemake(*args: str) -> int:
    return subprocess.run([sys.executable, "-m", "snakemake", *PROFILE, *args]).returncode


def gpu_resources(args: list[str], config_file: Path = CONFIG) -> list[str]:
    """One tracking job per GPU slot on this machine, unless the user set --resources."""
    if any(arg.startswith("--resources") or arg == "--res" for arg in args):
        return []
    config = read_config(config_file)
    if config["device"] not in ("auto", "cuda"):
        return []
    slots = len(gpu_slots.devices_to_use(config["gpus"])) * config["jobs_per_gpu"]
    return ["--resources", f"gpu={slots}"] if slots > 1 else []


def main(args: list[str]) -> int:
    if (running := run_lock.running_run()) is not None:
        started = time.strftime("%Y-%m-%d %H:%M", time.localtime(running["started"]))
        print(
            f"Another tracking run (process {running['pid']} on {running['host']}, started"
            f" {started}) is working in this project folder. Wait for it to finish, or stop it"
            " (Ctrl+C in its window), then run this again. If that run is gone (its machine"
            " restarted, say), delete .snakemake/idtracker-flow-run.json and run"
            " `snakemake --unlock`, then this again."
        )
        return 1
    if (stale := run_lock.stale_lock()) is not None:
        started = time.strftime("%Y-%m-%d %H:%M", time.localtime(stale["started"]))
        print(
            f"The run started {started} was interrupted; removing the lock it left behind."
            " Its unfinished jobs are redone now."
        )
        if snakemake("--unlock", "--quiet") != 0:
            print("Could not remove the lock: see Snakemake's message above.")
            return 1
        run_lock.forget_run()
    return snakemake(*gpu_resources(args), *args)
