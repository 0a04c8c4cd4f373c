"""Where every file of a job lives, relative to the project folder.

One place for the path patterns, so the rules, the status view and the tests agree. The
patterns use Snakemake's wildcard syntax and double as str.format templates.
"""

from pathlib import Path

SETTINGS = "settings/{video}/{job}.toml"
REPAIRED_SETTINGS = "results/settings/{video}/{job}.toml"
SESSIONS_DIR = "results/sessions/{video}"
SESSION = "results/sessions/{video}/session_{job}"
# Written by the tracking rule once a session is judged a success; Snakemake's output for it.
TRACKED = "results/sessions/{video}/{job}.tracked.json"
WORKDIR = "results/work/{video}/{job}"
TRAJECTORIES = "tracking/{video}/{job}.h5"
BENCHMARK = "results/benchmarks/track/{video}/{job}.tsv"
# Quality control: one row and two pictures per job, one table for the whole batch.
QC_ROW = "results/qc/jobs/{video}/{job}.json"
QC_TRAJECTORY_PLOT = "results/qc/plots/{video}/{job}.trajectories.png"
QC_TIMELINE_PLOT = "results/qc/plots/{video}/{job}.timeline.png"
QC_SUMMARY_CSV = "results/qc/summary.csv"
QC_SUMMARY_PARQUET = "results/qc/summary.parquet"
QC_SUMMARY_HTML = "results/qc/summary.html"

SESSION_TRAJECTORIES = "trajectories/trajectories.h5"
# The same two inside a job's session, as patterns (for the DAG and the status view).
SESSION_TRAJECTORIES_FILE = f"{SESSION}/{SESSION_TRAJECTORIES}"
SESSION_JSON_FILE = f"{SESSION}/session.json"


def log(step: str) -> str:
    """The log pattern of one step (rule) of a job."""
    return f"results/logs/{step}/{{video}}/{{job}}.log"


def job_file(pattern: str, video: str, job: str) -> str:
    """A pattern above, filled in for one job, as the string Snakemake uses: the DAG asks
    for several per job, and Path objects cost time at 10,000 jobs."""
    return pattern.format(video=video, job=job)


def job_path(pattern: str, video: str, job: str, **extra) -> Path:
    """A pattern above, filled in for one job."""
    return Path(pattern.format(video=video, job=job, **extra))


def session_trajectories(video: str, job: str) -> Path:
    return job_path(SESSION, video, job) / SESSION_TRAJECTORIES


def job_id(video: str, job: str) -> str:
    """How a job is named to users: <video>/<job>, as under settings/."""
    return f"{video}/{job}"
