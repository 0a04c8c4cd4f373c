"""Analyse one DeepLabCut job: the rule `track` for a settings file with tracker = "deeplabcut".

The same discipline as an idtracker.ai job (tracking/run.py): a GPU slot, the session folder
made from scratch, a watchdog, a verdict from the outputs. DeepLabCut runs in its own
environment (environment.py) as workflow/scripts/deeplabcut_analyze.py, which writes the
stitched tracks to <session>/tracks.h5 and what it used to <session>/deeplabcut.json.
"""

import os
import time
import tomllib
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from idtracker_flow.deeplabcut import environment, job_settings, model, tracks_file
from idtracker_flow.project import layout
from idtracker_flow.qc.metrics import read_session_info
from idtracker_flow.settings import reader
from idtracker_flow.tracking import gpu_memory, retry
from idtracker_flow.tracking import process as tracker_process
from idtracker_flow.tracking.run import TrackingFailed, check_free_space, pin_gpu, start_afresh
from idtracker_flow.tracking.watchdog import Limits

RUNNER = layout.WORKFLOW_DIR / "scripts" / "deeplabcut_analyze.py"
TRACKS = "tracks.h5"
SUMMARY = "deeplabcut.json"
DESTFOLDER = "deeplabcut"  # DeepLabCut's own files (pickles), kept for its tracklet GUI


def is_deeplabcut_job(repaired_settings: Path) -> bool:
    with open(repaired_settings, "rb") as handle:
        return job_settings.is_deeplabcut(tomllib.load(handle))


def device_argument(configured: str) -> str:
    """config `device` as DeepLabCut's: auto lets its pytorch_config decide (cuda if there)."""
    return configured if configured in ("cpu", "cuda") or configured.startswith("cuda:") else "auto"


def runner_command(python: Path, settings: dict, session: Path, device: str) -> list[str]:
    options = job_settings.options(settings)
    command = [
        str(python), str(RUNNER),
        "--config", settings["project"],
        "--video", reader.video_paths(settings)[0],
        "--workdir", str(session / DESTFOLDER),
        "--output", str(session / TRACKS),
        "--summary", str(session / SUMMARY),
        "--shuffle", str(options["shuffle"]),
        "--device", device_argument(device),
    ]  # fmt: skip
    for key in ("trainingsetindex", "snapshot_index", "n_tracks", "track_method", "batch_size"):
        if options[key] is not None:
            command += [f"--{key.replace('_', '-')}", str(options[key])]
    return command


def analyse(
    repaired_settings: Path,
    session: Path,
    workdir: Path,
    job_name: str,
    log,
    device: str = "auto",
    threads: int = 4,
    python: str = "auto",
    gpus="auto",
    jobs_per_gpu="auto",
    limits: Limits | None = None,
    alone: bool = False,
) -> dict:
    """Analyse one DeepLabCut job; return what the tracked-marker file records."""
    # Absolute: DeepLabCut runs in the work folder, and these paths are relative to the project.
    repaired_settings = Path(repaired_settings).resolve()
    session, workdir = Path(session).resolve(), Path(workdir).resolve()
    with open(repaired_settings, "rb") as handle:
        settings = tomllib.load(handle)
    try:
        interpreter = environment.deeplabcut_python(python)
        options = job_settings.options(settings)
        expected = model.snapshot(
            Path(settings["project"]),
            options["shuffle"],
            options["snapshot_index"],
            options["trainingsetindex"],
        )
    except (environment.NoDeepLabCut, model.ModelMissing) as error:
        raise TrackingFailed(f"Job {job_name}: {error}") from None
    start_afresh(session, workdir, log)
    session.mkdir(parents=True)
    limits = limits or Limits()
    check_free_space(limits, job_name)
    slot = pin_gpu(device, gpus, jobs_per_gpu, log, job_name, alone)
    try:
        record = _run_and_judge(
            interpreter, settings, session, workdir, job_name, log, device, threads, limits,
            expected,
        )  # fmt: skip
        return {**record, "settings": str(repaired_settings)}
    finally:
        if slot is not None:
            slot.release()


def _run_and_judge(
    python, settings, session, workdir, job_name, log, device, threads, limits, expected
) -> dict:
    command = runner_command(python, settings, session, device)
    # Offline: DeepLabCut would otherwise try to download pretrained weights it does not need.
    env = dict(os.environ, HF_HUB_OFFLINE="1", OMP_NUM_THREADS=str(threads))
    print(f"Model: {expected}", file=log)
    print("Running: " + " ".join(command), file=log, flush=True)
    started = time.time()
    sampler = gpu_memory.PeakSampler()
    limits = replace(limits, progress=[workdir, session])
    status, stopped = tracker_process.run(
        command, workdir, env, log, limits, on_start=sampler.start
    )
    seconds = round(time.time() - started, 1)
    peak_mb = sampler.stop()
    print(f"\nDeepLabCut exited with status {status} after {seconds} s.", file=log)
    summary = read_session_info(session / SUMMARY)
    if stopped:
        raise TrackingFailed(f"Job {job_name}: {stopped}.")
    if status < 0:  # a signal: another attempt may succeed (out-of-memory killer, preemption)
        raise TrackingFailed(
            f"Job {job_name}: DeepLabCut was stopped by signal {-status}; `pixi run track`"
            " analyses it again.",
            transient=True,
        )
    problem = summary.get("error")
    if status != 0 and not problem:
        problem = f"DeepLabCut stopped (exit status {status}). Its last lines:\n" + last_lines(log)
    if problem := problem or tracks_file.problem(session / TRACKS):
        raise TrackingFailed(
            f"Job {job_name}: DeepLabCut did not produce tracks.\n  {problem}",
            transient=retry.CUDA_OUT_OF_MEMORY in problem,
        )
    used = summary.get("snapshot")
    if used and Path(used).resolve() != expected.resolve():
        print(f"Note: DeepLabCut used {used}, not {expected} as the DAG expected.", file=log)
    return {
        "job": job_name,
        "tracker": job_settings.DEEPLABCUT,
        "session": str(session),
        "started": datetime.fromtimestamp(started, UTC).isoformat(timespec="seconds"),
        "seconds": seconds,
        "device": summary.get("device"),
        "estimated_accuracy": None,
        "deeplabcut_exit_status": status,
        "peak_gpu_memory_mb": peak_mb,
        "deeplabcut": summary,
    }


def last_lines(log, count: int = 8) -> str:
    """The end of the job's log (DeepLabCut's traceback), for the failure message: the log
    itself is replaced when Snakemake tries the job again."""
    try:
        log.flush()
        lines = Path(log.name).read_text(encoding="utf-8", errors="replace").splitlines()
    except (OSError, AttributeError):
        return "    (see the log)"
    kept = [line for line in lines if line.strip()][-count:]
    return "\n".join(f"    {line}" for line in kept)
