"""`pixi run track`: Snakemake with the project's profile, jobs sized to the machine, no stale lock.

Usage: python workflow/scripts/flow.py track [snakemake options and targets]
A run killed with kill -9 leaves Snakemake's lock behind; this removes it when the process
that held it is gone, and refuses to start a second run while the first is still working
(from its first second: the launcher holds an OS lock for as long as its Snakemake runs).
"""

import subprocess
import time
from pathlib import Path

from idtracker_flow.console import launch
from idtracker_flow.project.config import CONFIG, read_config
from idtracker_flow.project.config_names import unknown_names
from idtracker_flow.project.jobs import discover_jobs, unusable_settings
from idtracker_flow.project.layout import REPOSITORY
from idtracker_flow.tracking import run_lock, run_plan
from idtracker_flow.tracking.file_lock import try_lock

# By its full path: the demo runs the launcher in its own project folder (demo/).
PROFILE = ["--workflow-profile", str(REPOSITORY / "workflow" / "profiles" / "default")]
LAUNCHER_LOCK = Path(".snakemake/idtracker-flow/launcher.lock")
UNLOCK = "`pixi run track --unlock` (without Pixi: `python3 tasks.py track --unlock`)"


def snakemake(*args: str) -> int:
    """Run Snakemake to its end. Ctrl+C reaches it too (same terminal): wait while it stops
    its jobs and cleans up, so the prompt comes back only when the run is over."""
    command = [*launch.snakemake_command(args), *PROFILE, *launch.logger_args(args)]
    process = subprocess.Popen(command, env=launch.environment(args))
    interrupted = False
    while True:
        try:
            status = process.wait()
            break
        except KeyboardInterrupt:
            interrupted = True
    if interrupted:
        print(
            "\nStopped (Ctrl+C). Finished jobs are kept; the ones that were running are redone"
            " by the next `pixi run track`."
        )
        return 130
    return status


def gpu_resources(args: list[str], config: dict) -> list[str]:
    """How many tracking jobs at once and their threads: tracking/run_plan.py (the rule is
    in tracking/sizing.py and docs/running.md), unless the user set --resources/--set-threads."""
    options, line = run_plan.snakemake_args(args, config)
    quiet = ("-n", "--dry-run", "--dryrun", "--unlock", "fix_paths", "copy_all")
    if line and not any(arg in quiet for arg in args):
        print(line, flush=True)
    return options


def _started(info: dict) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(info["started"]))


def refuse(info: dict | None) -> int:
    if info:
        who = f" (process {info['pid']} on {info['host']}, started {_started(info)})"
    else:
        who = ""
    print(
        f"Another tracking run{who} is working in this project folder. Wait for it to finish,"
        " or stop it (Ctrl+C in its window), then run this again. If that run is gone (its"
        " machine restarted, say), delete .snakemake/idtracker-flow-run.json and run"
        f" {UNLOCK}, then this again."
    )
    return 1


def preflight_lines(config: dict) -> list[str]:
    """What the run will leave out, said before it starts: settings names that are no job
    (a folder, a dead link, a name Snakemake cannot take) and config keys naming no video."""
    unusable = unusable_settings("settings")
    lines = [f"Not tracked: {why}" for _, _, why in unusable]
    folders = {video for video, _ in discover_jobs("settings")} | {v for v, _, _ in unusable}
    return lines + [f"Note: {line}" for line in unknown_names(config, folders)]


def main(args: list[str]) -> int:
    config = read_config(CONFIG)  # a broken config is one clear message, before Snakemake
    if "--unlock" not in args:
        for line in preflight_lines(config):
            print(line, flush=True)
    LAUNCHER_LOCK.parent.mkdir(parents=True, exist_ok=True)
    held = try_lock(LAUNCHER_LOCK)
    if held is None:
        return refuse(run_lock.running_run())
    try:
        if (running := run_lock.running_run()) is not None:
            return refuse(running)
        if (stale := run_lock.stale_lock()) is not None and "--unlock" not in args:
            print(
                f"The run started {_started(stale)} was interrupted; removing the lock it left"
                " behind. Its unfinished jobs are redone now."
            )
            if snakemake("--unlock", "--quiet") != 0:
                print("Could not remove the lock: see Snakemake's message above.")
                return 1
            run_lock.forget_run()
        status = snakemake(*gpu_resources(args, config), *args)
    finally:
        run_plan.forget()
        held.close()
    dry_run = any(arg in ("-n", "--dry-run", "--dryrun") for arg in args)
    if status == 0 and not dry_run and "--unlock" not in args and failed_jobs(config):
        return 1  # listed by the run's end, as status lists them: the run is not clean
    return status


def failed_jobs(config: dict) -> list[str]:
    """The jobs `pixi run status` calls failed (also ones Snakemake saw nothing to do for:
    a settings name that is no file, a copy or export that kept the previous files)."""
    from idtracker_flow.state import facts, verdict

    return [s.name for s in verdict.collect(facts.Project(config)) if s.state == "failed"]
