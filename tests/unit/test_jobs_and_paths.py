"""Unit tests: job discovery and path handling (no Snakemake, no tracking)."""

from pathlib import Path

import pytest
import tomlkit

from idtracker_flow.project import paths as path_repair
from idtracker_flow.project.jobs import discover_jobs
from idtracker_flow.settings import repair as repair_settings


def test_discover_jobs_finds_each_settings_file(tmp_path):
    for name in ("v1/day.toml", "v1/night.toml", "v2/all.toml", "v2/.hidden.toml"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("")
    (tmp_path / "v2" / "notes.txt").write_text("")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.toml").write_text("")
    (tmp_path / "loose.toml").write_text("")
    assert discover_jobs(tmp_path) == [("v1", "day"), ("v1", "night"), ("v2", "all")]


def test_discover_jobs_without_settings_folder(tmp_path):
    assert discover_jobs(tmp_path / "nothing") == []


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("C:\\\\Users\\\\me\\\\v.avi", "C:/Users/me/v.avi"),  # as the segmentation app saves
        ("C:\\Users\\me\\v.avi", "C:/Users/me/v.avi"),
        ("\\\\\\\\server\\\\share\\\\v.avi", "//server/share/v.avi"),  # UNC, doubled
        ("\\\\server\\share\\v.avi", "//server/share/v.avi"),
        ("/data/v.avi", "/data/v.avi"),
        ("videos/v.avi", "videos/v.avi"),
    ],
)
def test_normalise(written, expected):
    assert path_repair.normalise(written) == expected


def test_prefix_map_longest_match_and_windows_case():
    prefixes = {"Z:/lab": "/mnt/lab", "z:/LAB/fish": "/fast/fish", "/Volumes/Ext": "/data"}
    assert path_repair.apply_prefix("Z:/Lab/mice/a.avi", prefixes) == "/mnt/lab/mice/a.avi"
    assert path_repair.apply_prefix("Z:/lab/fish/a.avi", prefixes) == "/fast/fish/a.avi"
    assert path_repair.apply_prefix("/Volumes/Ext/a.avi", prefixes) == "/data/a.avi"
    assert path_repair.apply_prefix("/volumes/ext/a.avi", prefixes) is None  # POSIX: exact case
    assert path_repair.apply_prefix("/Volumes/Extra/a.avi", prefixes) is None


def test_locate_tries_every_place_in_order(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = tmp_path / "settings" / "v" / "j.toml"
    settings.parent.mkdir(parents=True)
    (tmp_path / "videos" / "sub").mkdir(parents=True)
    (tmp_path / "videos" / "sub" / "moved.avi").write_bytes(b"x")
    path_repair.forget_folder_index()

    lookup = path_repair.locate("D:\\\\old\\\\moved.avi", settings, {}, ["videos"])
    assert lookup.found == Path("videos/sub/moved.avi")

    lookup = path_repair.locate("D:\\\\old\\\\gone.avi", settings, {}, ["videos"])
    assert lookup.found is None
    assert len(lookup.tried) == 3 and "Windows path" in lookup.tried[0]
    assert "no prefix matches" in lookup.tried[1]
    message = path_repair.describe_failure(lookup, "video_paths", settings, "v/j", "video")
    assert "gone.avi" in message and "path_prefixes" in message and "v/j" in message


def test_locate_refuses_to_pick_between_two_copies(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for folder in ("videos/a", "videos/b"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "twin.avi").write_bytes(b"x")
    path_repair.forget_folder_index()
    lookup = path_repair.locate("E:/twin.avi", tmp_path / "s.toml", {}, ["videos"])
    assert lookup.found is None and lookup.ambiguous
    message = path_repair.describe_failure(
        lookup, "video_paths", tmp_path / "s.toml", "v/j", "video"
    )
    assert "videos/a/twin.avi" in message and "videos/b/twin.avi" in message


def test_session_reference():
    assert path_repair.session_reference("results/sessions/v1/session_day") == ("v1", "day")
    assert path_repair.session_reference("C:\\\\x\\\\v1\\\\session_day\\\\accumulation_0") == (
        "v1",
        "day",
    )
    assert path_repair.session_reference("/data/models/net") is None


def test_repair_writes_a_usable_copy_and_keeps_the_original(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "videos").mkdir()
    (tmp_path / "videos" / "fish.avi").write_bytes(b"not really a video")
    settings = tmp_path / "settings" / "fish" / "day.toml"
    settings.parent.mkdir(parents=True)
    original = (
        "\ufeff# saved on the lab PC\r\n"
        "Video_Paths = ['C:\\\\lab\\\\fish.avi']\r\n"
        "area_ths = [50, inf]\r\n"
        "exclusive_roi = false\r\n"
        "output_dir = 'C:\\\\out'\r\n"
    )
    settings.write_bytes(original.encode("utf-8"))
    path_repair.forget_folder_index()
    out = tmp_path / "results" / "repaired.toml"

    notes = repair_settings.repair(settings, out, "fish", "day", {}, ["videos"], check_videos=False)

    assert settings.read_bytes() == original.encode("utf-8")
    text = out.read_text()
    assert "# saved on the lab PC" in text
    assert f"video_paths = ['{(tmp_path / 'videos' / 'fish.avi').as_posix()}']" in text
    repaired = tomlkit.parse(text).unwrap()
    assert repaired["area_ths"] == [50.0, float("inf")]
    assert repaired["exclusive_rois"] is False and "output_dir" not in repaired
    assert any("video_paths" in note for note in notes)
