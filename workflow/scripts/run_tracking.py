"""Rule `track`: track one job with the tracker its settings name (idtracker_flow.trackers,
run by idtracker_flow.tracking.run); another attempt within the run only for a failure a
retry can fix (idtracker_flow.tracking.retry)."""

import sys
from pathlib import Path

from idtracker_flow import trackers
from idtracker_flow.exports.provenance import capture_at_tracking
from idtracker_flow.project import layout, step_log, steps
from idtracker_flow.settings import reader
from idtracker_flow.trackers.protocol import RunFailed, RunRequest
from idtracker_flow.tracking import retry
from idtracker_flow.tracking.run import track, write_record
from idtracker_flow.tracking.watchdog import Limits


def limits(config: dict, video: str, job: str) -> Limits:
    return Limits(
        stall_seconds=60 * config["stall_minutes"],
        min_free_bytes=int(1e6 * config["min_free_space_mb"]),
        disks=[
            layout.job_path(layout.SESSIONS_DIR, video, job),
            layout.job_path(layout.TRAJECTORIES, video, job).parent,
        ],
    )


def start_attempt(log_path: Path, attempt: int, attempts: int, log) -> bool:
    """Say which attempt this is; stop at once when a retry cannot help. True when this
    attempt runs alone on a GPU (the previous one ran out of GPU memory)."""
    if attempt == 1:
        retry.forget(log_path)  # a note from an earlier run says nothing about this one
        retry.forget_attempts(log_path)
        return False
    previous = retry.previous(log_path)
    print(f"Attempt {attempt} of {attempts}. The previous attempt failed:", file=log)
    print(previous.get("reason", ""), file=log)
    if (kept := retry.attempt_log(log_path, attempt - 1)).is_file():
        print(f"Its whole log: {kept}", file=log)
    if not previous.get("transient"):
        print(
            "\nNot tried again: another attempt cannot fix that (it is not a crash, a kill or"
            " a lack of memory).",
            file=log,
        )
        sys.exit(1)
    alone = retry.CUDA_OUT_OF_MEMORY in previous.get("reason", "")
    print("\nThis can pass: trying again" + (" alone on a GPU.\n" if alone else ".\n"), file=log)
    return alone


def run_job(smk, session: Path, log, alone: bool) -> tuple[object, dict]:
    """Track the job with the tracker its repaired settings name: (tracker, record)."""
    video, job = smk.wildcards.video, smk.wildcards.job
    config = smk.config
    settings_path = Path(smk.input.settings).resolve()
    settings = reader.read_settings(settings_path)
    tracker = trackers.for_settings(settings)
    request = RunRequest(
        job_name=layout.job_id(video, job),
        settings_path=settings_path,
        settings=settings,
        # Absolute: a tracker may run in its work folder, and these are relative to the project.
        session=session.resolve(),
        workdir=layout.job_path(layout.WORKDIR, video, job).resolve(),
        tracked=Path(smk.output.tracked),
        config=config,
    )
    resources = {
        "device": config["device"],
        "threads": smk.threads,
        "gpus": config["gpus"],
        "jobs_per_gpu": config["jobs_per_gpu"],
    }
    limits_ = limits(config, video, job)
    return tracker, track(tracker, request, log, resources, limits_, alone)


def main(smk) -> None:
    video, job = smk.wildcards.video, smk.wildcards.job
    session = layout.job_path(layout.SESSION, video, job)
    log_path = Path(smk.log[0])
    attempt = int(smk.resources.get("tracking_attempt", 1))
    attempts = smk.config["retries"] + 1
    with step_log.open_log(log_path, "w" if attempt == 1 else "a") as log:
        alone = start_attempt(log_path, attempt, attempts, log)
        try:
            tracker, record = run_job(smk, session, log, alone)
        except RunFailed as error:
            retry.remember(log_path, str(error), error.transient)
            if error.transient and attempt < attempts:
                print(f"\n{error}\nThis can pass: the job is tried again.", file=log)
            else:
                print(f"\n{error}", file=log)
            log.flush()
            retry.keep_attempt(log_path, attempt)  # Snakemake deletes the log before a retry
            sys.exit(1)
        retry.forget(log_path)
        record["provenance"] = capture_at_tracking(
            layout.job_path(layout.SETTINGS, video, job), Path(smk.input.settings), record["device"]
        )
        record["provenance"].update(
            tracker.provenance_at_tracking(record, Path(smk.input.settings))
        )
        write_record(Path(smk.output.tracked), record)
        print(steps.TRACK.success_line(str(session)), file=log)


if __name__ == "__main__" and "snakemake" in globals():
    main(snakemake)  # noqa: F821
