"""Settings values idtracker.ai would reject or misread: repaired when the intent is clear,
refused before tracking (naming file, setting, value and fix) when it is not."""

import pytest
import tomlkit

from idtracker_flow.trackers.idtrackerai.values import ValueCheck, parse_intervals

WHERE = "Job v/j: settings/v/j.toml"


def check(text: str) -> ValueCheck:
    values = ValueCheck(tomlkit.parse(text), WHERE)
    values.run()
    return values


@pytest.mark.parametrize(
    "text, intervals",
    [
        ("0,100", [[0, 100]]),
        ("[0,100]", [[0, 100]]),
        ("[0, 100], [200, 300]", [[0, 100], [200, 300]]),
        ("0-100", [[0, 100]]),
        ("0,100,200", None),
        ("all", None),
        ("0.5,10", None),
    ],
)
def test_command_line_forms_of_tracking_intervals(text, intervals):
    assert parse_intervals(text) == intervals


def test_string_intervals_are_written_as_the_list_with_a_note():
    values = check('tracking_intervals = "[0,30]"\n')
    assert values.problems == []
    assert values.document["tracking_intervals"] == [[0, 30]]
    assert values.notes == [
        "tracking_intervals: '[0,30]' (the command-line form) written as the list [[0, 30]]"
    ]
    assert "tracking_intervals = [[0, 30]]" in tomlkit.dumps(values.document)


@pytest.mark.parametrize(
    "line, said",
    [
        ('tracking_intervals = "first half"', "not frame numbers"),
        ("tracking_intervals = [[30, 10]]", "does not start before it ends"),
        ("tracking_intervals = [[0, 10, 20]]", "not a pair of frame numbers"),
        ("intensity_ths = [150, 0]", "lower bound is above the upper one, so nothing"),
        ("area_ths = [500.0, 100.0]", "no blob would count as an animal"),
        ("number_of_animals = 0", "0 (unknown) works only without identities"),
        ("number_of_animals = -2", "not a count of animals"),
    ],
)
def test_values_that_cannot_work_are_refused_with_the_fix(line, said):
    values = check(line + "\n")
    assert len(values.problems) == 1
    problem = values.problems[0]
    key = line.split(" =")[0]
    assert problem.startswith(f"{WHERE}: {key} = ")
    assert said in problem and "What to do:" in problem


def test_clear_intents_and_good_values_pass():
    values = check(
        "roi_list = []\nintensity_ths = [0, 130]\narea_ths = [100.0, inf]\n"
        "number_of_animals = 0\ntrack_wo_identities = true\ntracking_intervals = [0, 50]\n"
    )
    assert values.problems == []
    assert values.document["roi_list"] == ""
    assert values.document["tracking_intervals"] == [[0, 50]]
    assert len(values.notes) == 2
