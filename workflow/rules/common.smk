import sys
from pathlib import Path

from snakemake.utils import validate

validate(config, schema="../schemas/config.schema.yaml")

sys.path.insert(0, str(Path(workflow.current_basedir).parent / "scripts"))

import layout
import path_repair
import settings_file
from jobs import discover_jobs

JOBS = discover_jobs("settings")
# Jobs listed under skip: in config/config.yaml are no targets (`pixi run skip <video>/<job>`).
# They stay in JOBS, so a job that learns identities from one still finds it.
SKIPPED = set(config["skip"])
TARGET_JOBS = [key for key in JOBS if layout.job_id(*key) not in SKIPPED]


wildcard_constraints:
    video=r"[^/\\]+",
    job=r"[^/\\]+",


_settings_cache = {}


def parsed_settings(video, job):
    """The job's settings (read once per file version), or None when unreadable."""
    path = layout.job_path(layout.SETTINGS, video, job)
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return None
    cached = _settings_cache.get(path)
    if cached is None or cached[0] != stamp:
        try:
            cached = (stamp, settings_file.read_settings(path))
        except Exception:
            # The repair rule reports the problem in its own log; the DAG must still build.
            cached = (stamp, None)
        _settings_cache[path] = cached
    return cached[1]


def repair_inputs(wildcards):
    """The settings file and its videos, where they can be found (a missing one fails the
    repair rule with a message, not the whole DAG)."""
    video, job = wildcards.video, wildcards.job
    return {
        "settings": str(layout.job_path(layout.SETTINGS, video, job)),
        "videos": job_videos(video, job),
    }


def track_inputs(wildcards):
    """Repaired settings, videos, and the job whose session this one learns identities from
    (knowledge transfer): that job is tracked first."""
    video, job = wildcards.video, wildcards.job
    return {
        "settings": str(layout.job_path(layout.REPAIRED_SETTINGS, video, job)),
        "videos": job_videos(video, job),
        "transfer": transfer_source(video, job),
    }


def copy_inputs(wildcards):
    """The tracked marker, and once tracked, the session's own trajectories: when
    idtracker.ai's validator rewrites them, the copy in tracking/ is older and is made again.
    """
    video, job = wildcards.video, wildcards.job
    session_file = layout.session_trajectories(video, job)
    return {
        "tracked": str(layout.job_path(layout.TRACKED, video, job)),
        "session": [str(session_file)] if session_file.is_file() else [],
    }


_videos_cache = {}


def job_videos(video, job):
    settings = parsed_settings(video, job)
    if settings is None:
        return []
    key = (video, job)
    if key not in _videos_cache:  # both repair and track ask; look once
        path = layout.job_path(layout.SETTINGS, video, job)
        found = []
        for written in settings_file.video_paths(settings):
            lookup = path_repair.locate(
                written, path, config["path_prefixes"], config["video_dirs"]
            )
            if lookup.found is not None:
                found.append(str(lookup.found))
        _videos_cache[key] = found
    return _videos_cache[key]


def transfer_source(video, job):
    settings = parsed_settings(video, job)
    folder = (settings or {}).get("knowledge_transfer_folder")
    reference = path_repair.session_reference(str(folder)) if folder else None
    if reference in JOBS and reference != (video, job):
        return [str(layout.job_path(layout.TRACKED, *reference))]
    return []


def all_trajectories():
    return [
        str(layout.job_path(layout.TRAJECTORIES, video, job))
        for video, job in TARGET_JOBS
    ]


def session_json_if_present(wildcards):
    """The session's session.json once it exists: validation rewrites it (last_validated)."""
    path = (
        layout.job_path(layout.SESSION, wildcards.video, wildcards.job) / "session.json"
    )
    return [str(path)] if path.is_file() else []


def all_qc_rows():
    return [
        str(layout.job_path(layout.QC_ROW, video, job)) for video, job in TARGET_JOBS
    ]


def all_qc_trajectory_plots():
    return [
        str(layout.job_path(layout.QC_TRAJECTORY_PLOT, video, job))
        for video, job in TARGET_JOBS
    ]


def record_run():
    """Remember this Snakemake's process id: lets `pixi run track` tell a stale lock."""
    import run_lock

    run_lock.record_run()


def forget_run():
    import run_lock

    run_lock.forget_run()


def finished_trajectories():
    """tracking/ files of the jobs tracked at least once (targets of `pixi run copy`)."""
    return [
        str(layout.job_path(layout.TRAJECTORIES, video, job))
        for video, job in TARGET_JOBS
        if layout.job_path(layout.TRACKED, video, job).is_file()
    ]


def all_repaired_settings():
    """Every job's repaired settings: the fix_paths target (`pixi run fix-paths`)."""
    return [
        str(layout.job_path(layout.REPAIRED_SETTINGS, video, job))
        for video, job in JOBS
    ]


def write_partial_qc_summary():
    """After a run with failed jobs, the qc_summary rule (which needs every job's row) did not
    run: write the table from the rows that exist, so the jobs that worked are in it. The next
    run remakes it once the failed jobs have rows."""
    import qc_summary

    done = [
        (row, plot)
        for row, plot in zip(all_qc_rows(), all_qc_trajectory_plots())
        if Path(row).is_file() and Path(plot).is_file()
    ]
    if not done:
        return
    try:
        qc_summary.write_summary(
            [row for row, _ in done],
            [plot for _, plot in done],
            layout.QC_SUMMARY_CSV,
            layout.QC_SUMMARY_PARQUET,
            layout.QC_SUMMARY_HTML,
        )
    except Exception as error:  # never hide the run's own error behind this one
        print(f"Could not write the partial quality table: {error}", file=sys.stderr)
        return
    print(
        f"Quality table for the {len(done)} of {len(TARGET_JOBS)} jobs with results:"
        f" {layout.QC_SUMMARY_CSV}",
        file=sys.stderr,
    )
