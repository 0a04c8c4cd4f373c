"""workflow/scripts/overlay_video.py (rule overlay_video, `pixi run videos`): a tracker's video
generator that fails says the job and one thing to do."""

import json
from types import SimpleNamespace

import overlay_video
import pytest


def smk_for(tmp_path, record: dict, config: dict) -> SimpleNamespace:
    tracked = tmp_path / "v" / "j.tracked.json"
    tracked.parent.mkdir(parents=True)
    tracked.write_text(json.dumps(record))
    return SimpleNamespace(
        wildcards=SimpleNamespace(video="v", job="j"),
        log=[str(tmp_path / "overlay.log")],
        input=SimpleNamespace(tracked=str(tracked), trajectories=str(tmp_path / "v" / "j.h5")),
        output=SimpleNamespace(video=str(tmp_path / "v" / "j.avi")),
        config=config,
    )


def test_a_missing_tracker_environment_gives_its_own_advice_only(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    smk = smk_for(
        tmp_path, {"tracker": "deeplabcut"}, {"deeplabcut_python": str(tmp_path / "no" / "python")}
    )
    with pytest.raises(SystemExit):
        overlay_video.main(smk)
    said = (tmp_path / "overlay.log").read_text()
    assert said.startswith("Job v/j: DeepLabCut's video generator failed: this is a DeepLabCut")
    assert "python3 tasks.py setup-dlc" in said and said.count("What to do") == 1, said


def test_a_generator_without_advice_gets_the_videos_advice(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    smk = smk_for(tmp_path, {"tracker": "idtrackerai"}, {})  # no session: the generator fails
    with pytest.raises(SystemExit):
        overlay_video.main(smk)
    said = (tmp_path / "overlay.log").read_text()
    assert said.startswith("Job v/j: idtracker.ai's video generator failed: ")
    assert "What to do: check that the job's video is where its session" in said, said
    assert said.count("What to do") == 1, said
