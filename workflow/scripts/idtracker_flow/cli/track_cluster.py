"""`pixi run track-cluster`: Snakemake with the SLURM profile, and the calm console.

Usage: python workflow/scripts/flow.py track-cluster [snakemake options and targets]
Snakemake stays on the login node and submits each tracking job to SLURM; the console
(`--verbose` for Snakemake's full output) reads the jobs' logs on the shared file system.
"""

import subprocess

from idtracker_flow.console import launch

PROFILE = ["--workflow-profile", "workflow/profiles/slurm"]


def main(args: list[str]) -> int:
    command = [*launch.snakemake_command(args), *PROFILE, *launch.logger_args(args)]
    process = subprocess.Popen(command, env=launch.environment(args))
    while True:
        try:
            return process.wait()
        except KeyboardInterrupt:
            continue  # Snakemake got it too (same terminal): it cancels its SLURM jobs
