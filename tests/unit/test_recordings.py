"""Recordings without tracking: which jobs make one, their time order, which parts may be
matched with the reference, the image-size refusal and the quality row."""

import json

import numpy as np
import pytest

from idtracker_flow.recordings import grouping, joined, pair_cache, parts, quality
from idtracker_flow.trackers.idtrackerai.trajectories_file import TrajectoriesFile

OPTIONS = {
    "match_identities": True,
    "join": {},
    "reference": {},
    "image_size": {},
    "min_confidence": 0.5,
}


def test_the_jobs_of_one_folder_are_one_recording_and_join_merges_folders():
    jobs = [("day1", "a"), ("day1", "b"), ("day2", "c"), ("single", "x")]
    # A folder of one job is no recording: nothing to match.
    assert grouping.recordings(jobs, OPTIONS) == {"day1": [("day1", "a"), ("day1", "b")]}
    joined_options = {**OPTIONS, "join": {"colony": ["day1", "day2"]}}
    assert grouping.recordings(jobs, joined_options) == {
        "colony": [("day1", "a"), ("day1", "b"), ("day2", "c")]
    }
    assert grouping.recordings(jobs, {**OPTIONS, "match_identities": False}) == {}
    assert grouping.unknown_folders(jobs, {**OPTIONS, "join": {"c": ["day1", "dya2"]}}) == ["dya2"]


def part(job, **info) -> parts.Part:
    base = {
        "number_of_animals": 2,
        "track_wo_identities": False,
        "id_image_size": [22, 22, 1],
        "resolution_reduction": 1,
        "video_paths": [f"/data/{job}.avi"],
    }
    return parts.Part("fish1", job, None, {**base, **info})


def test_parts_in_time_order_by_number_then_interval():
    ordered = parts.time_order(
        [part("fish1-10"), part("fish1-02"), part("night", tracking_intervals=[[500, 900]],
         video_paths=["/d/whole.avi"]), part("day", tracking_intervals=[[0, 500]],
         video_paths=["/d/whole.avi"])]
    )  # fmt: skip
    assert [p.job for p in ordered] == ["day", "night", "fish1-02", "fish1-10"]
    assert parts.reference_of(ordered, None).job == "day"
    assert parts.reference_of(ordered, "fish1-10").job == "fish1-10"
    with pytest.raises(ValueError, match="not one of this recording's jobs"):
        parts.reference_of(ordered, "typo")


def test_other_animals_are_never_matched():
    reference = part("a")
    assert parts.why_not_comparable(part("b"), reference) is None
    assert "3 animals" in parts.why_not_comparable(part("b", number_of_animals=3), reference)
    assert "region of interest" in parts.why_not_comparable(
        part("b", roi_list=["+ Polygon [[0, 0], [1, 1], [1, 0]]"]), reference
    )
    assert "without identities" in parts.why_not_comparable(
        part("b", track_wo_identities=True), reference
    )


def test_a_different_identification_image_size_is_refused_with_what_to_do():
    reference = part("a")
    assert parts.image_size_problem(part("b"), reference, "fish1") is None
    assert (
        parts.image_size_problem(part("b", resolution_reduction=None), reference, "fish1") is None
    )
    message = parts.image_size_problem(part("b", id_image_size=[30, 30, 1]), reference, "fish1")
    assert "fish1: {id_image_size: 22, resolution_reduction: 1.0}" in message
    assert "settings/fish1/" in message
    assert parts.image_size_problem(part("b", resolution_reduction=0.5), reference, "x")


def test_relabelled_moves_each_identity_to_the_reference_one():
    positions = np.arange(12, dtype=float).reshape(3, 2, 2)
    probabilities = np.array([[0.9, 0.8]] * 3)
    moved = joined.relabelled(TrajectoriesFile(positions, probabilities, {}), [1, 0])
    np.testing.assert_array_equal(moved.positions[:, 0], positions[:, 1])
    np.testing.assert_array_equal(moved.id_probabilities[:, 1], probabilities[:, 0])


def test_join_keeps_only_tracked_frames_and_says_where_each_row_comes_from():
    one = TrajectoriesFile(np.zeros((5, 2, 2)), None, {})
    two = TrajectoriesFile(np.ones((5, 2, 2)), None, {})
    data = joined.join([("v/a", "x.avi", one, [[0, 2]]), ("v/b", "x.avi", two, [[2, 5]])])
    assert list(data.source_frame) == [0, 1, 2, 3, 4]
    assert list(data.job) == ["v/a", "v/a", "v/b", "v/b", "v/b"]
    assert data.trajectories.positions.shape == (5, 2, 2)


def decided(assignment, confidence, by="appearance", **more) -> dict:
    base = {
        "decided_by": by, "assignment": assignment, "confidence": confidence, "disagree": False,
        "joined": True, "why": "", "continuity": None,
        "appearance": {"assignment": assignment, "confidence": confidence, "agreement": 0.7,
                       "contested": []},
    }  # fmt: skip
    return {**base, **more}


def test_quality_row_says_what_decided_and_flags_parts_left_out():
    matches = {
        "f/a": decided([0, 1], [1, 1], by="reference", appearance=None),
        "f/b": decided([1, 0], [0.9, 0.2]),
        "f/c": decided(
            None,
            None,
            by="none",
            joined=False,
            why="appearance unsure",
            appearance=decided([0, 1], [0.3, 0.4])["appearance"],
        ),  # fmt: skip
    }
    row = quality.recording_row("f", "f/a", matches, {"f/d": "3 animals"}, 300)
    assert row["state"] == "flagged" and row["parts"] == 3 and row["frames"] == 300
    # identity 2 of part b is reference identity 1: its weak confidence is identity 1's
    assert row["confidence_per_identity"] == "1: 0.200; 2: 0.900"
    assert row["decided_by"] == "b: appearance (appearance 0.20); c: none (appearance 0.30)"
    assert row["not_joined"] == "f/c" and row["min_agreement"] == 0.7
    assert "f/c has no positions in the joined recording: appearance unsure" in row["flags"]
    assert "f/d not matched: 3 animals" in row["flags"]
    assert set(row) == set(quality.COLUMNS)
    clean = quality.recording_row("f", "f/a", {"f/a": matches["f/a"]}, {}, 10)
    assert clean["state"] == "matched" and clean["flags"] == ""


def test_a_match_is_reused_until_a_session_changes(tmp_path):
    record = tmp_path / "a.tracked.json"
    record.write_text("{}")
    cache = tmp_path / "pair.json"
    key = pair_cache.key_of(record)
    pair_cache.save(cache, key, {"assignment": [0]})
    assert pair_cache.load(cache, key) == {"assignment": [0]}
    record.write_text(json.dumps({"again": True}))
    assert pair_cache.load(cache, pair_cache.key_of(record)) is None


def test_config_fixes_one_image_size_for_every_job_of_a_recording():
    from idtracker_flow.trackers.idtrackerai.image_size import fix_image_size

    options = {
        **OPTIONS,
        "join": {"colony": ["day1", "day2"]},
        "image_size": {"colony": {"id_image_size": 24, "resolution_reduction": 0.5}},
    }
    document = {}
    assert "recordings.image_size" in fix_image_size(document, "day2", options)
    assert document == {"id_image_size": 24, "resolution_reduction": 0.5}
    assert fix_image_size({}, "elsewhere", options) is None
    # Knowledge transfer: the size is the transferred model's, as idtracker.ai requires.
    learner = {"knowledge_transfer_folder": "results/sessions/day1/session_a"}
    assert fix_image_size(learner, "day1", options) is None and "id_image_size" not in learner


def test_status_of_a_recording(tmp_path, monkeypatch):
    from idtracker_flow.recordings.state import recording_state

    monkeypatch.chdir(tmp_path)
    members = [("fish1", "a"), ("fish1", "b")]
    done = {"fish1/a": "done", "fish1/b": "done"}
    state, why = recording_state("fish1", members, {"fish1/a": "done", "fish1/b": "failed"})
    assert state == "waiting" and "fish1/b" in why and "failed" in why
    assert recording_state("fish1", members, done)[0] == "pending"
    log = tmp_path / "results/logs/match_recording/fish1.log"
    log.parent.mkdir(parents=True)
    log.write_text("Recording fish1 was not matched:\nfish1/b was tracked with identification")
    state, why = recording_state("fish1", members, done)
    assert state == "failed" and "identification" in why
    summary = tmp_path / "recordings/fish1/matches.json"
    summary.parent.mkdir(parents=True)
    row = {"parts": 2, "frames": 300, "confidence_per_identity": "1: 0.9", "flags": ""}
    summary.write_text(json.dumps({**row, "state": "matched"}))
    log.write_text("Matched recording fish1")
    assert recording_state("fish1", members, done) == (
        "matched",
        "2 parts, 300 frames, confidence 1: 0.9",
    )


def test_a_refused_match_is_failed_although_its_files_were_put_back(tmp_path, monkeypatch):
    """Snakemake puts the previous files back after the refused match as new copies, newer
    than the log: the log's words decide, not the times."""
    import os

    from idtracker_flow.recordings.state import recording_state

    monkeypatch.chdir(tmp_path)
    members = [("fish1", "a"), ("fish1", "b")]
    log = tmp_path / "results/logs/match_recording/fish1.log"
    log.parent.mkdir(parents=True)
    log.write_text("Recording fish1 was not matched:\nfish1/b was tracked with other images\n")
    os.utime(log, (1000, 1000))
    summary = tmp_path / "recordings/fish1/matches.json"
    summary.parent.mkdir(parents=True)
    summary.write_text(json.dumps({"parts": 2, "frames": 3, "state": "matched", "flags": "",
                                   "confidence_per_identity": "1: 1"}))  # fmt: skip
    state, why = recording_state("fish1", members, {"fish1/a": "done", "fish1/b": "done"})
    assert state == "failed" and why.startswith("fish1/b was tracked with other images")


def test_a_recording_being_matched_is_matching_not_failed(tmp_path, monkeypatch):
    """While the live run matches it, its half-written log is no failure; a run that was cut
    off leaves a failed recording with words, never an empty reason."""
    import os
    import socket
    import time

    from idtracker_flow.recordings.state import recording_state
    from idtracker_flow.tracking import run_lock

    monkeypatch.chdir(tmp_path)
    members = [("fish1", "a"), ("fish1", "b")]
    done = {"fish1/a": "done", "fish1/b": "done"}
    log = tmp_path / "results/logs/match_recording/fish1.log"
    log.parent.mkdir(parents=True)
    log.write_text("Part fish1/b: matching with the reference...\n")
    monkeypatch.setattr(run_lock, "LOCKS", tmp_path / ".snakemake/locks")
    run_lock.LOCKS.mkdir(parents=True)
    (run_lock.LOCKS / "0.output.lock").write_text("x\n")
    info = tmp_path / "run.json"
    info.write_text(
        json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "started": time.time() - 60})
    )
    monkeypatch.setattr(run_lock, "RUN_INFO", info)
    monkeypatch.setattr(run_lock.running_run, "__defaults__", (info,))
    state, why = recording_state("fish1", members, done)
    assert state == "matching" and "results/logs/match_recording/fish1.log" in why
    (run_lock.LOCKS / "0.output.lock").unlink()  # the run ended without finishing it
    state, why = recording_state("fish1", members, done)
    assert state == "failed" and why.startswith("stopped before it finished")


def test_the_quality_table_and_report_have_a_row_per_recording(tmp_path):
    from idtracker_flow.qc import summary

    matches = {"f/a": decided([0], [1], by="reference", appearance=None)}
    row = quality.recording_row("f", "f/a", matches, {"f/b": "3 animals"}, 10)
    path = tmp_path / "matches.json"
    path.write_text(json.dumps({**row, "order": ["f/a"], "matches": matches}))
    table = summary.recordings_table([path])
    assert list(table.columns) == quality.COLUMNS and table.loc[0, "state"] == "flagged"
    page = summary.recordings_html(table)
    assert 'id="qc-recordings-table"' in page and "f/b not matched: 3 animals" in page
    assert summary.recordings_html(summary.recordings_table([])) == ""


def test_a_misspelt_reference_fails_the_recording_with_a_message(tmp_path, monkeypatch):
    from idtracker_flow.recordings.recording import RecordingFailed, sort_out

    monkeypatch.chdir(tmp_path)
    for job in ("a", "b"):
        session = tmp_path / "results/sessions/fish1" / f"session_{job}"
        session.mkdir(parents=True)
        info = {"number_of_animals": 2, "id_image_size": [22, 22, 1], "video_paths": [job]}
        (session / "session.json").write_text(json.dumps(info))
    with pytest.raises(RecordingFailed, match="config recordings.reference"):
        sort_out("fish1", [("fish1", "a"), ("fish1", "b")], "typo")
    matched, reference, excluded = sort_out("fish1", [("fish1", "a"), ("fish1", "b")], None)
    assert reference.job == "a" and [p.job for p in matched] == ["a", "b"] and not excluded
