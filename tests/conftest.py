"""Shared test fixtures: throwaway workspaces that run the real workflow with real Snakemake.

A workspace is a copy of the workflow (workflow/, config/) in a temporary folder, so tests can
edit settings, videos and even the workflow's code without touching the repo. `run_task` runs
any of pixi.toml's tasks in it the way users do (through tasks.py's own reading of pixi.toml).
tests/unit/ holds fast tests (no tracking); tests/workflow/ runs the real Snakemake and
idtracker.ai.
"""

import csv
import os
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import project_files
import pytest
from project_files import planned_steps

import tasks
from idtracker_flow.demo import synthetic_video

REPO = Path(__file__).resolve().parents[1]
SCRIPTS = REPO / "workflow" / "scripts"
FLOW = SCRIPTS / "flow.py"
ARTIFACTS = REPO / "tests" / "artifacts"


def task_command(name: str, *extra: str) -> list[str]:
    """The command `pixi run NAME EXTRA...` runs, as tasks.py builds it from pixi.toml, with
    this test's Python (the project's .venv when run through `python3 tasks.py test`)."""
    task = tasks.read_tasks()[name]
    words = tasks.command_for(task, list(extra))
    if shlex.split(task["cmd"])[0] == "python":
        words[0] = sys.executable
    return words


def run_task(folder: Path, name: str, *extra: str, timeout: int = 1200, env=None):
    """Run a pixi task in a project folder as a user would; never raises on failure."""
    return subprocess.run(
        task_command(name, *extra),
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


@dataclass
class Workspace:
    root: Path

    def path(self, *parts) -> Path:
        return self.root.joinpath(*parts)

    def settings_path(self, video: str, job: str) -> Path:
        return self.path("settings", video, f"{job}.toml")

    def write_settings(self, video: str, job: str, text: str) -> Path:
        path = self.settings_path(video, job)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    def add_video(self, name: str = "demo", **options) -> dict:
        """A synthetic video in videos/ (cached per set of options across tests)."""
        return add_synthetic_video(self.path("videos"), name, **options)

    def add_job(self, video_name: str, job: str, video_path: str | None = None, **extra) -> Path:
        """A settings file as the segmentation app saves it. The video path is relative to
        the project folder unless given, so a copied workspace uses its own video."""
        path = self.settings_path(video_name, job)
        path.parent.mkdir(parents=True, exist_ok=True)
        synthetic_video.write_settings(path, "unused.avi", extra.pop("n_animals", 2), **extra)
        lines = path.read_text().splitlines()
        assert lines[0].startswith("video_paths")
        lines[0] = f"video_paths = ['{video_path or f'videos/{video_name}.avi'}']"
        path.write_text("\n".join(lines) + "\n")
        return path

    def track(self, *args, timeout: int = 1200):
        """`pixi run track`: the launcher that clears a stale lock, then Snakemake."""
        return self.task("track", *args, timeout=timeout)

    def task(self, name: str, *args, timeout: int = 1200, env: dict | None = None):
        """`pixi run NAME ARGS...` in this workspace."""
        return run_task(self.root, name, *args, timeout=timeout, env=env)

    def snakemake(
        self,
        *args,
        timeout: int = 1200,
        env: dict | None = None,
        profile: str = "default",
    ):
        """Run the real Snakemake with one of the project's profiles; never raises on failure."""
        command = [
            sys.executable, "-m", "snakemake",
            "--workflow-profile", f"workflow/profiles/{profile}",
            *args,
        ]  # fmt: skip
        return subprocess.run(
            command,
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, **(env or {})},
        )


_VIDEO_CACHE: dict[tuple, Path] = {}


def tracker_python(separate) -> Path:
    """A pose tracker's own Python (trackers/separate_python.py): CI must have installed it;
    elsewhere the tests that need it skip."""
    from idtracker_flow.trackers.separate_python import NotFound

    try:
        return separate.python()
    except NotFound as error:
        if os.environ.get("CI"):
            pytest.fail(f"CI must install the {separate.display_name} environment: {error}")
        pytest.skip(
            f"no {separate.display_name} environment here:"
            f" python3 tasks.py setup-{separate.environment}"
        )


def add_synthetic_video(folder: Path, name: str, **options) -> dict:
    key = (name, tuple(sorted(options.items())))
    folder.mkdir(parents=True, exist_ok=True)
    if key not in _VIDEO_CACHE:
        cache = Path(os.environ.get("PYTEST_VIDEO_CACHE", "/tmp")) / f"idtf-video-{abs(hash(key))}"
        info = synthetic_video.make_video(cache, name=name, **options)
        _VIDEO_CACHE[key] = info["video"].parent
    source = _VIDEO_CACHE[key]
    for item in source.iterdir():
        shutil.copy2(item, folder / item.name)
    return {
        "video": folder / f"{name}.avi",
        "groundtruth": folder / f"{name}.groundtruth.csv",
    }


def make_workspace(root: Path) -> Workspace:
    project_files.copy_workflow(root)
    (root / "settings").mkdir()
    (root / "videos").mkdir()
    return Workspace(root)


@pytest.fixture
def workspace(tmp_path) -> Workspace:
    return make_workspace(tmp_path / "project")


def copy_workspace(source: Workspace, target: Path) -> Workspace:
    """A full copy (Snakemake's metadata and file times included) to change freely."""
    shutil.copytree(source.root, target, symlinks=True)
    return Workspace(target)


def planned_jobs(result) -> dict[str, int]:
    """Rule -> job count from a dry run's 'Job stats' table."""
    counts = {}
    lines = (result.stdout + result.stderr).splitlines()
    if "Job stats:" not in lines:
        return counts
    for line in lines[lines.index("Job stats:") + 3 :]:
        parts = line.split()
        if len(parts) != 2 or parts[0] == "total":
            break
        counts[parts[0]] = int(parts[1])
    return counts


def dry_run_steps(ws, *targets: str) -> set[tuple[str, str]]:
    """(job, rule) for every tracking step `snakemake -n` plans (QC steps are not states)."""
    result = ws.snakemake("-n", *targets)
    assert result.returncode == 0, result.stdout + result.stderr
    return {(f"{video}/{job}", rule) for video, job, rule in planned_steps(result.stdout)}


def fake_finished(ws, video: str, job: str, stamp: float) -> None:
    """The files a finished job leaves, with times in the order the workflow makes them."""
    project_files.fake_finished(ws.root, video, job, stamp)


def run_status(ws) -> tuple[str, dict[str, dict]]:
    """`pixi run status` with `--csv`: what it printed, and the CSV's rows by <video>/<job>."""
    result = ws.task("status", "--csv", "status.csv", timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    with open(ws.path("status.csv"), newline="", encoding="utf-8") as handle:
        rows = {f"{row['video']}/{row['job']}": row for row in csv.DictReader(handle)}
    return result.stdout, rows


# Tracked once per test session, for test_qc.py and test_exports_real_runs.py: two jobs on the
# synthetic video, "whole" (no identities, whole video) and "part" (identities with the
# contrastive step, tracking interval 20-170).
QC_INTERVAL = [20, 170]
QC_JOBS = {
    "whole": {},
    "part": {
        "track_wo_identities": False,
        "tracking_intervals": [QC_INTERVAL],
        # The contrastive step on a CPU in about a minute: small batches, and stop as soon as
        # the score passes 0.5 (it reaches about 0.97 on this video). It gives the silhouette
        # score the QC row and the provenance record report.
        "CONTRASTIVE_BATCHSIZE": 8,
        "CONTRASTIVE_SILHOUETTE_TARGET": 0.5,
        "contrastive_patience": 2,
    },
}


@pytest.fixture(scope="session")
def qc_tracked(tmp_path_factory):
    ws = make_workspace(tmp_path_factory.mktemp("qc") / "project")
    ws.add_video("demo")
    for job, extra in QC_JOBS.items():
        ws.add_job("demo", job, **extra)
    result = ws.snakemake(timeout=3000)  # a busy 2-core machine needed over 20 min
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return ws
