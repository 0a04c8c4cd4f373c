"""`pixi run fix-paths-report` (report, or rewrite the user's files with backups), the key list
and the recovery of hand-typed Windows paths, as plain Python on real files."""

import shutil

import tomlkit
from conftest import make_workspace

from idtracker_flow.project.jobs import discover_jobs
from idtracker_flow.settings import reader as settings_file
from idtracker_flow.trackers.idtrackerai import known_keys


def run_fix_paths(ws, *args):
    return ws.task("fix-paths-report", *args, timeout=300)


def test_accepted_keys_are_what_idtrackerai_accepts():
    from idtrackerai import Session
    from idtrackerai.utils import conf

    real = set(Session.__annotations__) | {key.lower() for key in conf.as_dict()}
    assert known_keys.accepted_keys() == real
    assert known_keys.closest_key("intensity_th") == "intensity_ths"
    assert "What to do" in known_keys.describe_unknown("protocol3_action")


def test_double_quoted_windows_paths_are_read_literally():
    text = r"""
a = ["C:\new\test.avi", "D:\data\fish.avi"]
b = "\\server\share\v.avi"
c = "C:\\already\\escaped.avi"
d = "not a path\tbut a tab"
"""
    fixed, recovered = settings_file.recover_windows_paths(text)
    values = tomlkit.parse(fixed).unwrap()
    assert values["a"] == [r"C:\new\test.avi", r"D:\data\fish.avi"]
    assert values["b"] == r"\\server\share\v.avi"
    assert values["c"] == r"C:\already\escaped.avi"
    assert values["d"] == "not a path\tbut a tab"
    assert len(recovered) == 3


def test_backups_are_not_jobs(tmp_path):
    folder = tmp_path / "settings" / "fish"
    folder.mkdir(parents=True)
    for name in ("day1.toml", "day1.toml.bak", "day1.toml.bak.1", "day1.toml.partial"):
        (folder / name).write_text("")
    assert discover_jobs(tmp_path / "settings") == [("fish", "day1")]


def windows_job(ws, video, job):
    """A file as the segmentation app saves it on Windows (the video is in videos/ here)."""
    return ws.add_job(video, job, video_path=rf"C:\\Users\\me\\{video}.avi")


def test_report_only_writes_nothing(tmp_path):
    ws = make_workspace(tmp_path / "project")
    ws.add_video("demo")
    path = windows_job(ws, "demo", "day1")
    before = path.read_bytes()
    result = run_fix_paths(ws)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "fixable demo/day1" in result.stdout
    assert "+video_paths = ['" in result.stdout and "-video_paths = ['C:" in result.stdout
    assert "Nothing was written" in result.stdout
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["day1.toml"]


def test_in_place_rewrites_with_backups_and_never_overwrites_one(tmp_path):
    ws = make_workspace(tmp_path / "project")
    ws.add_video("demo")
    path = windows_job(ws, "demo", "day1")
    good = ws.add_job("demo", "local", video_path=str(ws.path("videos", "demo.avi")))
    lost = ws.add_job("lost", "day", video_path=r"D:\\lab\\lost_video.avi")
    original, lost_before = path.read_bytes(), lost.read_bytes()
    path.with_name("day1.toml.bak").write_text("an older backup the user kept\n")

    result = run_fix_paths(ws, "--in-place")

    assert result.returncode == 1, "an unfixable file makes the command fail"
    assert "FAILED lost/day" in result.stdout and "lost_video.avi" in result.stdout
    assert "fixed  demo/day1" in result.stdout
    assert "ok     demo/local: nothing to change" in result.stdout
    assert path.with_name("day1.toml.bak").read_text() == "an older backup the user kept\n"
    assert path.with_name("day1.toml.bak.1").read_bytes() == original
    assert lost.read_bytes() == lost_before
    assert not list(good.parent.glob("local.toml.*"))
    settings = tomlkit.parse(path.read_text()).unwrap()
    assert settings["video_paths"] == [str(ws.path("videos", "demo.avi").resolve())]
    assert discover_jobs(ws.path("settings")) == [
        ("demo", "day1"), ("demo", "local"), ("lost", "day")
    ]  # fmt: skip

    # Run again: nothing left to change in the fixed file, so no new backup.
    shutil.rmtree(ws.path("settings", "lost"))
    again = run_fix_paths(ws, "--in-place")
    assert again.returncode == 0, again.stdout
    assert "ok     demo/day1: nothing to change" in again.stdout
    assert not path.with_name("day1.toml.bak.2").exists()
