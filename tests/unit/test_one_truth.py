"""One truth for every step's state (issue 26), with the project's files as they are left by
the real steps: a failed step after tracking is no plain `done`, a refused name or file is
refused one by one. Real Snakemake runs of the same cases: tests/workflow/test_chaos.py."""

import os
import re
import time

import pytest
from project_files import copy_workflow, fake_finished, full_small_disk

from idtracker_flow.project import layout, steps
from idtracker_flow.state import facts, verdict


@pytest.fixture
def project(tmp_path, monkeypatch):
    copy_workflow(tmp_path)
    monkeypatch.chdir(tmp_path)
    settings = tmp_path / "settings" / "fish1" / "day.toml"
    settings.parent.mkdir(parents=True)
    settings.write_text("video_paths = ['videos/fish1.avi']\nnumber_of_animals = 2\n")
    stamp = time.time() - 1000
    os.utime(settings, (stamp, stamp))
    fake_finished(tmp_path, "fish1", "day", stamp, with_exports=True)
    return tmp_path


def status_of(name="fish1/day"):
    return {s.name: s for s in verdict.collect(facts.Project())}[name]


def write_log(step, text, output):
    """The step's log, older than its output: Snakemake puts the previous files back after a
    failed attempt as new copies (as it does: shutil.copy)."""
    log = layout.job_path(step.log, "fish1", "day")
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text(text)
    stamp = os.stat(layout.job_file(output, "fish1", "day")).st_mtime - 5
    os.utime(log, (stamp, stamp))
    return log


def test_a_finished_job_is_done(project):
    assert status_of().state == "done"


def test_a_failed_export_after_a_good_one_is_named_with_its_reason(project):
    """Snakemake put the previous files back (update()): it sees nothing to do, but the job's
    last export failed, and status says which step, why, and where its log is."""
    log = write_log(
        steps.EXPORT,
        "Job fish1/day: exports: individual_names gives 1 names for video fish1, but it was"
        " tracked with 2 animals.\n",
        layout.PROVENANCE,
    )
    status = status_of()
    assert status.state == "failed"
    assert status.reason.startswith("tracked, but writing the analysis files failed: Job fish1/day")
    assert "gives 1 names" in status.reason and str(log) in status.reason
    assert "previous analysis files are kept" in status.reason
    assert "pixi run export" in status.reason
    assert verdict.failure_report(verdict.collect(facts.Project()))[0] == "1 of 1 jobs failed:"


def test_an_export_that_worked_after_an_old_failure_is_done(project):
    write_log(steps.EXPORT, "Wrote x\nExported fish1/day\n", layout.PROVENANCE)
    assert status_of().state == "done"


def test_a_failed_behaviour_step_is_named(project):
    write_log(
        steps.BEHAVIOUR,
        "Job fish1/day: behaviour not measured: fish1/day: no body length is known\n",
        layout.PROVENANCE,
    )
    status = status_of()
    assert status.state == "failed" and "measuring behaviour failed" in status.reason
    assert "no body length" in status.reason


# -- odd names and files, through the real commands (fix-paths runs the repair step) --------


def test_a_settings_name_with_braces_is_refused_alone_and_the_rest_runs(tmp_path):
    """Snakemake would stop the whole batch with a WildcardError; here that one file is
    listed with the reason (status, the launcher) and the others are planned."""
    from conftest import make_workspace, planned_jobs

    ws = make_workspace(tmp_path / "project")
    ws.add_video("demo")
    ws.add_job("demo", "good")
    ws.add_job("demo", "x{0}")
    config = ws.path("config", "config.yaml")
    config.write_text(config.read_text() + "exports:\n  px_per_mm:\n    ghost: 2.0\n")
    dry = ws.snakemake("-n")
    assert dry.returncode == 0, dry.stdout[-2000:] + dry.stderr[-2000:]
    assert planned_jobs(dry)["track"] == 1
    status = ws.task("status", timeout=300)
    assert re.search(r"^demo\s+x\{0\}\s+failed\s+not tracked: settings/demo/x\{0\}\.toml: its"
                     r" name holds \{ \}", status.stdout, re.M), status.stdout  # fmt: skip
    assert re.search(r"^demo\s+good\s+pending", status.stdout, re.M)
    launcher = ws.task("track", "-n", timeout=300)
    assert "Not tracked: settings/demo/x{0}.toml: its name holds { }" in launcher.stdout
    ghost = "config/config.yaml, exports: px_per_mm: names ghost, which is no folder"
    assert f"Note: {ghost}" in launcher.stdout and ghost in status.stdout


def test_a_huge_settings_file_is_refused_by_the_repair_with_the_reason(tmp_path):
    from conftest import make_workspace

    ws = make_workspace(tmp_path / "project")
    ws.add_video("demo")
    path = ws.add_job("demo", "huge")
    path.write_text(path.read_text() + ("# " + "x" * 98 + "\n") * 20_000)  # 2 MB of comments
    result = ws.task("fix-paths-report", timeout=300)
    assert result.returncode == 1
    assert "is 2.0 MB; a settings file is a few kilobytes" in result.stdout
    assert not ws.path("results", "settings", "demo", "huge.toml").exists()


def test_a_folder_given_as_the_video_says_it_is_a_folder(tmp_path):
    from conftest import make_workspace

    ws = make_workspace(tmp_path / "project")
    ws.add_video("demo")
    ws.add_job("demo", "folder", video_path=str(ws.path("videos")))
    result = ws.task("fix-paths-report", timeout=300)
    assert result.returncode == 1
    assert f"That is the folder {ws.path('videos')}, not a video file" in result.stdout
    assert "demo.avi" in result.stdout  # what is in it
    assert "was not found" not in result.stdout


def test_fix_paths_in_place_writes_through_a_linked_settings_file(tmp_path):
    from conftest import make_workspace

    ws = make_workspace(tmp_path / "project")
    ws.add_video("demo")
    shared = tmp_path / "share" / "day1.toml"
    shared.parent.mkdir()
    written = ws.add_job("demo", "day1", video_path=r"C:\\Users\\me\\demo.avi")
    shared.write_bytes(written.read_bytes())
    written.unlink()
    written.symlink_to(shared)
    result = ws.task("fix-paths-in-place", timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert written.is_symlink() and written.resolve() == shared
    assert "C:" not in shared.read_text() and "is a link: its target" in result.stdout
    assert (shared.parent / "day1.toml.bak").read_text().count("C:") == 1


def test_switching_the_table_format_lists_the_stale_file(project):
    """tidy_table: csv after parquet: the old parquet is stale; the movement file is not."""
    from idtracker_flow.exports import job as export
    from idtracker_flow.exports import outputs

    chosen = outputs.patterns({"movement": True, "tidy_table": "csv"})
    files = {name: layout.job_path(p, "fish1", "day") for name, p in chosen.items()}
    stale = export.stale_files("fish1", "day", files)
    assert stale == [
        layout.job_path(layout.TIDY_TABLE.replace("{format}", "parquet"), "fish1", "day")
    ]


@pytest.fixture
def full_disk(tmp_path):
    """A real 1 MB filesystem (tmpfs), filled up: CI runs as root; elsewhere skipped."""
    mount = tmp_path / "full"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small filesystem needs root (CI runs as root)")
    with full_small_disk(mount):
        yield mount


def test_a_do_not_retry_note_survives_a_full_disk(full_disk):
    """A stall from a full disk must not be tried again because its note could not be
    written there: the note goes to memory (/dev/shm) and the next attempt reads it."""
    from idtracker_flow.tracking import retry

    log = full_disk / "track.log"
    with pytest.raises(OSError):
        retry.note_path(log).write_text("x" * 100_000)
    retry.remember(log, "the disk is full", transient=False)
    try:
        assert retry.previous(log) == {"transient": False, "reason": "the disk is full"}
    finally:
        retry.forget(log)
    assert retry.previous(log)["transient"] is True  # forgotten: no note anywhere


def test_a_full_disk_in_a_step_is_said_in_words(full_disk, capsys):
    from idtracker_flow.project import atomic_files, disk_full

    target = full_disk / "tracking" / "x.h5"
    source = full_disk.parent / "source.h5"
    source.write_bytes(b"\1" * 2_000_000)
    with pytest.raises(SystemExit) as stopped:
        with disk_full.explained("Job fish1/day", target):
            atomic_files.copy_file(source, target)
    assert stopped.value.code == 1
    said = capsys.readouterr().err
    assert said.startswith(
        f"Job fish1/day: the disk that holds {target.parent} is full (0 MB free)"
    )
    assert "What to do: make room" in said and "Traceback" not in said
    assert not list(target.parent.glob("*partial*"))  # no half file left


def test_config_keys_naming_no_video_are_reported():
    from idtracker_flow.project.config_names import unknown_names

    config = {
        "exports": {"px_per_mm": {"fish1": 2.0, "fihs2": 3.0}, "individual_names": {}},
        "recordings": {
            "join": {"colony": ["day1", "day9"]},
            "reference": {"colony": "a"},
            "image_size": {},
        },  # fmt: skip
        "behaviour": {"arena": {"ghost": {}}, "body_length_px": {}},
    }
    lines = unknown_names(config, {"fish1", "day1"})
    assert any("exports: px_per_mm: names fihs2" in line for line in lines)
    assert any("behaviour: arena: names ghost" in line for line in lines)
    assert any("join: colony: names day9" in line for line in lines)
    assert not any("reference" in line for line in lines)  # colony is a recording
    assert len(unknown_names(config, {"fish1", "day1"}, with_join=False)) == 2
