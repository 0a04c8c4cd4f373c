"""Running idtracker.ai for one job: what to check first, its command line, and the verdict
on its session, judged by its outputs (it exits 1 on success and 0 on a handled failure)."""

from pathlib import Path

from idtracker_flow.trackers.idtrackerai import command as idtracker_command
from idtracker_flow.trackers.idtrackerai import files, log, session
from idtracker_flow.trackers.protocol import (
    CUDA_OUT_OF_MEMORY,
    Command,
    Resources,
    RunFailed,
    RunRequest,
)


def refuse_if_validated(request: RunRequest) -> None:
    """A session validated by hand is hours of work: never removed to track again."""
    when = session.validated_on(request.session)
    if when is None:
        return
    aside = request.session.with_name(f"{request.session.name}.validated")
    raise RunFailed(
        f"Job {request.job_name}: its session {request.session} was validated by hand on {when},"
        f" and its settings ({request.settings_path}) or video changed since, so it would be"
        " tracked again. Nothing was deleted.\n"
        f"To keep the validated result and stop this: snakemake --touch"
        f" --workflow-profile workflow/profiles/default {request.tracked}\n"
        f"To track again on purpose: move the session aside (e.g. rename it to {aside}) and run"
        f" `pixi run track` again."
    )


def check(request: RunRequest) -> None:
    refuse_if_validated(request)
    try:
        request.found["command"] = idtracker_command.idtrackerai_command(
            list(request.config.get("idtrackerai_command") or [])
        )
    except idtracker_command.NotInstalled as error:
        raise RunFailed(f"Job {request.job_name}: {error}") from None


def choose_device(configured: str, visible_gpus: list[str]) -> tuple[str, str]:
    """(value for idtracker.ai's --device, a line for the log). idtracker.ai's own log says
    which device it really used (log.device_used)."""
    if configured != "auto":
        return configured, f"Device: {configured} (set in config/config.yaml)"
    if visible_gpus:
        return "", f"Device: automatic; NVIDIA GPU {', '.join(visible_gpus)} visible"
    return "", (
        "WARNING: no NVIDIA GPU visible: tracking runs on CPU, which is very slow for"
        " identities. Run `pixi run check-gpu` to see why."
    )


def contrastive_flag(settings: Path, contrastive_mb: int | None) -> list[str]:
    """Cap idtracker.ai's contrastive preload (by default a quarter of the RAM available when
    it starts, in every job at once) to this job's share, unless the settings set it."""
    if not contrastive_mb or "contrastive_max_mbytes" in Path(settings).read_text().lower():
        return []
    return ["--contrastive_max_mbytes", str(contrastive_mb)]


def command(request: RunRequest, resources: Resources) -> Command:
    device_flag, device_note = choose_device(resources.device, resources.visible_gpus)
    argv = list(request.found.get("command") or [])
    argv += [
        "--load", str(request.settings_path),
        "--name", request.session.name.removeprefix(files.SESSION_PREFIX),
        "--output_dir", str(request.session.parent.resolve()),
        "--number_of_parallel_workers", str(resources.threads),
        "--data_policy", request.config.get("data_policy", "idmatcher.ai"),
        *contrastive_flag(request.settings_path, resources.ram_share_mb),
        "--track",
    ]  # fmt: skip
    if device_flag:
        argv[-1:-1] = ["--device", device_flag]
    return Command(
        argv,
        env={"IDTRACKERAI_DISABLE_ANALYTICS": "true"},
        log_lines=[device_note, "Running: " + " ".join(argv)],
    )


def judge(request: RunRequest, status: int, job_log) -> dict:
    """idtracker.ai's part of the tracking record; raises RunFailed when the session is not
    usable."""
    cwd_log = request.workdir / files.LOG
    success, reasons = session.verdict(request.session, cwd_log)
    if not success:
        critical = any("CRITICAL" in reason for reason in reasons)
        advice = (
            "Fix what the CRITICAL lines say"
            if critical
            else "idtracker.ai stopped without saying why: read the end of this log"
        )
        raise RunFailed(
            f"Job {request.job_name}: idtracker.ai did not produce a usable session.\n"
            + "\n".join(f"  {reason}" for reason in reasons)
            + f"\nSettings used: {request.settings_path}. {advice}, then run"
            " `pixi run track` again: this job is retried automatically.",
            transient=any(CUDA_OUT_OF_MEMORY in reason for reason in reasons),
        )
    return {
        "device": log.device_used(session.session_log(request.session, cwd_log)),
        "estimated_accuracy": session.estimated_accuracy(request.session),
        "idtrackerai_exit_status": status,
    }
