"""Identities across the cut, without tracking: the position match at a cut on synthetic
arrays, when parts count as contiguous, the rule that combines continuity with appearance,
and the chain back to the reference."""

import numpy as np

from idtracker_flow.recordings import contiguity, continuity, decision, joined, parts
from idtracker_flow.recordings.recording import continuity_signal
from idtracker_flow.trackers.idtrackerai.trajectories_file import TrajectoriesFile

BODY = 30.0  # px
APART = np.array([[50.0, 50.0], [200.0, 60.0], [120.0, 250.0]])  # 3 animals, far apart


def test_a_clean_cut_matches_each_animal_with_itself_and_is_sure():
    # The later part calls the animals 3, 1, 2; each moved a few pixels across the cut.
    after = APART[[2, 0, 1]] + [[3.0, -2.0], [-1.0, 4.0], [2.0, 2.0]]
    cut = continuity.match_at_cut(APART, after, BODY)
    assert cut.assignment == [2, 0, 1]
    assert cut.confidence == [1.0, 1.0, 1.0]
    assert all(moved < 0.2 for moved in cut.moved)
    assert min(cut.nearest_other) > 4  # body lengths


def test_a_cut_in_the_middle_of_a_crossing_is_unsure_for_the_crossing_animals_only():
    before = APART.copy()
    before[1] = before[0] + [20.0, 0.0]  # animals 1 and 2 within a body length at the cut
    after = before + [[8.0, 0.0], [-8.0, 0.0], [1.0, 1.0]]  # passing each other
    cut = continuity.match_at_cut(before, after, BODY)
    assert cut.confidence[0] < 0.5 and cut.confidence[1] < 0.5
    assert cut.confidence[2] == 1.0
    assert not decision.is_sure({"confidence": cut.confidence}, 0.5)


def test_an_animal_that_jumps_across_the_cut_gives_no_confidence():
    after = APART.copy()
    after[0] += [90.0, 0.0]  # three body lengths in one frame: frames missing at the cut
    cut = continuity.match_at_cut(APART, after, BODY)
    assert cut.assignment == [0, 1, 2] and cut.confidence == [0.0, 1.0, 1.0]
    assert cut.moved[0] == 3.0


def test_a_missing_position_at_the_cut_is_taken_from_just_before_or_gives_no_confidence():
    positions = np.tile(APART, (10, 1, 1))
    positions[-1, 0] = np.nan  # animal 1 not placed in the very last frame
    positions[:, 2] = np.nan  # animal 3 never placed
    tracked = np.ones(10, bool)
    edge = continuity.edge_positions(positions, tracked, last=True)
    np.testing.assert_array_equal(edge[0], APART[0])
    assert np.isnan(edge[2]).all()
    cut = continuity.match_at_cut(edge, APART, BODY)
    assert cut.assignment == [0, 1, 2] and cut.confidence[2] == 0.0 and cut.moved[2] is None
    # Only tracked frames count: an interval ending at frame 5 ends there.
    positions[:5] = APART[[1, 0, 2]]
    tracked[5:] = False
    np.testing.assert_array_equal(
        continuity.edge_positions(positions, tracked, last=True)[:2], APART[[1, 0]]
    )
    assert continuity.inverse([2, 0, 1]) == [1, 2, 0]


def appearance(assignment, confidence, contested=()):
    return {"assignment": assignment, "confidence": confidence, "contested": list(contested)}


def cut(assignment, confidence):
    return {"assignment": assignment, "confidence": confidence}


def test_the_rule_when_continuity_and_appearance_agree_or_disagree():
    sure_cut, crossing_cut = cut([1, 0, 2], [1.0, 0.9, 1.0]), cut([1, 0, 2], [0.2, 0.2, 1.0])
    night = appearance([0, 1, 2], [-1.0, -1.0, 0.3], contested=[1])  # the night part
    day = appearance([0, 1, 2], [0.9, 0.9, 0.9])
    agree = decision.decide(appearance([1, 0, 2], [0.9, 0.95, 0.9]), sure_cut, 0.5)
    assert agree["decided_by"] == "continuity and appearance" and not agree["disagree"]
    assert agree["confidence"] == [1.0, 0.95, 1.0] and agree["joined"]
    # An unsure signal that agrees does not decide, nor lend its confidence.
    weak_agree = decision.decide(appearance([1, 0, 2], [0.3, 0.4, 0.9]), sure_cut, 0.5)
    assert (weak_agree["decided_by"], weak_agree["confidence"]) == ("continuity", [1.0, 0.9, 1.0])
    both_weak = decision.decide(appearance([1, 0, 2], [0.3, 0.4, 0.9]), crossing_cut, 0.5)
    assert not both_weak["joined"] and "neither is sure" in both_weak["why"]
    # Animals well apart at the cut: position wins over appearance, both answers kept.
    wins = decision.decide(night, sure_cut, 0.5)
    assert (wins["decided_by"], wins["assignment"], wins["disagree"]) == (
        "continuity",
        [1, 0, 2],
        True,
    )
    # A crossing right at the cut: appearance decides when it is sure.
    crossing = decision.decide(day, crossing_cut, 0.5)
    assert (crossing["decided_by"], crossing["assignment"]) == ("appearance", [0, 1, 2])
    # Neither sure: left out, never guessed.
    neither = decision.decide(night, crossing_cut, 0.5)
    assert (
        neither["decided_by"] == "none" and not neither["joined"] and neither["assignment"] is None
    )
    assert neither["why"] == "continuity and appearance unsure"


def test_parts_not_contiguous_are_matched_by_appearance_alone():
    only = decision.decide(appearance([2, 0, 1], [0.8, 0.9, 0.7]), None, 0.5)
    assert (only["decided_by"], only["assignment"], only["disagree"]) == (
        "appearance",
        [2, 0, 1],
        False,
    )
    weak = decision.decide(appearance([2, 0, 1], [0.8, 0.9, 0.4]), None, 0.5)
    assert not weak["joined"] and weak["why"] == "appearance unsure"


def part(job, video_file=None, intervals=None, frames=200, fps=25.0, **info) -> parts.Part:
    base = {
        "number_of_animals": 3,
        "track_wo_identities": False,
        "video_paths": [f"/data/{video_file or job}.avi"],
        "number_of_frames": frames,
        "frames_per_second": fps,
        "tracking_intervals": intervals or [[0, frames]],
        "median_body_length": BODY,
    }
    return parts.Part("fish1", job, None, {**base, **info})


def contiguous(earlier, later, declared=None) -> bool:
    options = {"contiguous": {"fish1": declared}} if declared is not None else {}
    return contiguity.follows(earlier, later, options, "fish1")[0]


def test_consecutive_split_files_are_contiguous_when_no_frame_is_missing():
    assert contiguous(part("fish1-00"), part("fish1-01"))
    assert not contiguous(part("fish1-00"), part("fish1-02"))  # a file missing between
    assert not contiguous(part("fish1-00"), part("eel-01"))
    assert not contiguous(part("fish1-00", intervals=[[0, 150]]), part("fish1-01"))
    assert not contiguous(part("fish1-00"), part("fish1-01", fps=30.0))
    # Recording times in the names: 200 frames at 25 fps is 8 s.
    assert contiguous(part("20260204-180700-H264-00"), part("20260204-180708-H264-01"))
    assert not contiguous(part("20260204-180700-H264-00"), part("20260204-183000-H264-01"))
    # Parts named after the recording's start share its time.
    assert contiguous(part("20260204-180700-H264-00"), part("20260204-180700-H264-01"))
    # Days apart: only appearance can match them.
    assert not contiguous(part("day1"), part("day2"))


def test_intervals_of_one_video_are_contiguous_when_they_meet_and_config_has_the_last_word():
    day = part("day", "whole", intervals=[[0, 500]], frames=900)
    assert contiguous(day, part("night", "whole", intervals=[[500, 900]], frames=900))
    assert not contiguous(day, part("night", "whole", intervals=[[520, 900]], frames=900))
    assert not contiguous(part("fish1-00"), part("fish1-01"), declared=False)
    assert contiguous(part("day1"), part("day2"), declared=True)
    per_part = {"fish1-02": False}
    assert contiguous(part("fish1-00"), part("fish1-01"), declared=per_part)
    assert not contiguous(part("fish1-01"), part("fish1-02"), declared=per_part)


def tracks_of(*identity_orders) -> dict:
    """One 200-frame part per order: the animals stand still at APART, each part calling them
    by its own identity order (column k of the part is animal order[k])."""
    return {
        f"fish1/fish1-{i:02d}": TrajectoriesFile(np.tile(APART[list(order)], (200, 1, 1)), None, {})
        for i, order in enumerate(identity_orders)
    }


def test_continuity_chains_back_to_a_reference_in_the_middle():
    ordered = [part(f"fish1-{i:02d}") for i in range(3)]
    tracks = tracks_of([0, 1, 2], [2, 0, 1], [1, 2, 0])
    reference = decision._decided("reference", [0, 1, 2], [1, 1, 1])
    decisions = {"fish1/fish1-01": reference}
    # Part 02 follows the reference: identity k of 02 is animal [1,2,0][k], the reference's
    # identity of that animal is its place in [2,0,1].
    after, facts = continuity_signal(2, 1, ordered, tracks, decisions, "fish1", {})
    assert facts["contiguous"] and after["with"] == "fish1/fish1-01"
    assert after["assignment"] == [2, 0, 1] and after["confidence"] == [1.0, 1.0, 1.0]
    # Part 00 comes before the reference: the cut is read the other way.
    before, _ = continuity_signal(0, 1, ordered, tracks, decisions, "fish1", {})
    assert before["assignment"] == [1, 2, 0]
    # Declared not contiguous: no continuity at all.
    options = {"contiguous": {"fish1": False}}
    assert continuity_signal(2, 1, ordered, tracks, decisions, "fish1", options)[0] is None
    # A neighbour left out breaks the chain.
    decisions["fish1/fish1-01"] = decision._left_out("appearance unsure", False)
    signal, facts = continuity_signal(2, 1, ordered, tracks, decisions, "fish1", {})
    assert signal is None and "is not matched" in facts["why"]


def test_a_part_left_out_keeps_its_frames_without_positions():
    data = TrajectoriesFile(np.ones((4, 2, 2)), np.ones((4, 2)), {"x": 1})
    blank = joined.blank(data)
    assert blank.positions.shape == (4, 2, 2) and np.isnan(blank.positions).all()
    assert np.isnan(blank.id_probabilities).all()


def test_the_quality_row_gives_both_answers_when_the_signals_disagree():
    from idtracker_flow.recordings import quality

    night = appearance([0, 1, 2], [-1.0, -1.0, 0.3], contested=[1])
    sure_cut = cut([1, 0, 2], [1.0, 0.9, 1.0])
    decided = {
        **decision.decide(night, sure_cut, 0.5),
        "appearance": {**night, "agreement": 0.4},
        "continuity": sure_cut,
    }
    reference = {**decision._decided("reference", [0, 1, 2], [1, 1, 1]), "appearance": None}
    row = quality.recording_row("f", "f/a", {"f/a": reference, "f/b": decided}, {}, 400)
    assert row["state"] == "flagged"
    assert row["decided_by"] == "b: continuity (continuity 0.90, appearance -1.00; they disagree)"
    assert (
        "f/b: continuity and appearance disagree (continuity 1→2, 2→1, 3→3 (confidence 1.00, 0.90,"
        " 1.00); appearance 1→1, 2→2, 3→3 (confidence -1.00, -1.00, 0.30)), continuity decided"
    ) in row["flags"]
    assert row["confidence_per_identity"] == "1: 0.900; 2: 1.000; 3: 1.000"
