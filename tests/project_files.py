"""Project folders for tests and benchmarks (plain Python, no pytest): a copy of the workflow,
faked finished jobs, and the steps a `snakemake -n` listing plans. bench/ imports it too, so
the benchmarks and the tests build and read projects the same way."""

import contextlib
import os
import re
import shutil
import subprocess
from pathlib import Path

from idtracker_flow import trackers
from idtracker_flow.project import layout

REPO = Path(__file__).resolve().parents[1]
IGNORED = shutil.ignore_patterns("__pycache__")

# What a finished job leaves, in the order the workflow writes it.
FINISHED_FILES = (
    layout.REPAIRED_SETTINGS,
    f"{layout.SESSION}/{trackers.default().RESULT_IN_SESSION}",
    layout.TRACKED,
    layout.TRAJECTORIES,
)
RULE_LINE = re.compile(r"^(?:local)?rule (\w+):$")
OUTPUT_LINE = re.compile(r"^\s+output: (\S+)")
# A tracking step's output, back to (video, job).
STEP_OUTPUT = re.compile(
    r"^(?:results/settings|results/sessions|tracking)/([^/]+)/([^/]+?)"
    r"(?:\.tracked\.json|\.toml|\.h5)$"
)


def copy_workflow(root: Path) -> None:
    """The workflow (workflow/, config/) in a new project folder."""
    root.mkdir(parents=True, exist_ok=True)
    for folder in ("workflow", "config"):
        shutil.copytree(REPO / folder, root / folder, ignore=IGNORED)


# What the export step adds (with the default `exports` config).
EXPORT_FILES = (
    layout.MOVEMENT_DATASET,
    layout.TIDY_TABLE.replace("{format}", "parquet"),
    layout.PROVENANCE,
)


# Everything else the analysis step (rule analyse_job) writes, with the default config.
ANALYSIS_FILES = (
    *EXPORT_FILES,
    layout.QC_ROW,
    layout.QC_TRAJECTORY_PLOT,
    layout.QC_TIMELINE_PLOT,
    layout.BEHAVIOUR_JOB,
    layout.BEHAVIOUR_JOB_OCCUPANCY,
    layout.BEHAVIOUR_JOB_SPEED,
)


def fake_finished(
    root: Path,
    video: str,
    job: str,
    stamp: float,
    text: str = "{}",
    with_exports: bool = False,
    analysed: bool = False,
) -> None:
    """The files a finished job leaves, with times in the order the workflow makes them:
    with its analysis files (`with_exports`), or everything its analysis step writes."""
    after = ANALYSIS_FILES if analysed else EXPORT_FILES if with_exports else ()
    files = FINISHED_FILES + after
    for n, pattern in enumerate(files, start=1):
        path = root / layout.job_file(pattern, video, job)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        os.utime(path, (stamp + n, stamp + n))


def planned_steps(listing: str) -> set[tuple[str, str, str]]:
    """(video, job, rule) for every tracking step a `snakemake -n` listing plans (QC steps
    are not listed)."""
    steps, rule = set(), None
    for line in listing.splitlines():
        if match := RULE_LINE.match(line):
            rule = match[1]
        elif rule and (match := OUTPUT_LINE.match(line)):
            if output := STEP_OUTPUT.match(match[1]):
                steps.add((output[1], output[2], rule))
            rule = None
    return steps


@contextlib.contextmanager
def full_small_disk(mount: Path, folders: tuple[str, ...] = ()):
    """A real 1 MB filesystem (tmpfs) mounted at `mount` (an empty folder; root only), with
    `folders` made in it, then filled up by one file, which it yields (delete it to make
    room); unmounted afterwards."""
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)])
    if done.returncode != 0:
        raise RuntimeError(f"could not mount a tmpfs at {mount} (root without the right to mount?)")
    try:
        for folder in folders:
            (mount / folder).mkdir(parents=True)
        filler = mount / "filler"
        with open(filler, "wb") as handle:
            try:
                while True:
                    handle.write(b"\0" * 65536)
                    handle.flush()
            except OSError:
                pass
        yield filler
    finally:
        subprocess.run(["umount", str(mount)])
