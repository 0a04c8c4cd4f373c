"""Exports of real idtracker.ai runs (the workspace qc_tracked of conftest.py, tracked once):
the movement dataset and the tidy table equal idtracker.ai's trajectories, and every field of
the provenance record is true on this machine, checked here without the workflow's code."""

import hashlib
import importlib.metadata
import json
import os
import socket
from datetime import datetime

import h5py
import numpy as np
import pandas as pd
import pytest
import xarray as xr
from conftest import QC_JOBS, copy_workspace, run_status

from idtracker_flow.qc.metrics import COLUMNS


def h5_arrays(ws, job: str):
    with h5py.File(ws.path("tracking", "demo", f"{job}.h5")) as h5:
        return h5["trajectories"][:], h5["id_probabilities"][:][:, :, 0], dict(h5.attrs)


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("job", list(QC_JOBS))
def test_movement_dataset_equals_the_trajectories(qc_tracked, job):
    from movement.validators.datasets import ValidPosesInputs

    xy, probabilities, attrs = h5_arrays(qc_tracked, job)
    dataset = xr.open_dataset(qc_tracked.path("tracking", "demo", f"{job}.movement.nc"))
    ValidPosesInputs.validate(dataset)
    position = dataset.position.isel(keypoints=0).transpose("time", "individuals", "space")
    np.testing.assert_array_equal(position.values, xy)  # NaN exactly where idtracker.ai has NaN
    np.testing.assert_array_equal(dataset.confidence.isel(keypoints=0).values, probabilities)
    assert list(dataset.individuals.values) == [
        f"id_{label}" for label in attrs["identities_labels"]
    ]
    assert dataset.attrs["fps"] == attrs["frames_per_second"]
    assert dataset.attrs["source_software"] == "idtracker.ai"
    assert dataset.attrs["source_software_version"] == attrs["version"]
    assert dataset.time.values[-1] == pytest.approx((len(xy) - 1) / attrs["frames_per_second"])


@pytest.mark.parametrize("job", list(QC_JOBS))
def test_tidy_table_equals_the_trajectories(qc_tracked, job):
    xy, probabilities, attrs = h5_arrays(qc_tracked, job)
    table = pd.read_parquet(qc_tracked.path("tracking", "demo", f"{job}.tidy.parquet"))
    n_frames, n_animals = xy.shape[:2]
    assert len(table) == n_frames * n_animals
    assert not table.duplicated(["frame", "individual"]).any()
    for animal, label in enumerate(attrs["identities_labels"]):
        rows = table[table["individual"] == f"id_{label}"].sort_values("frame")
        assert list(rows["frame"]) == list(range(n_frames))
        np.testing.assert_array_equal(rows["x"], xy[:, animal, 0])
        np.testing.assert_array_equal(rows["y"], xy[:, animal, 1])
        np.testing.assert_array_equal(rows["identity_probability"], probabilities[:, animal])
        placed = ~np.isnan(xy[:, animal, 0]) & np.isnan(probabilities[:, animal])
        np.testing.assert_array_equal(rows["interpolated"], placed)
    assert (table["video"] == "demo").all() and (table["job"] == job).all()


def test_provenance_is_true_on_this_machine(qc_tracked):
    ws = qc_tracked
    record = json.loads(ws.path("tracking", "demo", "part.provenance.json").read_text())
    tracked = json.loads(ws.path("results", "sessions", "demo", "part.tracked.json").read_text())
    session = json.loads(
        ws.path("results", "sessions", "demo", "session_part", "session.json").read_text()
    )
    assert record["job"] == "demo/part"
    # The workspace is a copy of the workflow, not a git checkout.
    assert record["workflow"]["commit"] == "not a git checkout"
    for name in ("idtrackerai", "snakemake", "torch", "movement"):
        assert record["software"][name] == importlib.metadata.version(name)
    import torch

    assert record["software"]["torch_cuda_build"] == torch.version.cuda
    assert record["machine"]["host"] == socket.gethostname()
    if not torch.cuda.is_available():
        assert record["machine"]["device"] == "cpu" and record["machine"]["gpu"] is None
    assert record["tracking"]["started"] == tracked["started"]
    finished = datetime.fromisoformat(record["tracking"]["finished"])
    started = datetime.fromisoformat(tracked["started"])
    assert (finished - started).total_seconds() == pytest.approx(tracked["seconds"], abs=1)
    assert record["tracking"]["idtrackerai_exit_status"] == tracked["idtrackerai_exit_status"]
    timers = session["timers"]
    for stage in ("Animal detection", "Crossing detection", "Contrastive step"):
        took = datetime.fromisoformat(timers[stage]["finish_time"]) - datetime.fromisoformat(
            timers[stage]["start_time"]
        )
        assert record["tracking"]["stage_seconds"][stage] == pytest.approx(
            took.total_seconds(), abs=0.06
        )
    settings = ws.settings_path("demo", "part")
    assert record["settings"]["sha256"] == sha256(settings)
    assert record["settings"]["repaired"]["tracking_intervals"] == [[20, 170]]
    [video] = record["videos"]
    stat = os.stat(ws.path("videos", "demo.avi"))
    assert video["bytes"] == stat.st_size and video["fingerprint"].startswith("sha256-3MiB:")
    results = record["results"]
    assert results["trajectories"]["sha256"] == sha256(ws.path("tracking", "demo", "part.h5"))
    assert results["movement"]["sha256"] == sha256(ws.path("tracking", "demo", "part.movement.nc"))


def test_qc_row_has_the_silhouette_score_and_stage_times(qc_tracked):
    ws = qc_tracked
    summary = pd.read_csv(ws.path("results", "qc", "summary.csv"), keep_default_na=False)
    assert list(summary.columns) == COLUMNS
    summary = summary.set_index("job")
    with h5py.File(ws.path("tracking", "demo", "part.h5")) as h5:
        silhouette = float(h5.attrs["silhouette_score"])  # the contrastive step ran
    assert float(summary.loc["part", "silhouette_score"]) == pytest.approx(silhouette, abs=1e-4)
    assert summary.loc["whole", "silhouette_score"] == "n/a"  # no identities, no score
    session = json.loads(
        ws.path("results", "sessions", "demo", "session_part", "session.json").read_text()
    )
    timer = session["timers"]["Contrastive step"]
    took = datetime.fromisoformat(timer["finish_time"]) - datetime.fromisoformat(
        timer["start_time"]
    )
    assert float(summary.loc["part", "contrastive_s"]) == pytest.approx(
        took.total_seconds(), abs=0.06
    )
    assert summary.loc["whole", "contrastive_s"] == "n/a"
    assert float(summary.loc["whole", "segmentation_s"]) >= 0
    assert summary.loc["part", "provenance"] == "tracking/demo/part.provenance.json"


def test_names_and_scale_from_config_and_a_rerun_after_validation(qc_tracked, tmp_path):
    """Validation rewrites the session's trajectories: the exports are made again (and with the
    names and scale now in config), nothing is tracked."""
    ws = copy_workspace(qc_tracked, tmp_path / "named")
    config = ws.path("config", "config.yaml")
    config.write_text(
        config.read_text()
        + "exports:\n  individual_names:\n    demo: [alice, bob]\n  px_per_mm:\n    demo: 2.5\n"
        + "  tidy_table: csv\n"
    )
    session = ws.path("results", "sessions", "demo", "session_whole")
    with h5py.File(session / "trajectories" / "trajectories.h5", "r+") as h5:
        h5["trajectories"][100:140, 0, :] = np.nan

    result = ws.snakemake()

    assert result.returncode == 0, result.stderr[-3000:]
    output = result.stdout + result.stderr
    assert "rule track:" not in output and "rule analyse_job:" in output
    table = pd.read_csv(ws.path("tracking", "demo", "whole.tidy.csv"))
    alice = table[table["individual"] == "alice"].sort_values("frame")
    assert alice["x"].iloc[100:140].isna().all()
    np.testing.assert_allclose(alice["x_mm"], alice["x"] / 2.5)
    dataset = xr.open_dataset(ws.path("tracking", "demo", "whole.movement.nc"))
    assert list(dataset.individuals.values) == ["alice", "bob"]
    # A name list that does not fit: that export fails with the reason, the tracking is kept.
    config.write_text(config.read_text().replace("[alice, bob]", "[alice]"))
    failed = ws.task("export")
    assert failed.returncode != 0
    log = ws.path("results", "logs", "export_job", "demo", "whole.log").read_text()
    assert "gives 1 names for video demo" in log and "What to do" in log
    assert ws.path("results", "sessions", "demo", "whole.tracked.json").is_file()
    # The parquet table of before the switch to csv is gone, not left to look current.
    assert not ws.path("tracking", "demo", "whole.tidy.parquet").exists()
    # The failed export kept the good files (Snakemake put them back), and status, which
    # would otherwise say `done`, names the step, its reason and its log.
    dataset = xr.open_dataset(ws.path("tracking", "demo", "whole.movement.nc"))
    assert list(dataset.individuals.values) == ["alice", "bob"]
    assert ws.path("tracking", "demo", "whole.provenance.json").is_file()
    _, rows = run_status(ws)
    assert rows["demo/whole"]["state"] == "failed"
    assert "writing the analysis files failed: Job demo/whole" in rows["demo/whole"]["reason"]
    assert "gives 1 names" in rows["demo/whole"]["reason"]


def test_videos_on_request_for_the_flagged_or_named_jobs(qc_tracked, tmp_path):
    import cv2

    ws = copy_workspace(qc_tracked, tmp_path / "videos")
    summary = ws.path("results", "qc", "summary.csv")
    table = pd.read_csv(summary, keep_default_na=False)
    table["flags"] = ["a flag" if job == "whole" else "" for job in table["job"]]
    table.to_csv(summary, index=False)

    result = ws.task("videos", "--flagged", timeout=900)

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Videos of 1 jobs" in result.stdout
    made = ws.path("results", "videos", "demo", "whole.avi")
    capture = cv2.VideoCapture(str(made))
    # idtracker.ai's generator draws every frame but the last (199 of the video's 200).
    assert capture.isOpened() and int(capture.get(cv2.CAP_PROP_FRAME_COUNT)) >= 199
    assert not ws.path("results", "videos", "demo", "part.avi").exists()
    # Nothing went into the session folder.
    assert not list(ws.path("results", "sessions", "demo", "session_whole").glob("*.avi"))
    unknown = ws.task("videos", "demo/nope")
    assert unknown.returncode == 1 and "Not tracked (yet): demo/nope" in unknown.stdout
