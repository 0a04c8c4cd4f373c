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


def videos_of(wildcards):
    """The job's video files, where they can be found; missing ones fail the repair rule."""
    settings = parsed_settings(wildcards.video, wildcards.job)
    if settings is None:
        return []
    path = layout.job_path(layout.SETTINGS, wildcards.video, wildcards.job)
    found = []
    for written in settings_file.video_paths(settings):
        lookup = path_repair.locate(
            written, path, config["path_prefixes"], config["video_dirs"]
        )
        if lookup.found is not None:
            found.append(str(lookup.found))
    return found


def transfer_source(wildcards):
    """The job whose session this one learns identities from (knowledge transfer)."""
    settings = parsed_settings(wildcards.video, wildcards.job)
    folder = (settings or {}).get("knowledge_transfer_folder")
    reference = path_repair.session_reference(str(folder)) if folder else None
    if reference in JOBS and reference != (wildcards.video, wildcards.job):
        return [str(layout.job_path(layout.TRACKED, *reference))]
    return []


def session_of(wildcards):
    return str(layout.job_path(layout.SESSION, wildcards.video, wildcards.job))


def workdir_of(wildcards):
    return str(layout.job_path(layout.WORKDIR, wildcards.video, wildcards.job))


def session_trajectories_of(wildcards):
    return str(layout.session_trajectories(wildcards.video, wildcards.job))


def session_trajectories_if_present(wildcards):
    """Once tracked, the session's own file is an input too: when idtracker.ai's validator
    rewrites it, the copy in tracking/ is older and is made again."""
    path = layout.session_trajectories(wildcards.video, wildcards.job)
    return [str(path)] if path.is_file() else []


def all_trajectories():
    return [
        str(layout.job_path(layout.TRAJECTORIES, video, job))
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
