"""Snakemake script: track one job with idtracker.ai and judge the session by its outputs.

Plain-Python entry point: `track(...)`. The job's session folder is made from scratch every
time (a stale one from a killed run is removed), except a session validated by hand, which
is never touched: the job then stops and says how to re-track on purpose.
"""

import json
import os
import shutil
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))  # sibling modules, also when run by hand

import gpu_slots
import session_check
import tracker_process
from layout import SESSION, WORKDIR, job_id, job_path


class TrackingFailed(Exception):
    pass


def idtrackerai_command(configured: list[str]) -> list[str]:
    """The configured command, or the idtrackerai installed next to this Python."""
    if configured:
        return list(configured)
    scripts = Path(sys.executable).parent
    for name in ("idtrackerai", "idtrackerai.exe"):
        if (scripts / name).exists():
            return [str(scripts / name)]
    found = shutil.which("idtrackerai")
    if not found:
        raise TrackingFailed(
            "idtracker.ai is not installed in this environment. Set it up again: delete the"
            " .venv folder and run `python3 tasks.py setup` (with Pixi: `pixi install`)."
        )
    return [found]


def choose_device(configured: str) -> tuple[str, str]:
    """(value for idtracker.ai's --device, a line for the log).

    Asks nvidia-smi rather than PyTorch: importing torch here would cost seconds per job, and
    idtracker.ai's own log says which device it really used (see `device_used`).
    """
    if configured != "auto":
        return configured, f"Device: {configured} (set in config/config.yaml)"
    gpus = gpu_slots.visible_gpus()
    if gpus:
        return "", f"Device: automatic; NVIDIA GPU {', '.join(gpus)} visible"
    return "", (
        "WARNING: no NVIDIA GPU visible: tracking runs on CPU, which is very slow for"
        " identities. Run `pixi run check-gpu` to see why."
    )


def device_used(session_log: str) -> str:
    """What idtracker.ai's log says about the device its networks ran on."""
    if "No graphic device was found" in session_log:
        return "cpu"
    for line in session_log.splitlines():
        if "device.py" in line and "Using PyTorch" not in line:
            return " ".join(line.replace("device.py", "").split()[1:]).strip() or "GPU"
    return "unknown"


def pin_gpu(device: str, gpus, jobs_per_gpu: int, log, job_name: str) -> gpu_slots.Slot | None:
    """Hold a GPU slot for this job and show idtracker.ai only that device."""
    if device not in ("auto", "cuda"):
        return None  # CPU, or a device named in config/config.yaml
    if gpu_slots.scheduler_assigns_devices():
        visible = os.environ.get("CUDA_VISIBLE_DEVICES", "all")
        print(f"GPU chosen by the cluster scheduler (CUDA_VISIBLE_DEVICES={visible})", file=log)
        return None
    devices = gpu_slots.devices_to_use(gpus)
    if not devices:
        return None
    try:
        slot = gpu_slots.acquire(devices, jobs_per_gpu, log=log)
    except TimeoutError as error:
        raise TrackingFailed(
            f"Job {job_name}: {error}; every GPU slot ({gpu_slots.SLOTS_DIR}) was held by other"
            " tracking jobs the whole time. Nothing was tracked.\nWhat to do: check with"
            " `nvidia-smi` for trackers left running, or lower `gpus`/`jobs_per_gpu` in"
            " config/config.yaml, then run `pixi run track` again."
        ) from None
    # Set here too, so this process's own GPU check touches only that device.
    os.environ["CUDA_VISIBLE_DEVICES"] = slot.device
    print(
        f"GPU {slot.device} for this job (slot {slot.index + 1} of {jobs_per_gpu}):"
        f" CUDA_VISIBLE_DEVICES={slot.device}",
        file=log,
    )
    return slot


def refuse_if_validated(session: Path, job_name: str, settings: Path, tracked: Path) -> None:
    when = session_check.validated_on(session)
    if when is None:
        return
    aside = session.with_name(f"{session.name}.validated")
    raise TrackingFailed(
        f"Job {job_name}: its session {session} was validated by hand on {when}, and its settings"
        f" ({settings}) or video changed since, so it would be tracked again."
        " Nothing was deleted.\n"
        f"To keep the validated result and stop this: snakemake --touch"
        f" --workflow-profile workflow/profiles/default {tracked}\n"
        f"To track again on purpose: move the session aside (e.g. rename it to {aside}) and run"
        f" `pixi run track` again."
    )


def track(
    settings: Path,
    session: Path,
    workdir: Path,
    job_name: str,
    tracked: Path,
    log,
    device: str = "auto",
    threads: int = 4,
    data_policy: str = "idmatcher.ai",
    command: list[str] = (),
    gpus="auto",
    jobs_per_gpu: int = 1,
) -> dict:
    """Track one job; return what the tracked-marker file records. Raises TrackingFailed."""
    settings, session, workdir = Path(settings).resolve(), Path(session), Path(workdir)
    refuse_if_validated(session, job_name, settings, tracked)
    if tracker_process.kill_leftover(workdir):
        print("Stopped a tracker left running by an interrupted run.", file=log)
    for stale in (session, workdir):
        if stale.exists():
            print(f"Removing {stale} from an earlier attempt.", file=log)
            shutil.rmtree(stale)
    session.parent.mkdir(parents=True, exist_ok=True)
    slot = pin_gpu(device, gpus, jobs_per_gpu, log, job_name)
    try:
        return _run_and_judge(
            settings, session, workdir, job_name, log, device, threads, data_policy, command
        )
    finally:
        if slot is not None:
            slot.release()


def _run_and_judge(
    settings, session, workdir, job_name, log, device, threads, data_policy, command
) -> dict:
    device_flag, device_note = choose_device(device)
    print(device_note, file=log)

    cmd = idtrackerai_command(list(command)) + [
        "--load", str(settings),
        "--name", session.name.removeprefix("session_"),
        "--output_dir", str(session.parent.resolve()),
        "--number_of_parallel_workers", str(threads),
        "--data_policy", data_policy,
        "--track",
    ]  # fmt: skip
    if device_flag:
        cmd[-1:-1] = ["--device", device_flag]
    env = dict(os.environ, IDTRACKERAI_DISABLE_ANALYTICS="true", OMP_NUM_THREADS=str(threads))
    print("Running: " + " ".join(cmd), file=log)
    print(f"Working directory: {workdir}", file=log, flush=True)
    started = time.time()
    status = tracker_process.run(cmd, workdir, env, log)
    seconds = round(time.time() - started, 1)

    success, reasons = session_check.verdict(session, workdir / "idtrackerai.log")
    print(f"\nidtracker.ai exited with status {status} after {seconds} s.", file=log)
    if not success:
        raise TrackingFailed(
            f"Job {job_name}: idtracker.ai did not produce a usable session.\n"
            + "\n".join(f"  {reason}" for reason in reasons)
            + f"\nSettings used: {settings}. Fix what the CRITICAL lines say, then run"
            " `pixi run track` again: this job is retried automatically."
        )
    return {
        "job": job_name,
        "settings": str(settings),
        "session": str(session),
        "started": datetime.fromtimestamp(started, UTC).isoformat(timespec="seconds"),
        "seconds": seconds,
        "device": device_used(session_check.session_log(session, workdir / "idtrackerai.log")),
        "estimated_accuracy": session_check.estimated_accuracy(session),
        "idtrackerai_exit_status": status,
    }


def write_json(path: Path, data: dict) -> None:
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(data, indent=2) + "\n")
    partial.replace(path)


def main(smk) -> None:
    video, job = smk.wildcards.video, smk.wildcards.job
    job_name = job_id(video, job)
    session = job_path(SESSION, video, job)
    with open(smk.log[0], "w", encoding="utf-8", buffering=1) as log:
        try:
            record = track(
                smk.input.settings,
                session,
                job_path(WORKDIR, video, job),
                job_name,
                Path(smk.output.tracked),
                log,
                device=smk.config["device"],
                threads=smk.threads,
                data_policy=smk.config["data_policy"],
                command=smk.config["idtrackerai_command"],
                gpus=smk.config["gpus"],
                jobs_per_gpu=smk.config["jobs_per_gpu"],
            )
        except TrackingFailed as error:
            print(f"\n{error}", file=log)
            sys.exit(1)
        write_json(Path(smk.output.tracked), record)
        print(f"Success: session {session}", file=log)


if __name__ == "__main__" and "snakemake" in globals():
    main(snakemake)  # noqa: F821
