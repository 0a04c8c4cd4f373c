"""The contract every registered tracker keeps: its real result (tests/data/trackers/<name>/,
README there) read through the tracker into the common form gives a QC row, a tidy table and a
movement dataset that agree with each other and with the file itself."""

import json
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from conftest import REPO

from idtracker_flow import trackers
from idtracker_flow.exports import individuals, movement_dataset, tidy_table
from idtracker_flow.qc import metrics

DATA = REPO / "tests" / "data" / "trackers"


def stored(name: str):
    folder = DATA / name
    record = json.loads((folder / "tracked.json").read_text())
    tracker = trackers.for_record(record)
    return tracker, record, folder / "session", folder / "session" / tracker.RESULT_IN_SESSION


@pytest.mark.parametrize("name", trackers.names())
def test_every_registered_tracker_has_a_stored_result(name):
    tracker, record, session, result = stored(name)
    assert tracker.NAME == name == record["tracker"]
    assert result.is_file() and tracker.result_problem(result) is None


@pytest.mark.parametrize("name", trackers.names())
def test_qc_row_tidy_table_and_movement_dataset_agree(name, tmp_path):
    tracker, record, session, result = stored(name)
    poses = tracker.read_poses(result, record)
    poses.check()
    frames, animals, keypoints = poses.confidence.shape
    assert frames > 0 and animals == len(poses.individuals) and keypoints == len(poses.keypoints)

    facts = tracker.session_facts(session, record)
    row = metrics.job_row("v", "j", metrics.from_poses(poses), facts, record, poses=poses)
    assert set(row) == set(metrics.COLUMNS)
    assert row["tracker"] == tracker.DISPLAY_NAME
    assert (row["frames"], row["animals"]) == (frames, animals)

    names = individuals.individual_names("v", poses.individuals, {})
    table = tidy_table.build(poses, "v", "j", names)
    assert len(table) == frames * animals * keypoints
    assert poses.confidence_name in table.columns
    # The row's measures, counted again from the tidy table: an animal is seen in a frame
    # when any of its keypoints has a position.
    seen = table.assign(found=table["x"].notna()).groupby(["frame", "individual"])["found"]
    seen = seen.any().unstack()
    tracked = seen.to_numpy()[metrics.tracked_mask(frames, facts.get("tracking_intervals"))]
    assert row["fraction_identified"] == pytest.approx(tracked.mean(), abs=1e-4)
    assert row["fraction_all_present"] == pytest.approx(tracked.all(axis=1).mean(), abs=1e-4)
    if poses.keypoint_confidence:
        assert row["keypoints_found"] == pytest.approx(table["x"].notna().mean(), abs=1e-4)
        likely = table.loc[table["x"].notna(), poses.confidence_name].mean()
        assert row["mean_likelihood"] == pytest.approx(likely, abs=1e-3)

    path = tmp_path / "j.movement.nc"
    movement_dataset.write(movement_dataset.build(poses, names, {"job": "v/j", "n": 3}), path)
    dataset = xr.open_dataset(path)
    assert dict(dataset.sizes) == {
        "time": frames,
        "space": 2,
        "keypoints": keypoints,
        "individuals": animals,
    }
    assert list(dataset["individuals"].values) == names == list(table["individual"].cat.categories)
    assert dataset.attrs["source_software"] == poses.source_software
    assert dataset.attrs["n"] == 3 and dataset.attrs["job"] == "v/j"  # attributes keep types
    # The same numbers in the dataset and the table, frame by frame.
    position = dataset["position"].transpose("time", "individuals", "keypoints", "space").values
    np.testing.assert_array_equal(position[..., 0].ravel(), table["x"].to_numpy())
    confidence = dataset["confidence"].transpose("time", "individuals", "keypoints").values
    np.testing.assert_array_equal(
        confidence.ravel(), table[poses.confidence_name].to_numpy(dtype=float)
    )


@pytest.mark.parametrize("name", trackers.names())
def test_names_from_config_reach_every_trackers_exports(name, tmp_path):
    tracker, record, session, result = stored(name)
    poses = tracker.read_poses(result, record)
    given = [f"fish{n}" for n in range(len(poses.individuals))]
    names = individuals.individual_names("v", poses.individuals, {"v": given})
    dataset = movement_dataset.build(poses, names, {})
    assert list(dataset["individuals"].values) == given
    with pytest.raises(individuals.NamesError):
        individuals.individual_names("v", poses.individuals, {"v": [*given, "extra"]})


@pytest.mark.parametrize("name", trackers.names())
def test_every_tracker_module_provides_the_protocol(name):
    from idtracker_flow.trackers.protocol import Tracker

    tracker = trackers.by_name(name)
    wanted = set(Tracker.__annotations__) | {
        key for key, value in vars(Tracker).items() if callable(value) and not key.startswith("_")
    }
    assert sorted(key for key in wanted if not hasattr(tracker, key)) == []


def test_a_record_without_a_tracker_is_idtracker_ais():
    assert trackers.for_record({}).NAME == "idtrackerai"
    assert trackers.for_settings({}).NAME == "idtrackerai"
    assert trackers.for_settings({"tracker": "idtracker.ai"}).NAME == "idtrackerai"


def test_an_unknown_tracker_names_the_known_ones():
    with pytest.raises(trackers.UnknownTracker) as error:
        trackers.for_settings({"tracker": "trex"})
    assert '"idtrackerai"' in str(error.value) and '"deeplabcut"' in str(error.value)


def test_tracker_modules_import_nothing_heavy():
    """The registry is imported at every DAG build: a tracker's module imports its heavy
    packages inside functions."""
    import subprocess
    import sys

    code = (
        "import sys, idtracker_flow.trackers as t; t.registered();"
        " print(sorted(m for m in ('h5py', 'pandas', 'torch', 'cv2', 'deeplabcut', 'idtrackerai',"
        " 'movement', 'xarray') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=Path(REPO),
        env={"PYTHONPATH": str(REPO / "workflow" / "scripts")},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
