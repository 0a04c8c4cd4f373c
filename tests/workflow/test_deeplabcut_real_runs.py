"""DeepLabCut jobs through the real workflow: a tiny multi-animal project built and trained
here from a synthetic video with known keypoints (random-init weights, offline), analysed by
the real DeepLabCut 3.0.2 in its own environment (.venv-dlc, `python3 tasks.py setup-dlc`).

CI installs that environment first (.ci/run) and these tests fail there without it; elsewhere
they are skipped with the command that installs it.
"""

import hashlib
import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr
import yaml
from conftest import ARTIFACTS, REPO, planned_jobs, run_status, tracker_python
from pose_jobs import configured_python, follows_one_animal, truth, workspace_with_one_job

from idtracker_flow import trackers
from idtracker_flow.trackers.deeplabcut import environment, model, tracks_file

MAKE_PROJECT = REPO / "tests" / "deeplabcut" / "make_project.py"
EPOCHS = 60  # tests/deeplabcut/make_project.py: enough for a few pixels on its test video


def dlc_python() -> Path:
    return tracker_python(environment.DEEPLABCUT)


def make_project(python: Path, folder: Path, *args: str) -> Path:
    done = subprocess.run(
        [str(python), str(MAKE_PROJECT), str(folder), *args],
        capture_output=True,
        text=True,
        timeout=3000,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return Path(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """The trained project (kept in tests/artifacts/ between local runs, keyed on the script),
    copied to a scratch folder the tests may retrain."""
    python = dlc_python()
    key = hashlib.sha256(MAKE_PROJECT.read_bytes() + str(EPOCHS).encode()).hexdigest()[:12]
    cached = ARTIFACTS / f"dlc-project-{key}"
    if not (cached / "done").is_file():
        shutil.rmtree(cached, ignore_errors=True)
        make_project(python, cached, "--epochs", str(EPOCHS))
        (cached / "done").write_text("")
    folder = tmp_path_factory.mktemp("dlc") / "made"
    shutil.copytree(cached, folder)
    config = next(folder.glob("project/*/config.yaml"))
    return python, folder, config


@pytest.fixture(scope="module")
def analysed(trained, tmp_path_factory):
    """A workspace with one DeepLabCut job, tracked by `pixi run track`."""
    python, folder, config = trained
    ws = workspace_with_one_job(
        tmp_path_factory.mktemp("dlc-ws") / "project",
        folder / "test_video.mp4",
        'tracker = "deeplabcut"\n'
        f'project = "D:/dlc/{config.parent.name}/config.yaml"\n'
        'video_paths = ["D:/videos/arena1.mp4"]\n'
        "n_tracks = 2\n",
        {"D:/dlc": config.parent.parent},
        environment.DEEPLABCUT,
        python,
    )
    return ws, folder, config


def test_poses_are_where_the_animals_are_without_swaps(analysed):
    ws, folder, _ = analysed
    table = tracks_file.read_full(ws.path("tracking", "arena1", "poses.h5"))
    true, parts = truth(folder)
    n_frames = len(next(iter(true.values())))
    table = table.reindex(range(n_frames))
    errors, owners = [], {}
    for track in tracks_file.individuals(table):
        found = np.stack(
            [
                table.xs((track, coord), axis=1, level=("individuals", "coords"))
                .droplevel("scorer", axis=1)[parts]
                .to_numpy()
                for coord in ("x", "y")
            ],
            axis=-1,
        )  # (frames, bodyparts, 2)
        owners[track], error = follows_one_animal(track, found, true)
        errors.append(error)
    assert sorted(owners.values()) == sorted(true), owners
    assert np.mean(np.concatenate(errors)) < 5.0  # pixels


def test_analysis_files_qc_and_provenance(analysed):
    ws, _, config = analysed
    tracks = ws.path("tracking", "arena1", "poses.h5")
    record = json.loads(ws.path("results", "sessions", "arena1", "poses.tracked.json").read_text())
    # The snapshot the DAG waits on is the one DeepLabCut analysed with.
    expected = model.snapshot(config)
    assert Path(record["deeplabcut"]["snapshot"]).resolve() == expected.resolve()
    # movement dataset: every frame of the video, the same numbers as DeepLabCut's file.
    dataset = xr.open_dataset(ws.path("tracking", "arena1", "poses.movement.nc"))
    full = tracks_file.read_full(tracks, record["deeplabcut"]["video_frames"])
    assert dataset.sizes["time"] == record["deeplabcut"]["video_frames"] == len(full)
    assert dataset.attrs["source_software"] == "DeepLabCut"
    snout_x = full.xs(("animal1", "snout", "x"), axis=1, level=(1, 2, 3)).iloc[:, 0].to_numpy()
    np.testing.assert_array_equal(
        dataset["position"].sel(individuals="animal1", keypoints="snout", space="x").values,
        snout_x,
    )
    tidy = pd.read_parquet(ws.path("tracking", "arena1", "poses.tidy.parquet"))
    assert set(tidy.columns) >= {"frame", "individual", "keypoint", "x", "y", "likelihood"}
    assert len(tidy) == dataset.sizes["time"] * 2 * 3
    provenance = json.loads(ws.path("tracking", "arena1", "poses.provenance.json").read_text())
    assert provenance["tracking"]["tracker"] == "DeepLabCut"
    assert (
        provenance["model"]["snapshot"]["sha256"]
        == hashlib.sha256(expected.read_bytes()).hexdigest()
    )
    assert provenance["model"]["software"]["deeplabcut_version"] == "3.0.2"
    # The tracker's knobs as DeepLabCut read them: the file's digest and its values.
    knobs = model.inference_config(config)
    recorded = provenance["model"]["inference_cfg"]
    assert recorded["sha256"] == hashlib.sha256(knobs.read_bytes()).hexdigest()
    values = yaml.safe_load(knobs.read_text())
    assert recorded["tracking"]["track_method"] == "box"
    for key in ("boundingboxslack", "iou_threshold", "max_age", "min_hits"):
        assert recorded["tracking"][key] == values[key], key
    assert provenance["model"]["n_tracks"] == 2
    summary = pd.read_csv(ws.path("results", "qc", "summary.csv"))
    row = summary.set_index("job").loc["poses"]
    assert row["tracker"] == "DeepLabCut" and row["possible_identity_swaps"] == 0
    assert row["mean_likelihood"] > 0.6 and row["keypoints_found"] > 0.9
    # The frames behind the count, in the job's QC file (none here: the tracks hold).
    qc = json.loads(ws.path("results", "qc", "jobs", "arena1", "poses.json").read_text())
    assert qc["identity_swaps"]["count"] == 0 and qc["identity_swaps"]["frames"] == []
    assert 5 < qc["identity_swaps"]["body_length_px"] < 100
    assert ws.path("results", "qc", "plots", "arena1", "poses.trajectories.png").is_file()
    # The console follows the job through DeepLabCut's own stages (not idtracker.ai's parser).
    log = ws.path("results", "logs", "track", "arena1", "poses.log").read_text()
    assert "Stage: poses and tracks" in log
    assert trackers.by_name("deeplabcut").stage_reader().feed(log).name == "saving"


def test_a_named_job_gets_deeplabcuts_labelled_video(analysed):
    import cv2

    ws, _, _ = analysed
    record = json.loads(ws.path("results", "sessions", "arena1", "poses.tracked.json").read_text())
    # Named, not flagged (its row has no flag): made all the same.
    result = ws.task("videos", "arena1/poses", timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    made = ws.path("results", "videos", "arena1", "poses.avi")
    capture = cv2.VideoCapture(str(made))
    frames = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
    readable, image = capture.read()
    capture.release()
    assert readable and image.shape[:2] == (
        record["deeplabcut"]["height"],
        record["deeplabcut"]["width"],
    )
    assert frames == record["deeplabcut"]["video_frames"], frames
    # What DeepLabCut needs stays in the session folder; its own mp4 was not left there.
    work = ws.path("results", "sessions", "arena1", "session_poses", "deeplabcut")
    assert list(work.glob("*_meta.pickle")) and list(work.glob("*_bx.h5"))
    assert not list(work.glob("*_labeled.mp4"))


def test_filterpredictions_exports_filtered_tracks_beside_the_raw_ones(analysed):
    ws, _, config = analysed
    ws.write_settings(
        "arena1",
        "smooth",
        f'tracker = "deeplabcut"\nproject = "{config}"\nvideo_paths = ["videos/arena1.mp4"]\n'
        'n_tracks = 2\nfilterpredictions = "median"\nfilter_windowlength = 5\n',
    )
    result = ws.snakemake("tracking/arena1/smooth.h5")
    ws.settings_path("arena1", "smooth").unlink()  # the other tests plan without it
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    raw = tracks_file.read_full(ws.path("tracking", "arena1", "smooth.h5"))
    filtered = tracks_file.read_full(ws.path("tracking", "arena1", "smooth.filtered.h5"))
    assert list(filtered.columns) == list(raw.columns) and len(filtered) == len(raw)
    x = filtered.xs("x", axis=1, level="coords").to_numpy()
    raw_x = raw.xs("x", axis=1, level="coords").to_numpy()
    seen = np.isfinite(x) & np.isfinite(raw_x)
    # A median filter of 5 frames: not the raw numbers, yet within a few pixels of them.
    assert seen.mean() > 0.9 and not np.array_equal(x[seen], raw_x[seen])
    assert np.nanmedian(np.abs(x[seen] - raw_x[seen])) < 3.0
    record = json.loads(ws.path("results", "sessions", "arena1", "smooth.tracked.json").read_text())
    assert record["deeplabcut"]["filterpredictions"] == {"filtertype": "median", "windowlength": 5}


def test_rerun_does_nothing_until_the_model_is_retrained(analysed):
    ws, folder, config = analysed
    assert planned_jobs(ws.snakemake("-n")) == {}
    # Other changes to the project (labels, config.yaml) do not re-run the job.
    os.utime(config)
    assert planned_jobs(ws.snakemake("-n")) == {}
    # The tracker's knobs (inference_cfg.yaml) are the job's input: an edit plans it again.
    knobs = model.inference_config(config)
    text, stamp = knobs.read_text(), knobs.stat().st_mtime_ns
    knobs.write_text(text.replace("max_age: 1\n", "max_age: 2\n"))
    planned = planned_jobs(ws.snakemake("-n"))
    assert planned.get("track") == 1 and planned.get("analyse_job") == 1, planned
    status_text, rows = run_status(ws)
    assert rows["arena1/poses"]["state"] == "outdated", status_text
    assert "tracker settings edited (inference_cfg.yaml)" in rows["arena1/poses"]["reason"]
    knobs.write_text(text)  # as it was, time included: nothing to do again
    os.utime(knobs, ns=(stamp, stamp))
    assert planned_jobs(ws.snakemake("-n")) == {}
    python = Path(configured_python(ws, environment.DEEPLABCUT))
    before = model.snapshot(config)
    make_project(python, folder, "--retrain", "--epochs", "1")
    after = model.snapshot(config)
    assert after != before or after.stat().st_mtime > before.stat().st_mtime
    planned = planned_jobs(ws.snakemake("-n"))
    assert planned.get("track") == 1 and planned.get("analyse_job") == 1, planned
    text, rows = run_status(ws)
    assert rows["arena1/poses"]["state"] == "outdated", text
    assert "DeepLabCut model retrained" in rows["arena1/poses"]["reason"], text


def test_more_tracks_than_individuals_are_refused_in_seconds(analysed):
    ws, _, config = analysed
    ws.write_settings(
        "arena1",
        "five",
        f'tracker = "deeplabcut"\nproject = "{config}"\nvideo_paths = ["videos/arena1.mp4"]\n'
        "n_tracks = 5\n",
    )
    started = time.monotonic()
    result = ws.task("fix-paths", timeout=600)
    seconds = time.monotonic() - started
    ws.settings_path("arena1", "five").unlink()
    assert result.returncode != 0
    log = ws.path("results", "logs", "repair_settings", "arena1", "five.log").read_text()
    assert "Job arena1/five" in log and "n_tracks = 5" in log, log
    assert "2 individuals (animal1, animal2)" in log and "at most 2" in log, log
    assert seconds < 60, f"refused after {seconds:.0f} s"  # no analysis: the settings step


def test_deeplabcuts_own_failure_is_said_on_the_console_in_status_and_kept(analysed):
    """A tracker that links nothing (iou_threshold above 1: no two boxes overlap that much),
    as DeepLabCut's defaults did for the issue's user: DeepLabCut's reason and the advice on
    the console and in status, each attempt's whole log kept."""
    ws, _, config = analysed
    knobs = model.inference_config(config)
    text, stamp = knobs.read_text(), knobs.stat().st_mtime_ns
    knobs.write_text(text.replace("iou_threshold: 0.6\n", "iou_threshold: 1.01\n"))
    ws.write_settings(
        "arena1",
        "lost",
        f'tracker = "deeplabcut"\nproject = "{config}"\nvideo_paths = ["videos/arena1.mp4"]\n'
        "n_tracks = 2\n",
    )
    try:
        result = ws.track("tracking/arena1/lost.h5", timeout=1800)
        _, rows = run_status(ws)
    finally:
        knobs.write_text(text)
        os.utime(knobs, ns=(stamp, stamp))
    assert result.returncode != 0
    said = "Job arena1/lost: DeepLabCut did not produce tracks: DeepLabCut found no animal"
    output = result.stdout + result.stderr
    assert said in output and "What to do: " in output and "inference_cfg.yaml" in output, output
    reason = rows["arena1/lost"]["reason"]
    assert said in reason and "What to do: " in reason and "iou_threshold" in reason, reason
    logs = ws.path("results", "logs", "track", "arena1")
    first = (logs / "lost.log.attempt1.log").read_text()
    assert "Stage: poses and tracks" in first and said in first  # DeepLabCut's own run, whole


def test_missing_model_and_missing_deeplabcut_say_what_to_do(analysed):
    ws, _, config = analysed
    ws.write_settings(
        "arena1",
        "untrained",
        f'tracker = "deeplabcut"\nproject = "{config}"\nvideo_paths = ["videos/arena1.mp4"]\n'
        "shuffle = 2\n",
    )
    result = ws.task("fix-paths", timeout=600)
    assert result.returncode != 0
    log = ws.path("results", "logs", "repair_settings", "arena1", "untrained.log").read_text()
    assert "Job arena1/untrained" in log and "no trained network" in log
    assert "shuffle=2" in log and "What to do" in log
    ws.settings_path("arena1", "untrained").unlink()
    # The environment without DeepLabCut: the job fails before anything is removed.
    config_file = ws.path("config", "config.yaml")
    config_file.write_text(
        config_file.read_text().replace(
            configured_python(ws, environment.DEEPLABCUT), str(ws.path("no-dlc", "python"))
        )
    )
    result = ws.snakemake("--forcerun", "track", "tracking/arena1/poses.h5")
    assert result.returncode != 0
    log = ws.path("results", "logs", "track", "arena1", "poses.log").read_text()
    assert "Job arena1/poses" in log and "python3 tasks.py setup-dlc" in log
    assert ws.path("results", "sessions", "arena1", "session_poses", "tracks.h5").is_file()
