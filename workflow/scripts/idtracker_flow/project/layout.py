"""Where every file of a job lives, relative to the project folder.

One place for the path patterns, so the rules, the status view and the tests agree. The
patterns use Snakemake's wildcard syntax and double as str.format templates.
"""

import re
from pathlib import Path

# The workflow's own folders (this file is workflow/scripts/idtracker_flow/project/layout.py).
WORKFLOW_DIR = Path(__file__).resolve().parents[3]
REPOSITORY = WORKFLOW_DIR.parent

SETTINGS = "settings/{video}/{job}.toml"
REPAIRED_SETTINGS = "results/settings/{video}/{job}.toml"
SESSIONS_DIR = "results/sessions/{video}"
SESSION = "results/sessions/{video}/session_{job}"
# Written by the tracking rule once a session is judged a success; Snakemake's output for it.
TRACKED = "results/sessions/{video}/{job}.tracked.json"
WORKDIR = "results/work/{video}/{job}"
TRAJECTORIES = "tracking/{video}/{job}.h5"
BENCHMARK = "results/benchmarks/track/{video}/{job}.tsv"
# Analysis-ready files beside the trajectories (the export_job rule; formats in config).
MOVEMENT_DATASET = "tracking/{video}/{job}.movement.nc"
TIDY_TABLE = "tracking/{video}/{job}.tidy.{format}"
PROVENANCE = "tracking/{video}/{job}.provenance.json"
# Overlay videos on request (`pixi run videos`), not part of a default run.
OVERLAY_VIDEO = "results/videos/{video}/{job}.avi"
# Quality control: one row and two pictures per job, one table for the whole batch.
QC_ROW = "results/qc/jobs/{video}/{job}.json"
QC_TRAJECTORY_PLOT = "results/qc/plots/{video}/{job}.trajectories.png"
QC_TIMELINE_PLOT = "results/qc/plots/{video}/{job}.timeline.png"
QC_SUMMARY_CSV = "results/qc/summary.csv"
QC_SUMMARY_PARQUET = "results/qc/summary.parquet"
QC_SUMMARY_HTML = "results/qc/summary.html"
QC_RECORDINGS_CSV = "results/qc/recordings.csv"
QC_SUMMARY_LOG = "results/logs/qc_summary.log"

# One file set per recording (the jobs filming the same animals, matched with idmatcher.ai):
# every part relabelled to the recording's identities and all parts joined in time order.
RECORDING_SUMMARY = "recordings/{recording}/matches.json"
RECORDING_PARTS = "recordings/{recording}/parts"
RECORDING_MOVEMENT = "recordings/{recording}/{recording}.movement.nc"
RECORDING_TIDY = "recordings/{recording}/{recording}.tidy.{format}"
RECORDING_LOG = "results/logs/match_recording/{recording}.log"
RECORDING_BENCHMARK = "results/benchmarks/match_recording/{recording}.tsv"

# Behaviour (config `behaviour`): a table of measures per animal and two pictures per job and
# per recording, one table for the batch with the lab's metadata.
BEHAVIOUR_JOB = "results/behaviour/jobs/{video}/{job}.csv"
BEHAVIOUR_JOB_OCCUPANCY = "results/behaviour/plots/{video}/{job}.occupancy.png"
BEHAVIOUR_JOB_SPEED = "results/behaviour/plots/{video}/{job}.speed.png"
BEHAVIOUR_RECORDING = "results/behaviour/recordings/{recording}.csv"
BEHAVIOUR_RECORDING_OCCUPANCY = "results/behaviour/recording_plots/{recording}.occupancy.png"
BEHAVIOUR_RECORDING_SPEED = "results/behaviour/recording_plots/{recording}.speed.png"
BEHAVIOUR_SUMMARY_CSV = "results/behaviour/summary.csv"
BEHAVIOUR_SUMMARY_PARQUET = "results/behaviour/summary.parquet"
BEHAVIOUR_SUMMARY_HTML = "results/behaviour/summary.html"
BEHAVIOUR_SUMMARY_PLOT = "results/behaviour/by_group.png"
BEHAVIOUR_SUMMARY_LOG = "results/logs/behaviour_summary.log"
BEHAVIOUR_RECORDING_LOG = "results/logs/behaviour_recording/{recording}.log"


def log(step: str) -> str:
    """The log pattern of one step (rule) of a job."""
    return f"results/logs/{step}/{{video}}/{{job}}.log"


def job_file(pattern: str, video: str, job: str) -> str:
    """A pattern above, filled in for one job, as the string Snakemake uses: the DAG asks
    for several per job, and Path objects cost time at 10,000 jobs."""
    return pattern.format(video=video, job=job)


def session_file(video: str, job: str, relative: str) -> str:
    """A file inside a job's session folder (a tracker names it: RESULT_IN_SESSION...)."""
    return f"{job_file(SESSION, video, job)}/{relative}"


def job_path(pattern: str, video: str, job: str) -> Path:
    """A pattern above, filled in for one job."""
    return Path(pattern.format(video=video, job=job))


def job_id(video: str, job: str) -> str:
    """How a job is named to users: <video>/<job>, as under settings/."""
    return f"{video}/{job}"


# e.g. 20260204-180700-H264-01: recorded 2026-02-04 18:07:00, part 01.
VIDEO_NAME = re.compile(r"(?P<date>\d{8})[-_T]?(?P<time>\d{6})(?:.*?[-_](?P<part>\d{1,3}))?$")


def name_parts(video: str) -> tuple[str, str]:
    """(part, recorded) from a video name like 20260204-180700-H264-01, else ('', '')."""
    match = VIDEO_NAME.search(video)
    if not match:
        return "", ""
    d, t = match["date"], match["time"]
    recorded = f"{d[:4]}-{d[4:6]}-{d[6:]} {t[:2]}:{t[2:4]}:{t[4:]}"
    return match["part"] or "", recorded
