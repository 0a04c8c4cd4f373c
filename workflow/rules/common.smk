import atexit
import os
import sys

from snakemake.utils import validate

from idtracker_flow.behaviour import options as behaviour_options
from idtracker_flow.console import launch
from idtracker_flow.exports import outputs as export_outputs
from idtracker_flow import trackers
from idtracker_flow.project import layout, steps
from idtracker_flow.project.jobs import discover_jobs
from idtracker_flow.recordings import grouping as recording_groups
from idtracker_flow.settings import digest as settings_digest
from idtracker_flow.settings import job_inputs
from idtracker_flow.tracking import run_lock
from idtracker_flow.tracking.sizing import FALLBACK_THREADS

validate(config, schema="../schemas/config.schema.yaml")

# `threads: auto`: the launcher passes the machine's share (--set-threads track=N); a cluster
# job, or plain snakemake, gets the fixed fallback.
TRACK_THREADS = config["threads"] if config["threads"] != "auto" else FALLBACK_THREADS

JOBS = discover_jobs("settings")
# Jobs listed under skip: in config/config.yaml are no targets (`pixi run skip <video>/<job>`).
# They stay in JOBS, so a job that learns identities from one still finds it.
SKIPPED = set(config["skip"])
# The export files each job gets (config `exports`): named outputs of rule analyse_job.
EXPORT_OUTPUTS = export_outputs.patterns(config["exports"])
TARGET_JOBS = [key for key in JOBS if layout.job_id(*key) not in SKIPPED]
JOB_SET = set(JOBS)
# Recordings (config `recordings`): recording name -> its jobs, and the matching step's outputs.
RECORDING_OUTPUTS = recording_groups.output_patterns(config["exports"])


wildcard_constraints:
    video=r"[^/\\]+",
    job=r"[^/\\]+",
    recording=r"[^/\\]+",


# Input functions run once per job in every dry run and every run (10,000 jobs is a real batch):
# paths stay strings, and what they need from the settings files is read once per file
# version, remembered between runs (idtracker_flow/settings/digest.py). Job processes on a
# cluster read the cache but leave it to the main process to write.
SETTINGS_DIGESTS = settings_digest.DigestCache()
if workflow.is_main_process:
    atexit.register(SETTINGS_DIGESTS.save)


# Recordings (config `recordings`): recording name -> its jobs tracked with identities.
RECORDINGS = recording_groups.recordings(
    [
        key
        for key in (TARGET_JOBS if config["recordings"]["match_identities"] else [])
        if (SETTINGS_DIGESTS.get(layout.job_file(layout.SETTINGS, *key)) or {}).get(
            "identities"
        )
    ],
    config["recordings"],
)


# Behaviour (config `behaviour`) is measured on each movement dataset, so it needs them.
BEHAVIOUR_ON = config["behaviour"]["measure"] and config["exports"]["movement"]
# A job's behaviour files (rule analyse_job), when behaviour is measured.
BEHAVIOUR_JOB_OUTPUTS = (
    {
        "table": layout.BEHAVIOUR_JOB,
        "occupancy": layout.BEHAVIOUR_JOB_OCCUPANCY,
        "speed": layout.BEHAVIOUR_JOB_SPEED,
    }
    if BEHAVIOUR_ON
    else {}
)
if config["metadata"] and not os.path.isfile(config["metadata"]):
    raise ValueError(
        f"config/config.yaml: metadata: {config['metadata']} is not a file here. What to do:"
        " put the sheet there, correct the path (relative to the project folder), or remove"
        " the line."
    )
if BEHAVIOUR_ON and workflow.is_main_process:
    # A changed behaviour setting changes these files, and only their steps run again.
    behaviour_options.write_changed(
        config,
        {
            "videos": sorted({video for video, _ in TARGET_JOBS}),
            "recordings": sorted(RECORDINGS),
        },
    )


def settings_digest_of(wildcards):
    """The job's video paths as written and knowledge-transfer folder (None: unreadable)."""
    return SETTINGS_DIGESTS.get(
        layout.job_file(layout.SETTINGS, wildcards.video, wildcards.job)
    )


# These functions give unnamed inputs: the scripts do not use them (they are there for the
# DAG), and a named list costs Snakemake an extra container per job. Which videos and which
# transfer source: job_inputs.py, shared with `pixi run status`.
def videos_input(wildcards):
    """The job's videos, where they can be found (a missing one fails the repair rule with a
    message, not the whole DAG): a new video re-tracks the job."""
    digest = settings_digest_of(wildcards)
    settings = layout.job_file(layout.SETTINGS, wildcards.video, wildcards.job)
    return job_inputs.found_videos(digest["videos"], settings, config) if digest else []


TRACKER_INPUTS_CACHE = {}


def tracker_inputs(wildcards):
    """What the job's tracker needs first (trackers/<name>/tracker.py, track_inputs): the job
    whose session it learns identities from (tracked first), a trained model (retraining
    runs the job again)."""
    job = (wildcards.video, wildcards.job)
    inputs = job_inputs.track_inputs(
        settings_digest_of(wildcards),
        job,
        layout.job_file(layout.SETTINGS, *job),
        config,
        JOB_SET,
        TRACKER_INPUTS_CACHE,
    )
    return [steps.TRACK.output_of(*key) for key in inputs.after_jobs] + inputs.files


# Session files a user rewrites after tracking (idtracker.ai's validator), per step: once
# they exist, a newer one makes the step again (trackers' EDITED_IN_SESSION).
COPY_WATCHES = trackers.edited_in_session(steps.COPY.name)
QC_WATCHES = trackers.edited_in_session("qc_job")


def session_files_if_present(names, wildcards):
    paths = [
        layout.session_file(wildcards.video, wildcards.job, name) for name in names
    ]
    return [path for path in paths if os.path.isfile(path)]


def session_result_if_present(wildcards):
    """Once tracked, the session's own result: when a validator rewrites it, the copy in
    tracking/ is older and is made again."""
    return session_files_if_present(COPY_WATCHES, wildcards)


def session_facts_if_present(wildcards):
    """The session's facts file once it exists: validation rewrites it (last_validated)."""
    return session_files_if_present(QC_WATCHES, wildcards)


# The target lists below are input functions, so that each is built only when its rule is
# in the DAG (a dry run of one target does not list 10,000 files for the others).
def all_trajectories(wildcards=None):
    return [layout.job_file(layout.TRAJECTORIES, *key) for key in TARGET_JOBS]


def all_qc_rows(wildcards=None):
    return [layout.job_file(layout.QC_ROW, *key) for key in TARGET_JOBS]


def all_qc_trajectory_plots(wildcards=None):
    return [layout.job_file(layout.QC_TRAJECTORY_PLOT, *key) for key in TARGET_JOBS]


def all_exports(wildcards=None):
    """Every job's provenance record: rule analyse_job writes it with the other exports."""
    return [layout.job_file(layout.PROVENANCE, *key) for key in TARGET_JOBS]


def all_recordings(wildcards=None):
    """Every recording's summary (the match_recording rule writes it with the other files)."""
    return [
        layout.RECORDING_SUMMARY.format(recording=name) for name in sorted(RECORDINGS)
    ]


def all_behaviour_tables(wildcards=None):
    """Every job's and recording's behaviour table (the batch's summary joins them)."""
    return [layout.job_file(layout.BEHAVIOUR_JOB, *key) for key in TARGET_JOBS] + [
        layout.BEHAVIOUR_RECORDING.format(recording=name) for name in sorted(RECORDINGS)
    ]


def all_behaviour(wildcards=None):
    """The batch's behaviour table (nothing when behaviour is off)."""
    return [layout.BEHAVIOUR_SUMMARY_CSV] if BEHAVIOUR_ON else []


def analysis_options(wildcards):
    """The video's behaviour options file: a changed setting analyses its jobs again."""
    return behaviour_options.path_of("videos", wildcards.video) if BEHAVIOUR_ON else []


def metadata_sheet(wildcards=None):
    """The lab's sheet, when config names one: a new version remakes the summary."""
    return [config["metadata"]] if config["metadata"] else []


def behaviour_recording_inputs(wildcards):
    """Each part's repaired settings (its arena) and the recording's options file."""
    members = RECORDINGS[wildcards.recording]
    return {
        "settings": [steps.REPAIR.output_of(*key) for key in members],
        "options": behaviour_options.path_of("recordings", wildcards.recording),
    }


def recording_inputs(wildcards):
    """Every part's copied trajectories and tracked record: a re-tracked or validated part
    makes the recording again (matches of unchanged parts are reused)."""
    members = RECORDINGS[wildcards.recording]
    return [layout.job_file(layout.TRAJECTORIES, *key) for key in members] + [
        steps.TRACK.output_of(*key) for key in members
    ]


def finished_exports(wildcards=None):
    """Exports of the jobs tracked at least once (the target of `pixi run export`)."""
    return [
        layout.job_file(layout.PROVENANCE, *key)
        for key in TARGET_JOBS
        if os.path.isfile(steps.TRACK.output_of(*key))
    ]


def finished_trajectories(wildcards=None):
    """tracking/ files of the jobs tracked at least once (targets of `pixi run copy`)."""
    return [
        layout.job_file(layout.TRAJECTORIES, *key)
        for key in TARGET_JOBS
        if os.path.isfile(steps.TRACK.output_of(*key))
    ]


def all_repaired_settings(wildcards=None):
    """Every job's repaired settings: the fix_paths target (`pixi run fix-paths`)."""
    return [steps.REPAIR.output_of(*key) for key in JOBS]


def after_failed_run():
    """After a run with failed jobs: the quality table and the behaviour table of the jobs
    that worked (their summary rules, which need every job's row, did not run), with the
    failed jobs listed, and the list at the end of the run's output. `pixi run status` decides them, from the
    files; the next run remakes the table once the failed jobs have rows."""
    from idtracker_flow.qc.summary import write_partial_summary
    from idtracker_flow.state import facts, verdict

    try:  # never hide the run's own error behind one of these
        statuses = verdict.collect(facts.Project(config))
        failed = [(s.name, s.reason) for s in statuses if s.state == "failed"]
        if done := write_partial_summary(TARGET_JOBS, failed):
            print(
                f"Quality table for the {done} of {len(TARGET_JOBS)} jobs with results:"
                f" {layout.QC_SUMMARY_CSV}",
                file=sys.stderr,
            )
        if BEHAVIOUR_ON:
            from idtracker_flow.behaviour.summary import write_partial

            behaviour = config["behaviour"]
            write_partial(
                all_behaviour_tables(),
                config["metadata"] or None,
                behaviour["plot_measure"],
                behaviour["group_by"],
            )
        lines = verdict.failure_report(statuses)
    except Exception as error:
        lines = [
            f"(Could not list the failed jobs: {error}; `pixi run status` shows them.)"
        ]
    if not os.environ.get(launch.CONSOLE_ON):  # the console lists them itself
        print("\n" + "\n".join(lines), file=sys.stderr)


def after_good_run():
    """A settings name that is no file (a folder, a dead link) failed without a job."""
    from idtracker_flow.project.jobs import unusable_settings

    if os.environ.get(launch.CONSOLE_ON):  # the launcher said so before the run
        return
    lines = [f"Not tracked: {why}" for _, _, why in unusable_settings("settings")]
    if lines:
        print("\n" + "\n".join(lines), file=sys.stderr)
