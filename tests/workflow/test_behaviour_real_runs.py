"""Behaviour of real idtracker.ai runs (the workspace qc_tracked of conftest.py, tracked once):
each job's table agrees with its movement dataset (checked here with numpy, not with the
workflow's code), and a changed behaviour setting or metadata sheet remakes behaviour only."""

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from conftest import QC_JOBS, copy_workspace, planned_jobs


def dataset_of(ws, job):
    with xr.open_dataset(ws.path("tracking", "demo", f"{job}.movement.nc")) as dataset:
        return dataset.load()


def own_measures(dataset, individual, moving_body_lengths_per_s=0.5):
    """Frames tracked, distance (a gap as the straight line across it) and speeds, by hand."""
    xy = dataset.position.sel(individuals=individual).isel(keypoints=0).transpose("time", "space")
    xy = xy.values
    present = ~np.isnan(xy).any(axis=1)
    filled = pd.DataFrame(xy).ffill().to_numpy()
    steps = np.linalg.norm(np.diff(filled, axis=0), axis=1)
    time = dataset.time.values
    speed = np.hypot(np.gradient(xy[:, 0], time), np.gradient(xy[:, 1], time))
    speed = speed[np.isfinite(speed)]
    threshold = moving_body_lengths_per_s * dataset.attrs["body_length_px"]
    return {
        "frames_tracked": int(present.sum()),
        "distance_px": float(np.nansum(steps)),
        "speed_median_px_s": float(np.median(speed)),
        "fraction_moving": float(np.mean(speed > threshold)),
    }


@pytest.mark.parametrize("job", list(QC_JOBS))
def test_each_jobs_behaviour_agrees_with_its_movement_dataset(qc_tracked, job):
    table = pd.read_csv(qc_tracked.path("results", "behaviour", "jobs", "demo", f"{job}.csv"))
    dataset = dataset_of(qc_tracked, job)
    assert list(table["individual"]) == [str(i) for i in dataset.individuals.values]
    for row in table.to_dict("records"):
        own = own_measures(dataset, row["individual"])
        assert row["frames_tracked"] == own["frames_tracked"] > 0
        assert row["distance_px"] == pytest.approx(own["distance_px"], rel=1e-9)
        assert row["speed_median_px_s"] == pytest.approx(own["speed_median_px_s"], rel=1e-9)
        assert row["fraction_moving"] == pytest.approx(own["fraction_moving"])
        assert row["body_length_px"] == pytest.approx(dataset.attrs["body_length_px"])
        assert row["nearest_neighbour_median_px"] > 0  # two animals
    for picture in ("occupancy", "speed"):
        path = qc_tracked.path("results", "behaviour", "plots", "demo", f"{job}.{picture}.png")
        assert path.read_bytes()[:4] == b"\x89PNG"
    summary = pd.read_csv(qc_tracked.path("results", "behaviour", "summary.csv"))
    assert len(summary) == 2 * len(QC_JOBS)


def test_a_behaviour_setting_or_sheet_remakes_the_analysis_not_the_tracking(qc_tracked, tmp_path):
    ws = copy_workspace(qc_tracked, tmp_path / "behaviour")
    ws.path("metadata.csv").write_text("video,genotype\ndemo,wt\nghost,mut\n")
    config = ws.path("config", "config.yaml")
    config.write_text(
        config.read_text()
        + "behaviour:\n  moving_body_lengths_per_s: 2.0\n  group_by: genotype\n"
        + "  arena:\n    demo: {polygon: [[0, 0], [400, 0], [400, 400], [0, 400]]}\n"
        + "metadata: metadata.csv\n"
    )
    planned = planned_jobs(ws.snakemake("-n"))
    assert planned.get("analyse_job") == len(QC_JOBS)
    assert set(planned) <= {"all", "analyse_job", "qc_summary", "behaviour_summary"}, planned

    result = ws.snakemake()

    assert result.returncode == 0, result.stderr[-3000:]
    for job in QC_JOBS:
        table = pd.read_csv(ws.path("results", "behaviour", "jobs", "demo", f"{job}.csv"))
        dataset = dataset_of(ws, job)
        for row in table.to_dict("records"):
            own = own_measures(dataset, row["individual"], moving_body_lengths_per_s=2.0)
            assert row["fraction_moving"] == pytest.approx(own["fraction_moving"])
            assert row["arena_from"] == "config"
            assert row["fraction_border"] + row["fraction_centre"] == pytest.approx(1.0)
    summary = pd.read_csv(ws.path("results", "behaviour", "summary.csv"))
    assert set(summary["genotype"]) == {"wt"}
    page = ws.path("results", "behaviour", "summary.html").read_text()
    assert "ghost" in page and "no video of" in page  # a sheet row for no video of ours
    assert "ghost" in ws.path("results", "logs", "behaviour_summary.log").read_text()
    assert planned_jobs(ws.snakemake("-n")) == {}  # nothing left to do
