"""The launcher's side of the sizing (`pixi run track`): decide for this run how many tracking
jobs share each GPU and how many threads each gets, tell the jobs (a plan file) and Snakemake
(`--resources gpu=N`, `--set-threads track=N`), and say it in one line.

Snakemake's resources and threads are fixed for a run; what the jobs learn meanwhile (CUDA out
of memory) acts through gpu_slots, which every job asks before it takes a slot.
"""

import os

from idtracker_flow.project import layout
from idtracker_flow.project.jobs import discover_jobs
from idtracker_flow.tracking import gpu_slots, sizing


def _given(args: list[str], *flags: str) -> bool:
    return any(arg == flag or arg.startswith(flag + "=") for arg in args for flag in flags)


def jobs_to_track(config: dict) -> int:
    """Settings files without a tracking record newer than them (two file looks each: a
    tenth of a second for 10,000 jobs); an upper bound is enough here."""
    count = 0
    for video, job in discover_jobs("settings"):
        if layout.job_id(video, job) in config["skip"]:
            continue
        try:
            tracked = os.stat(layout.job_file(layout.TRACKED, video, job)).st_mtime
        except OSError:
            count += 1
            continue
        if os.stat(layout.job_file(layout.SETTINGS, video, job)).st_mtime > tracked:
            count += 1
    return count


def snakemake_args(args: list[str], config: dict) -> tuple[list[str], str | None]:
    """(Snakemake options, a line for the terminal or None). What the user typed wins."""
    on_gpu = config["device"] in ("auto", "cuda")
    if gpu_slots.scheduler_assigns_devices() or (not on_gpu and config["threads"] != "auto"):
        return [], None
    devices = gpu_slots.devices_to_use(config["gpus"]) if on_gpu else []
    pending = jobs_to_track(config) or None
    chosen = sizing.for_this_machine(devices, config["jobs_per_gpu"], config["threads"], pending)
    sizing.write_plan(chosen)
    # One word each (--option=value): these options take several values, and the targets
    # that follow them on the command line would be read as more values.
    options = []
    if chosen.jobs_at_once > 1 and not _given(args, "--resources", "--res"):
        options.append(f"--resources=gpu={chosen.jobs_at_once}")
    if config["threads"] == "auto" and not _given(args, "--set-threads"):
        options.append(f"--set-threads=track={chosen.threads}")
    return options, sizing.describe(chosen)


def forget() -> None:
    """The plan holds for one run: plain `snakemake` afterwards decides again."""
    sizing.PLAN.unlink(missing_ok=True)
