"""A project tracked with the previous release (0.1, Snakefile at the top, scripts flat in
workflow/scripts/) keeps working after an update to this layout: nothing is tracked again;
only the analysis files that release did not make are added."""

import json
import shutil
import subprocess
import sys

import project_files
import pytest
from conftest import REPO, planned_jobs, run_task

from idtracker_flow.demo import synthetic_video
from idtracker_flow.exports.provenance import NOT_RECORDED

PREVIOUS_RELEASE = "752920a"  # main before the package layout


def previous_release(target) -> bool:
    """The previous release's files in `target`, from this clone's history."""
    exists = subprocess.run(
        ["git", "-C", str(REPO), "cat-file", "-e", f"{PREVIOUS_RELEASE}^{{commit}}"],
        capture_output=True,
    )
    if exists.returncode != 0:
        return False
    target.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", PREVIOUS_RELEASE, "Snakefile", "workflow", "config"],
        capture_output=True,
        check=True,
    )
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    return True


def test_project_of_the_previous_release_is_not_tracked_again(tmp_path):
    project = tmp_path / "project"
    if not previous_release(project):
        pytest.skip(f"this clone has no commit {PREVIOUS_RELEASE} (a shallow clone)")
    video = synthetic_video.make_video(project / "videos", 2, 60, name="fish")["video"]
    settings = project / "settings" / "fish" / "day.toml"
    settings.parent.mkdir(parents=True)
    synthetic_video.write_settings(settings, video, 2, track_wo_identities=True)
    old = subprocess.run(
        [sys.executable, "workflow/scripts/launch.py"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert old.returncode == 0, old.stdout + old.stderr
    assert (project / "tracking" / "fish" / "day.h5").is_file()

    # The update, as `git pull` does it: the old Snakefile and scripts go, the new ones come;
    # the user's config, settings, results and Snakemake's records stay.
    (project / "Snakefile").unlink()
    shutil.rmtree(project / "workflow")
    shutil.copytree(REPO / "workflow", project / "workflow", ignore=project_files.IGNORED)

    dry_run = run_task(project, "track-dryrun", timeout=300)
    assert dry_run.returncode == 0, dry_run.stdout + dry_run.stderr
    planned = set(planned_jobs(dry_run))
    assert planned == {"analyse_job", "qc_summary", "behaviour_summary", "all"}, dry_run.stdout
    exported = run_task(project, "track", timeout=600)
    assert exported.returncode == 0, exported.stdout + exported.stderr
    record = json.loads((project / "tracking" / "fish" / "day.provenance.json").read_text())
    assert record["software"] == NOT_RECORDED  # that release recorded no versions
    again = run_task(project, "track-dryrun", timeout=300)
    assert "Nothing to be done" in again.stdout + again.stderr, again.stdout
    status = run_task(project, "status", timeout=300)
    assert status.returncode == 0, status.stdout + status.stderr
    assert "done 1," in status.stdout and "pending 0" in status.stdout, status.stdout
