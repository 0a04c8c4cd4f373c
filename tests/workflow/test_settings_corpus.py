"""The settings-file corpus (tests/data/settings_corpus/) through the real Snakemake.

Every case goes through the fix_paths target (repair only, no tracking, seconds); two
representative fixable cases are also tracked by the real idtracker.ai next to two unfixable
ones, to show a bad file fails only its own job.
"""

import shutil
from pathlib import Path

import cv2
import h5py
import numpy as np
import pytest
import tomlkit
import yaml
from conftest import REPO, make_workspace, run_status

from idtracker_flow.demo import ground_truth

CORPUS = REPO / "tests" / "data" / "settings_corpus"
SPEC = yaml.safe_load((CORPUS / "expected.yaml").read_text(encoding="utf-8"))
CASES = SPEC["cases"]
FIXABLE = sorted(name for name, case in CASES.items() if case["outcome"] == "repaired")
UNFIXABLE = sorted(name for name, case in CASES.items() if case["outcome"] == "fails")
TRACKED = sorted(name for name, case in CASES.items() if case.get("track"))


def test_corpus_is_complete():
    """One file per case and one case per file, and at least 15 kinds."""
    files = {path.stem for path in CORPUS.glob("*.toml")}
    assert files == set(CASES)
    assert len(CASES) >= 15
    assert UNFIXABLE and FIXABLE and TRACKED


def build_corpus_workspace(root: Path, cases) -> "Workspace":  # noqa: F821
    ws = make_workspace(root)
    layout = SPEC["workspace"]
    demo = ws.add_video("demo")
    for place in layout["videos"]:
        target = ws.path(place)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target != demo["video"]:
            shutil.copy2(demo["video"], target)
    for place in layout["junk"]:
        ws.path(place).write_bytes(b"not a video at all\n" * 100)
    for place in layout["cut_short"]:
        whole = demo["video"].read_bytes()
        ws.path(place).write_bytes(whole[: len(whole) * 3 // 10])
    capture = cv2.VideoCapture(str(demo["video"]))
    frame = (
        int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT)),
        int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)),
    )
    capture.release()
    for place, size in layout["backgrounds"].items():
        height, width = frame if size == "video" else (size[1], size[0])
        ws.path(place).parent.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(ws.path(place)), np.full((height, width), 200, np.uint8))
    for place in layout["files"]:
        ws.path(place).parent.mkdir(parents=True, exist_ok=True)
        ws.path(place).write_bytes(b"")
    for place in layout["folders"]:
        ws.path(place).mkdir(parents=True, exist_ok=True)
    config_path = ws.path("config", "config.yaml")
    config = yaml.safe_load(config_path.read_text())
    config["path_prefixes"] = {
        written: str(ws.path(local).resolve()) for written, local in layout["path_prefixes"].items()
    }
    config["threads"] = 2
    config_path.write_text(yaml.safe_dump(config))
    for case in cases:
        target = ws.settings_path("corpus", case)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(CORPUS / f"{case}.toml", target)
    return ws


@pytest.fixture(scope="module")
def repaired(tmp_path_factory):
    ws = build_corpus_workspace(tmp_path_factory.mktemp("corpus") / "project", CASES)
    result = ws.snakemake("fix_paths")
    return ws, result


def test_fix_paths_runs_every_job_and_fails_only_the_unfixable(repaired):
    ws, result = repaired
    output = result.stdout + result.stderr
    assert result.returncode != 0, "unfixable files must make the run end non-zero"
    assert "rule track" not in output, "fix_paths must not track"
    for case in UNFIXABLE:
        assert f"results/logs/repair_settings/corpus/{case}.log" in output, case
    for case in FIXABLE:
        assert ws.path("results", "settings", "corpus", f"{case}.toml").is_file(), case


@pytest.mark.parametrize("case", FIXABLE)
def test_fixable_case_is_repaired(repaired, case):
    ws, _ = repaired
    text = ws.path("results", "settings", "corpus", f"{case}.toml").read_text()
    settings = tomlkit.parse(text).unwrap()
    for key, value in CASES[case].get("expect", {}).items():
        if key in (
            "video_paths",
            "background_subtraction_stat",
            "knowledge_transfer_folder",
        ):
            expected = [value] if isinstance(value, str) else value
            got = settings[key] if isinstance(settings[key], list) else [settings[key]]
            assert got == [str(ws.path(p).resolve()) for p in expected], key
        elif value is None:
            assert key not in settings, key
        else:
            assert settings[key] == value, key
    for path in settings["video_paths"]:
        assert Path(path).is_file()
    assert "\\" not in text, "paths are written with forward slashes"


@pytest.mark.parametrize("case", UNFIXABLE)
def test_unfixable_case_names_the_problem(repaired, case):
    ws, _ = repaired
    log = ws.path("results", "logs", "repair_settings", "corpus", f"{case}.log").read_text()
    assert f"settings/corpus/{case}.toml" in log
    assert "What to do" in log
    for text in CASES[case]["message"]:
        assert text in log, f"{text!r} missing from:\n{log}"
    assert not ws.path("results", "settings", "corpus", f"{case}.toml").exists()


def _idtrackerai_load(path: Path) -> dict:
    from idtrackerai.utils.py_utils import load_toml

    return load_toml(path)


def test_every_repaired_copy_loads_in_idtrackerai(repaired):
    """idtracker.ai's own loader reads each repaired copy, and accepts every key in it."""
    from idtrackerai import Session
    from idtrackerai.utils import conf

    ws, _ = repaired
    accepted = set(Session.__annotations__) | {key.lower() for key in conf.as_dict()}
    for case in FIXABLE:
        parameters = _idtrackerai_load(ws.path("results", "settings", "corpus", f"{case}.toml"))
        assert set(parameters) <= accepted, case


ROUND_TRIP = sorted(n for n, c in CASES.items() if c.get("saved_by") == "segmentation_app")
REPAIRED_PATH_KEYS = {
    "video_paths",
    "background_subtraction_stat",
    "knowledge_transfer_folder",
}


@pytest.mark.parametrize("case", ROUND_TRIP)
def test_segmentation_app_file_round_trips(repaired, case):
    """Same parameters through idtracker.ai's loader, except the repaired paths."""
    ws, _ = repaired
    original = _idtrackerai_load(CORPUS / f"{case}.toml")
    repaired_copy = _idtrackerai_load(ws.path("results", "settings", "corpus", f"{case}.toml"))
    assert set(original) == set(repaired_copy)
    for key in original:
        if key in REPAIRED_PATH_KEYS:
            value = repaired_copy[key]
            paths = [value] if isinstance(value, str) else value
            assert len(paths) == len(original[key] if isinstance(value, list) else [1])
            assert all(Path(path).is_absolute() and Path(path).exists() for path in paths)
        else:
            assert repaired_copy[key] == original[key], key


def test_tracks_fixable_cases_while_unfixable_fail(tmp_path):
    """Real tracking: two fixable cases (Windows drive, UNC share via the prefix map) next to
    two unfixable ones in one run."""
    batch = TRACKED + ["missing_video", "unknown_key"]
    ws = build_corpus_workspace(tmp_path / "project", batch)
    result = ws.snakemake()
    output = result.stdout + result.stderr
    assert result.returncode != 0
    for case in TRACKED:
        trajectories = ws.path("tracking", "corpus", f"{case}.h5")
        assert trajectories.is_file(), output[-3000:]
        with h5py.File(trajectories) as h5:
            assert h5["trajectories"].shape == (200, 2, 2)
        score = ground_truth.score_files(trajectories, ws.path("videos", "demo.groundtruth.csv"))
        assert score.median_error_px < 3.0
    for case in ("missing_video", "unknown_key"):
        assert not ws.path("tracking", "corpus", f"{case}.h5").exists()
        log = ws.path("results", "logs", "repair_settings", "corpus", f"{case}.log").read_text()
        for text in CASES[case]["message"]:
            assert text in log


def test_status_names_the_problem_of_every_unfixable_case(repaired):
    """`pixi run status` shows each failed check's own message, never 'no error message'."""
    ws, _ = repaired
    _, rows = run_status(ws)
    for case in UNFIXABLE:
        row = rows[f"corpus/{case}"]
        assert row["state"] == "failed", case
        assert row["reason"].startswith("checking the settings failed: "), row["reason"]
        assert "no error message" not in row["reason"], case
        assert f"corpus/{case}" in row["reason"], row["reason"]
