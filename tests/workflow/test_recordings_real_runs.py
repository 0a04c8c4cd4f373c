"""Recordings with real idtracker.ai and real Snakemake: a synthetic recording in two parts
(the same two animals, moving on across the boundary), each part tracked with identities on
its own, matched with idmatcher.ai by the workflow. Against the known truth, every animal keeps
one identity from the start of part -00 to the end of part -01."""

import json
import re
import shutil
import time

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from conftest import copy_workspace, make_workspace, run_status, task_command
from terminal import foreign_lines, need_tmux, screens_of

from idtracker_flow.demo import ground_truth, synthetic_video

FRAMES_PER_PART = 150
PARTS = ["fish1-00", "fish1-01"]
# Identities on a CPU in a few minutes: no contrastive step (the markings are learnt from the
# global fragments alone on this video).
IDENTITIES = {"track_wo_identities": False, "disable_contrastive": True}


@pytest.fixture(scope="session")
def recording_tracked(tmp_path_factory):
    ws = make_workspace(tmp_path_factory.mktemp("recording") / "project")
    synthetic_video.make_recording(ws.path("videos"), 2, FRAMES_PER_PART)
    for part in PARTS:
        ws.add_job("fish1", part, video_path=f"videos/{part}.avi", **IDENTITIES)
    started = time.monotonic()
    result = ws.snakemake(timeout=3000)
    print(f"\nTracking 2 parts and matching took {time.monotonic() - started:.0f} s")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return ws


def truth_of_recording(ws) -> np.ndarray:
    parts = [
        ground_truth.load_groundtruth(ws.path("videos", f"{p}.groundtruth.csv"))[0] for p in PARTS
    ]
    return np.concatenate(parts)


def test_every_animal_keeps_one_identity_across_the_parts(recording_tracked):
    ws = recording_tracked
    table = pd.read_parquet(ws.path("recordings", "fish1", "fish1.tidy.parquet"))
    individuals = list(table["individual"].cat.categories)
    assert len(individuals) == 2
    # Rows map back to (job, video file, frame), parts in time order.
    first = table[table["job"] == "fish1/fish1-00"]
    second = table[table["job"] == "fish1/fish1-01"]
    assert len(first) == len(second) == 2 * FRAMES_PER_PART
    assert first["recording_frame"].max() < second["recording_frame"].min()
    assert set(second["video_file"]) == {"fish1-01.avi"}
    assert list(second["frame"].unique()) == list(range(FRAMES_PER_PART))
    tracked = np.stack(
        [
            table[table["individual"] == name].sort_values("recording_frame")[["x", "y"]].to_numpy()
            for name in individuals
        ],
        axis=1,
    )
    truth = truth_of_recording(ws)
    joined = ground_truth.score(tracked, truth)
    print(f"\nJoined recording: {ground_truth.summary(joined)}")
    # One global map from identity to animal for the whole recording: a swap at the part
    # boundary would leave half of the frames wrongly identified.
    assert joined.identity_accuracy > 0.9
    halves = [ground_truth.score(tracked[s], truth[s]) for s in (slice(0, 150), slice(150, 300))]
    assert halves[0].identity_map == halves[1].identity_map == joined.identity_map


def test_each_part_is_assigned_the_reference_identity_of_the_same_animal(recording_tracked):
    """The truth, part by part: idtracker.ai's own identity labels of each part (in general
    not the same animal in both parts) against the animal they follow, composed with the
    reference's, give the assignment idmatcher.ai must find."""
    ws = recording_tracked
    summary = json.loads(ws.path("recordings", "fish1", "matches.json").read_text())
    animal_of = {}  # part -> {idtracker.ai identity: true animal}
    for part in PARTS:
        result = ground_truth.score_files(
            ws.path("tracking", "fish1", f"{part}.h5"), ws.path("videos", f"{part}.groundtruth.csv")
        )
        assert result.identity_accuracy > 0.9, ground_truth.summary(result)
        animal_of[part] = result.identity_map
    reference_identity = {animal: ident for ident, animal in animal_of["fish1-00"].items()}
    expected = [reference_identity[animal_of["fish1-01"][i + 1]] - 1 for i in range(2)]
    print(
        f"\nidtracker.ai's identities of part -01 are the reference's {[e + 1 for e in expected]}"
    )
    assert summary["matches"]["fish1/fish1-01"]["assignment"] == expected


def test_the_recording_files_say_how_sure_the_match_is(recording_tracked):
    ws = recording_tracked
    summary = json.loads(ws.path("recordings", "fish1", "matches.json").read_text())
    assert summary["order"] == ["fish1/fish1-00", "fish1/fish1-01"]
    assert summary["reference"] == "fish1/fish1-00"
    match = summary["matches"]["fish1/fish1-01"]
    assert sorted(match["assignment"]) == [0, 1]
    assert all(0 <= c <= 1 for c in match["confidence"])
    assert summary["parts"] == 2 and summary["frames"] == 2 * FRAMES_PER_PART
    dataset = xr.open_dataset(ws.path("recordings", "fish1", "fish1.movement.nc"))
    assert dataset.sizes["time"] == 2 * FRAMES_PER_PART
    assert list(np.unique(dataset["job"].values)) == ["fish1/fish1-00", "fish1/fish1-01"]
    # Each part relabelled, the plain idtracker.ai output left where it is.
    for part in PARTS:
        assert ws.path("recordings", "fish1", "parts", f"fish1.{part}.h5").is_file()
        assert ws.path("tracking", "fish1", f"{part}.h5").is_file()
    # The recording's row in the quality table.
    rows = pd.read_csv(ws.path("results", "qc", "recordings.csv"))
    row = rows.set_index("recording").loc["fish1"]
    assert row["parts"] == 2 and row["state"] in ("matched", "flagged")


def test_the_recordings_behaviour_is_measured_part_by_part(recording_tracked):
    """One row per animal and part, and the parts pooled: frames and distances agree with the
    recording's movement dataset (the jump across the cut is no distance travelled)."""
    ws = recording_tracked
    table = pd.read_csv(ws.path("results", "behaviour", "recordings", "fish1.csv"))
    dataset = xr.open_dataset(ws.path("recordings", "fish1", "fish1.movement.nc"))
    assert set(table["part"]) == {"fish1/fish1-00", "fish1/fish1-01", "all"}
    assert set(table["recording"]) == {"fish1"}
    for individual in dataset.individuals.values:
        rows = table[table["individual"] == individual].set_index("part")
        xy = dataset.position.sel(individuals=individual).isel(keypoints=0).values
        for part in ("fish1/fish1-00", "fish1/fish1-01"):
            mine = xy[dataset["job"].values == part]
            assert rows.loc[part, "frames_tracked"] == (~np.isnan(mine).any(axis=1)).sum()
        parts = rows.loc[["fish1/fish1-00", "fish1/fish1-01"]]
        assert rows.loc["all", "distance_px"] == pytest.approx(parts["distance_px"].sum())
        assert rows.loc["all", "frames"] == 2 * FRAMES_PER_PART
    summary = pd.read_csv(ws.path("results", "behaviour", "summary.csv"))
    assert (summary["recording"] == "fish1").sum() == len(table)


def test_parts_tracked_with_different_image_sizes_are_refused(recording_tracked, tmp_path):
    ws = copy_workspace(recording_tracked, tmp_path / "sizes")
    # As if part -01 had been tracked with another identification image size.
    session_json = ws.path("results", "sessions", "fish1", "session_fish1-01", "session.json")
    info = json.loads(session_json.read_text())
    size = info["id_image_size"][0] + 2
    info["id_image_size"] = [size, size, 1]
    session_json.write_text(json.dumps(info))
    ws.path("results", "sessions", "fish1", "fish1-01.tracked.json").touch()
    before = {
        name: ws.path("recordings", "fish1", name).read_bytes()
        for name in ("matches.json", "fish1.movement.nc")
    }
    result = ws.snakemake("recordings/fish1/matches.json", timeout=600)
    assert result.returncode != 0
    log = ws.path("results", "logs", "match_recording", "fish1.log").read_text()
    assert "idmatcher.ai can only compare identical images" in log
    assert "id_image_size" in log and "settings/fish1/" in log
    # The refused match kept the recording's previous files, and status quotes its message.
    for name, content in before.items():
        assert ws.path("recordings", "fish1", name).read_bytes() == content
    assert ws.path("recordings", "fish1", "parts", "fish1.fish1-00.h5").is_file()
    printed, _ = run_status(ws)
    assert "fish1: failed: " in printed and "interrupted" not in printed


def test_a_failed_part_leaves_the_recording_waiting(recording_tracked, tmp_path):
    ws = copy_workspace(recording_tracked, tmp_path / "failed")
    before = ws.path("recordings", "fish1", "matches.json").read_text()
    ws.add_job("fish1", "fish1-02", video_path="videos/missing.avi", **IDENTITIES)
    result = ws.snakemake(timeout=600)
    assert result.returncode != 0
    # The recording is not matched from the parts that worked: it waits for the failed one.
    assert ws.path("recordings", "fish1", "matches.json").read_text() == before
    printed, rows = run_status(ws)
    assert rows["fish1/fish1-02"]["state"] == "failed"
    assert "fish1: waiting: waiting for fish1/fish1-02 (1 failed" in printed


def test_status_shows_the_recording_matched(recording_tracked):
    printed, _ = run_status(recording_tracked)
    assert "Recordings (parts matched to one identity per animal):" in printed
    assert "fish1: matched: 2 parts, 300 frames" in printed or "fish1: flagged: 2 parts" in printed


def test_config_fixes_the_image_size_idtracker_ai_uses(tmp_path):
    """The design that keeps parts comparable: config recordings.image_size goes into every
    job's repaired settings and idtracker.ai tracks with exactly that size (22 px is what it
    picks by itself on this video). Without identities, to stay quick: the size is set in the
    crossing-detection stage all the same."""
    ws = make_workspace(tmp_path / "project")
    synthetic_video.make_recording(ws.path("videos"), 1, 60)
    ws.add_job("fish1", "fish1-00", video_path="videos/fish1-00.avi")
    config = ws.path("config", "config.yaml")
    fixed = "fish1: {id_image_size: 24, resolution_reduction: 1.0}"
    config.write_text(config.read_text() + f"\nrecordings:\n  image_size:\n    {fixed}\n")
    result = ws.snakemake("tracking/fish1/fish1-00.h5", timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    info = json.loads(
        ws.path("results", "sessions", "fish1", "session_fish1-00", "session.json").read_text()
    )
    assert info["id_image_size"] == [24, 24, 1]
    assert info["resolution_reduction"] == 1.0


def test_a_validated_part_updates_the_recording_without_matching_again(recording_tracked, tmp_path):
    import h5py

    ws = copy_workspace(recording_tracked, tmp_path / "validated")
    # As idtracker.ai's validator does: the session's trajectories rewritten in place.
    session_h5 = ws.path(
        "results", "sessions", "fish1", "session_fish1-01", "trajectories", "trajectories.h5"
    )
    with h5py.File(session_h5, "r+") as h5:
        h5["trajectories"][0, :, :] = [[1.0, 2.0], [3.0, 4.0]]
    result = ws.snakemake("recordings/fish1/matches.json", timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    log = ws.path("results", "logs", "match_recording", "fish1.log").read_text()
    assert "fish1/fish1-01: match unchanged since it was computed" in log
    table = pd.read_parquet(ws.path("recordings", "fish1", "fish1.tidy.parquet"))
    first_of_part = table[(table["job"] == "fish1/fish1-01") & (table["frame"] == 0)]
    assert sorted(first_of_part["x"]) == [1.0, 3.0]


def test_a_person_sees_the_matching_and_only_our_lines(recording_tracked, tmp_path):
    """`pixi run track` in a real terminal (tmux) after a part's session changed: the copies,
    each job's analysis (exports, quality, behaviour) and the recording's match run again (no
    tracking). idmatcher.ai's own output (rich markup, progress bars, warnings) goes to the
    step's log; on screen are the console's lines only, the matching with its part, and at the
    end the recording's line."""
    need_tmux()
    ws = copy_workspace(recording_tracked, tmp_path / "terminal")
    shutil.rmtree(ws.path("results", "recordings", "fish1", "pairs"))  # idmatcher.ai again
    for part in PARTS:
        ws.path("results", "sessions", "fish1", f"{part}.tracked.json").touch()
    screens = screens_of(task_command("track"), ws.root, 200, 50, timeout=900)
    end = screens[-1]
    assert "EXIT=0" in end, end
    assert not foreign_lines(screens), foreign_lines(screens)
    seen = "\n".join(screens)
    assert re.search(r"^  matching fish1 \(part [12] of 2\), \d+ (s|min)", seen, re.M), seen
    assert re.search(r"^  analysing fish1/fish1-0[01], \d+ s", seen, re.M), seen
    assert re.search(r"^  fish1: (matched|flagged): 2 parts, 300 frames", end, re.M), end
    assert "Analysis files: tracking/" in end and "recordings/<recording>/" in end
    log = ws.path("results", "logs", "match_recording", "fish1.log").read_text()
    assert "Matching part 2 of 2: fish1/fish1-01" in log
    assert "fish1/fish1-01: matched with idmatcher.ai in" in log


def test_status_watch_shows_the_recording_as_status_does(recording_tracked):
    import subprocess

    watch = subprocess.Popen(
        task_command("status", "--watch", "1"), cwd=recording_tracked.root,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    lines, rounds, deadline = [], 0, time.monotonic() + 120
    while rounds < 2 and time.monotonic() < deadline:
        lines.append(watch.stdout.readline())
        rounds += lines[-1].startswith("--- ")
    watch.kill()  # Ctrl+C ending it is test_console_terminal.py's
    output = "".join(lines) + watch.communicate(timeout=60)[0]
    assert "Recordings (parts matched to one identity per animal):" in output, output
    assert re.search(r"^  fish1: (matched|flagged): 2 parts, 300 frames", output, re.M), output
