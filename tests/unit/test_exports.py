"""The exports of a job (movement dataset, tidy table, provenance) from a trajectories.h5
written by idtracker.ai's own writer. The real tracking run's exports are checked in
tests/workflow/test_exports_real_runs.py."""

import importlib.metadata
import json
import subprocess

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from idtracker_flow.exports import (
    environment,
    individuals,
    movement_dataset,
    outputs,
    provenance,
    tidy_table,
)
from idtracker_flow.exports import job as export
from idtracker_flow.project import fingerprint, layout
from idtracker_flow.qc import metrics
from idtracker_flow.trackers.idtrackerai import timers as stages
from idtracker_flow.trackers.idtrackerai import trajectories_file

FPS = 25.0


@pytest.fixture
def h5(tmp_path):
    """A 3-animal file: animal 2 missing in frames 3-5, animal 1 placed without identity
    (a crossing) in frames 7-8."""
    from idtrackerai.utils.trajectories_io import save_trajectories

    rng = np.random.default_rng(1)
    xy = rng.uniform(10, 300, size=(12, 3, 2))
    xy[3:6, 2] = np.nan
    probabilities = rng.uniform(0.5, 1, size=(12, 3, 1))
    probabilities[3:6, 2] = 0  # as idtracker.ai: 0 where there is no position
    probabilities[7:9, 1] = np.nan  # a position without identification
    data = {
        "trajectories": xy,
        "id_probabilities": probabilities,
        "frames_per_second": FPS,
        "version": "6.0.14",
        "identities_labels": ["1", "2", "3"],
        "silhouette_score": 0.87,
        "body_length": 20.0,
        "areas": {},
        "setup_points": {},
        "identities_groups": {},
        "length_unit": None,
    }
    save_trajectories(tmp_path, data, ["h5"])
    return tmp_path / "trajectories.h5"


def test_movement_dataset_reads_back_equal_to_idtrackers_file(h5, tmp_path):
    from movement.validators.datasets import ValidPosesInputs

    read = trajectories_file.read(h5)
    poses = trajectories_file.to_poses(read)
    names = individuals.individual_names("fish1", poses.individuals, {})
    path = tmp_path / "out" / "job.movement.nc"
    movement_dataset.write(movement_dataset.build(poses, names, {"job": "fish1/day"}), path)

    dataset = xr.open_dataset(path)  # as movement's own netCDF loader opens it
    ValidPosesInputs.validate(dataset)  # and checks it
    assert dataset.attrs["ds_type"] == "poses"
    assert dataset.attrs["source_software"] == "idtracker.ai"
    assert dataset.attrs["source_software_version"] == "6.0.14"
    assert dataset.attrs["fps"] == FPS and dataset.attrs["job"] == "fish1/day"
    assert list(dataset.individuals.values) == ["id_1", "id_2", "id_3"]
    assert list(dataset.keypoints.values) == ["centroid"]
    np.testing.assert_allclose(dataset.time.values, np.arange(12) / FPS)
    position = dataset.position.sel(keypoints="centroid").transpose("time", "individuals", "space")
    np.testing.assert_array_equal(position.values, read.positions)  # NaN where NaN
    confidence = dataset.confidence.sel(keypoints="centroid").values
    np.testing.assert_array_equal(confidence, read.id_probabilities)
    assert np.isnan(confidence[7:9, 1]).all() and (confidence[3:6, 2] == 0).all()


def test_tidy_table_has_one_row_per_frame_and_animal(h5, tmp_path):
    read = trajectories_file.read(h5)
    poses = trajectories_file.to_poses(read)
    table = tidy_table.build(poses, "fish1", "day", ["a", "b", "c"], px_per_mm=4.0)
    for suffix in ("parquet", "csv"):
        path = tmp_path / f"t.tidy.{suffix}"
        tidy_table.write(table, path)
        back = pd.read_parquet(path) if suffix == "parquet" else pd.read_csv(path)
        assert len(back) == 12 * 3
        assert set(back.columns) >= {"video", "job", "frame", "time_s", "individual", "x", "y"}
        wide = back.set_index(["frame", "individual"])
        for animal, name in enumerate("abc"):
            rows = wide.xs(name, level="individual").sort_index()
            np.testing.assert_allclose(rows["x"], read.positions[:, animal, 0])
            np.testing.assert_allclose(rows["y_mm"], read.positions[:, animal, 1] / 4.0)
            np.testing.assert_allclose(rows["time_s"], np.arange(12) / FPS)
        interpolated = wide["interpolated"].astype(bool)
        assert set(interpolated[interpolated].index) == {(7, "b"), (8, "b")}


def test_names_from_config_must_fit_the_video():
    assert individuals.individual_names("v", ["1", "2"], {"v": ["ann", "bo"]}) == ["ann", "bo"]
    with pytest.raises(individuals.NamesError, match=r"2 names for video v.*3 animals"):
        individuals.individual_names("v", ["1", "2", "3"], {"v": ["ann", "bo"]})
    with pytest.raises(individuals.NamesError, match="same name twice"):
        individuals.individual_names("v", ["1", "2"], {"v": ["ann", "ann"]})


def test_outputs_follow_the_config():
    chosen = outputs.patterns(
        {"movement": False, "tidy_table": "both", "individual_names": {}, "px_per_mm": {}}
    )
    assert list(chosen) == ["tidy_parquet", "tidy_csv", "provenance"]
    assert chosen["tidy_csv"] == "tracking/{video}/{job}.tidy.csv"
    assert list(outputs.patterns({"movement": True, "tidy_table": "none"})) == [
        "movement",
        "provenance",
    ]


def test_stage_seconds_from_idtrackers_timers():
    timers = {
        "Animal detection": {
            "start_time": "2026-11-30T10:00:00",
            "finish_time": "2026-11-30T10:00:02.5",
        },
        "Contrastive step": {
            "start_time": "2026-11-30T10:00:05",
            "finish_time": "2026-11-30T10:01:05",
        },
        "Tracking": {"start_time": "2026-11-30T10:00:05", "finish_time": "2026-11-30T10:01:35"},
        "Crashed": {"start_time": "2026-11-30T10:00:05", "finish_time": None},
    }
    seconds = stages.stage_seconds({"timers": timers})
    assert seconds == {"Animal detection": 2.5, "Contrastive step": 60.0, "Tracking": 90.0}
    columns = stages.stage_columns(seconds)
    assert columns["segmentation_s"] == 2.5 and columns["contrastive_s"] == 60.0
    assert columns["identification_s"] == 30.0  # Tracking without its contrastive step
    assert columns["crossing_detection_s"] is None


def test_versions_are_the_installed_ones():
    versions = environment.package_versions()
    for name in ("idtrackerai", "snakemake", "torch", "movement"):
        assert versions[name] == importlib.metadata.version(name)
    import torch

    assert versions["torch_cuda_build"] == torch.version.cuda


def test_workflow_commit_is_gits():
    done = subprocess.run(
        ["git", "-C", str(layout.REPOSITORY), "rev-parse", "HEAD"], capture_output=True, text=True
    )
    source = environment.workflow_source()
    if done.returncode == 0:
        assert source["commit"] == done.stdout.strip()
        assert isinstance(source["workflow_files_edited"], bool)
    else:
        assert source["commit"] == "not a git checkout"


def test_fast_fingerprint_sees_a_change_in_the_middle(tmp_path):
    video = tmp_path / "v.avi"
    video.write_bytes(bytes(5 << 20))
    before = fingerprint.fast_fingerprint(video)
    with open(video, "r+b") as handle:
        handle.seek(5 << 19)
        handle.write(b"x")
    assert fingerprint.fast_fingerprint(video) != before
    assert fingerprint.file_facts(video)["bytes"] == 5 << 20


def test_provenance_of_a_job_recorded_before_this_version(h5, tmp_path, monkeypatch):
    """A job tracked by an older idtracker-flow has no captured facts: the record says so
    and still describes its files."""
    monkeypatch.chdir(tmp_path)
    settings = tmp_path / "repaired.toml"
    settings.write_text("video_paths = ['v.avi']\narea_ths = [100.0, inf]\n")
    tracked = tmp_path / "tracked.json"
    tracked.write_text(json.dumps({"started": "2026-11-30T10:00:00+00:00", "seconds": 60.0}))
    out = {
        "movement": tmp_path / "day.movement.nc",
        "tidy_csv": tmp_path / "day.tidy.csv",
        "provenance": tmp_path / "day.provenance.json",
    }
    export.export_job(
        "fish1", "day", h5, tracked, settings, out, {"individual_names": {}, "px_per_mm": {}}
    )
    record = json.loads(out["provenance"].read_text())
    assert record["software"] == provenance.NOT_RECORDED
    assert record["tracking"]["finished"] == "2026-11-30T10:01:00+00:00"
    assert record["settings"]["repaired"]["area_ths"] == [100.0, "inf"]
    assert record["results"]["trajectories"]["sha256"] == fingerprint.sha256(h5)
    assert set(record["results"]) == {"trajectories", "movement", "tidy_csv"}


def test_low_silhouette_score_is_flagged(h5):
    row = metrics.job_row("v", "j", metrics.read_trajectories(h5), {"track_wo_identities": False})
    assert row["silhouette_score"] == 0.87
    assert "silhouette score 0.870 < 0.91" in row["flags"]
    no_ids = metrics.job_row("v", "j", metrics.read_trajectories(h5), {"track_wo_identities": True})
    assert no_ids["silhouette_score"] is None and "silhouette" not in no_ids["flags"]
