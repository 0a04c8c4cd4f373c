"""Identities across the cut, with real idtracker.ai and real Snakemake: a recording in three
split files (3 animals moving on across the cuts), the last filmed under other light (half the
contrast, more sensor noise, another intensity threshold in its settings). The parts follow
each other in time, so each animal's last position in one part is its first in the next: the
workflow matches by position at the cut as well as by appearance (idmatcher.ai), and the
identities must come out right in every part against the known truth."""

import json
import time

import numpy as np
import pandas as pd
import pytest
from conftest import copy_workspace, make_workspace, run_status

from idtracker_flow.demo import ground_truth, synthetic_video
from idtracker_flow.recordings import decision

FRAMES = 200
PARTS = ["fish1-00", "fish1-01", "fish1-02"]
NIGHT = 2  # the index of the part filmed under other light
IDENTITIES = {"track_wo_identities": False, "disable_contrastive": True, "n_animals": 3}
# idmatcher.ai compares identification images of one size; the night part's animals could
# give idtracker.ai another, so the recording fixes it (config recordings.image_size).
CONFIG = "\nrecordings:\n  image_size:\n    fish1: {id_image_size: 22, resolution_reduction: 1.0}\n"


@pytest.fixture(scope="session")
def night_recording(tmp_path_factory):
    ws = make_workspace(tmp_path_factory.mktemp("night") / "project")
    made = synthetic_video.make_recording(
        ws.path("videos"), len(PARTS), FRAMES, n_animals=3, night_parts=(NIGHT,)
    )
    for part, facts in zip(PARTS, made):
        ws.add_job(
            "fish1", part, video_path=f"videos/{part}.avi",
            intensity_ths=facts["intensity_ths"], **IDENTITIES,
        )  # fmt: skip
    config = ws.path("config", "config.yaml")
    config.write_text(config.read_text() + CONFIG)
    started = time.monotonic()
    result = ws.snakemake(timeout=3000)
    print(f"\nTracking 3 parts (one at night) and matching took {time.monotonic() - started:.0f} s")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return ws


def truth(ws, part: str) -> np.ndarray:
    return ground_truth.load_groundtruth(ws.path("videos", f"{part}.groundtruth.csv"))[0]


def joined_positions(ws, part: str) -> np.ndarray:
    """(frames, animals, 2) of one part in the joined recording, animals in the recording's
    identity order."""
    table = pd.read_parquet(ws.path("recordings", "fish1", "fish1.tidy.parquet"))
    rows = table[table["job"] == f"fish1/{part}"]
    names = list(table["individual"].cat.categories)
    return np.stack(
        [rows[rows["individual"] == n].sort_values("frame")[["x", "y"]].to_numpy() for n in names],
        axis=1,
    )


def expected_assignment(ws, part: str) -> list[int]:
    """The truth: idtracker.ai's identities of the part, through the animal each follows, to
    the reference's identities (0-based)."""
    animal_of = {}
    for name in ("fish1-00", part):
        result = ground_truth.score_files(
            ws.path("tracking", "fish1", f"{name}.h5"), ws.path("videos", f"{name}.groundtruth.csv")
        )
        print(f"\n{name} tracked on its own: {ground_truth.summary(result)}")
        assert result.identity_accuracy > 0.9, ground_truth.summary(result)
        animal_of[name] = result.identity_map
    reference = {animal: identity for identity, animal in animal_of["fish1-00"].items()}
    return [reference[animal_of[part][i + 1]] - 1 for i in range(3)]


def test_identities_are_right_in_every_part_of_the_joined_recording(night_recording):
    ws = night_recording
    maps = []
    for part in PARTS:
        score = ground_truth.score(joined_positions(ws, part), truth(ws, part))
        print(f"\n{part} in the joined recording: {ground_truth.summary(score)}")
        assert score.identity_accuracy > 0.9
        maps.append(score.identity_map)
    # One map from identity to animal for the whole recording: no swap at any cut.
    assert maps[0] == maps[1] == maps[2]


def test_continuity_decides_the_part_filmed_under_other_light(night_recording):
    ws = night_recording
    summary = json.loads(ws.path("recordings", "fish1", "matches.json").read_text())
    for part in PARTS[1:]:
        match = summary["matches"][f"fish1/{part}"]
        cut, look = match["continuity"], match["appearance"]
        print(
            f"\n{part}: decided by {match['decided_by']}; continuity {cut['confidence']} (moved"
            f" {cut['moved_body_lengths']} body lengths, nearest other"
            f" {cut['nearest_other_body_lengths']}); appearance {look['assignment']}"
            f" {look['confidence']}, contested {look['contested']}"
        )
        assert match["contiguous"]["contiguous"], match["contiguous"]
        assert "consecutive split files" in match["contiguous"]["why"]
        assert match["continuity"]["assignment"] == expected_assignment(ws, part)
        assert min(match["continuity"]["confidence"]) >= 0.5
        assert "continuity" in match["decided_by"] and match["joined"]
        if not decision.is_sure(look, 0.5):  # appearance may agree, it does not decide
            assert match["decided_by"] == "continuity"
        assert match["assignment"] == expected_assignment(ws, part)
    rows = pd.read_csv(ws.path("results", "qc", "recordings.csv")).set_index("recording")
    assert "fish1-02: continuity" in rows.loc["fish1", "decided_by"]
    printed, _ = run_status(ws)
    assert "decided by: fish1-01: " in printed and "fish1-02: continuity" in printed


def test_parts_declared_not_contiguous_are_matched_by_appearance_only(night_recording, tmp_path):
    ws = copy_workspace(night_recording, tmp_path / "declared")
    config = ws.path("config", "config.yaml")
    config.write_text(config.read_text() + "  contiguous:\n    fish1: false\n")
    result = ws.snakemake("recordings/fish1/matches.json", "--forcerun", "match_recording")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    summary = json.loads(ws.path("recordings", "fish1", "matches.json").read_text())
    for part in PARTS[1:]:
        match = summary["matches"][f"fish1/{part}"]
        print(f"\n{part} by appearance only: {match['decided_by']}, {match['appearance']}")
        assert match["continuity"] is None
        assert "config recordings.contiguous says not contiguous" in match["contiguous"]["why"]
        assert match["decided_by"] in ("appearance", "none")
        positions = joined_positions(ws, part)
        if match["joined"]:
            score = ground_truth.score(positions, truth(ws, part))
            assert match["assignment"] == expected_assignment(ws, part), score
        else:  # never shown under identities nobody is sure of
            assert np.isnan(positions).all()
            assert f"fish1/{part} has no positions" in summary["flags"]
