"""SLEAP jobs through the real workflow: a tiny bottom-up model trained here on a synthetic
video with known keypoints (labels written from the truth with sleap-io, random weights,
offline), tracking an unseen video with the real sleap-nn 0.3.5 in its own environment
(.venv-sleap, `python3 tasks.py setup-sleap`).

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
from conftest import ARTIFACTS, REPO, planned_jobs, run_status, tracker_python
from pose_jobs import configured_python, follows_one_animal, truth, workspace_with_one_job

from idtracker_flow import trackers
from idtracker_flow.trackers.sleap import environment, model, result_file
from idtracker_flow.trackers.sleap import run as sleap_run

MAKE_MODEL = REPO / "tests" / "sleap" / "make_model.py"
VIDEO_MAKER = REPO / "tests" / "deeplabcut" / "make_project.py"  # make_model.py's videos
EPOCHS = 30  # tests/sleap/make_model.py: about 1.5 px on its validation frames


def sleap_python() -> Path:
    return tracker_python(environment.SLEAP)


def make_model(python: Path, folder: Path, *args: str) -> Path:
    done = subprocess.run(
        [str(python), str(MAKE_MODEL), str(folder), *args],
        capture_output=True,
        text=True,
        timeout=1800,
        env={**os.environ, "HF_HUB_OFFLINE": "1", "WANDB_MODE": "disabled"},
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return Path(done.stdout.strip().splitlines()[-1])


def test_the_jobs_options_are_sleap_nn_predicts():
    """The settings keys passed on are options of the installed `sleap-nn predict`, with the
    same names (a renamed option would otherwise fail every job at its start)."""
    from idtracker_flow.trackers.sleap import job_settings

    code = "from sleap_nn.cli import predict; print(' '.join(p.name for p in predict.params))"
    done = subprocess.run([str(sleap_python()), "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    known = set(done.stdout.split())
    assert set(job_settings.OPTIONS) | {"tracking", "model_paths", "batch_size"} <= known


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """The trained model (kept in tests/artifacts/ between local runs, keyed on the scripts),
    copied to a scratch folder the tests may retrain."""
    python = sleap_python()
    scripts = MAKE_MODEL.read_bytes() + VIDEO_MAKER.read_bytes() + str(EPOCHS).encode()
    cached = ARTIFACTS / f"sleap-model-{hashlib.sha256(scripts).hexdigest()[:12]}"
    if not (cached / "done").is_file():
        shutil.rmtree(cached, ignore_errors=True)
        started = time.monotonic()
        make_model(python, cached, "--epochs", str(EPOCHS))
        (cached / "done").write_text(f"{time.monotonic() - started:.1f} s\n")
    folder = tmp_path_factory.mktemp("sleap") / "made"
    shutil.copytree(cached, folder)
    return python, folder, folder / "models" / "synth.bottomup"


@pytest.fixture(scope="module")
def tracked(trained, tmp_path_factory):
    """A workspace with one SLEAP job, tracked by `pixi run track`."""
    python, folder, model_folder = trained
    ws = workspace_with_one_job(
        tmp_path_factory.mktemp("sleap-ws") / "project",
        folder / "test_video.mp4",
        'tracker = "sleap"\n'
        f'model_paths = ["D:/sleap/models/{model_folder.name}"]\n'
        'video_paths = ["D:/videos/arena1.mp4"]\n'
        "max_instances = 2\n"
        "tracking_window_size = 5\n",
        {"D:/sleap": folder},
        environment.SLEAP,
        python,
    )
    return ws, folder, model_folder


def record_of(ws) -> dict:
    return json.loads(ws.path("results", "sessions", "arena1", "poses.tracked.json").read_text())


def test_poses_are_where_the_animals_are_without_swaps(tracked):
    ws, folder, _ = tracked
    poses = result_file.read_poses(
        ws.path("tracking", "arena1", "poses.h5"), record_of(ws)["sleap"]
    )
    true, _ = truth(folder, poses.keypoints)
    errors, owners = {}, {}
    for index, track in enumerate(poses.individuals):
        found = poses.position[:, index]  # (frames, keypoints, 2)
        owners[track], error = follows_one_animal(track, found, true)
        errors[owners[track]] = float(np.mean(error))
    assert sorted(owners.values()) == sorted(true), owners
    print(f"mean error per animal (px): {errors}")
    assert max(errors.values()) < 4.0, errors


def test_analysis_files_equal_sleaps_own_numbers_qc_and_provenance(tracked):
    import sleap_io as sio

    ws, _, model_folder = tracked
    record = record_of(ws)
    summary = record["sleap"]
    # The .slp beside the analysis file, as SLEAP wrote it (its GUI opens it to proofread).
    slp = ws.path("tracking", "arena1", "poses.slp")
    session = ws.path("results", "sessions", "arena1", "session_poses")
    assert slp.read_bytes() == (session / sleap_run.PREDICTIONS).read_bytes()
    labels = sio.load_slp(str(slp))
    own = labels.numpy()  # (frames, tracks, nodes, 2), SLEAP's own numbers
    dataset = xr.open_dataset(ws.path("tracking", "arena1", "poses.movement.nc"))
    assert dataset.sizes["time"] == summary["video_frames"] == len(own) == 100
    assert dataset.attrs["source_software"] == "SLEAP"
    position = dataset["position"].transpose("time", "individuals", "keypoints", "space").values
    names = [track.name for track in labels.tracks]
    order = [names.index(name) for name in summary["tracks"]]
    np.testing.assert_array_equal(position, own[:, order])
    tidy = pd.read_parquet(ws.path("tracking", "arena1", "poses.tidy.parquet"))
    assert set(tidy.columns) >= {"frame", "individual", "keypoint", "x", "y", "point_score"}
    assert len(tidy) == 100 * 2 * 3
    # The provenance: the weights the DAG waits on, their digest, the versions.
    weights = model.read(model_folder).weights
    provenance = json.loads(ws.path("tracking", "arena1", "poses.provenance.json").read_text())
    assert provenance["tracking"]["tracker"] == "SLEAP"
    recorded = provenance["model"]["models"][0]
    assert recorded["weights"]["sha256"] == hashlib.sha256(weights.read_bytes()).hexdigest()
    assert recorded["kind"] == "bottom-up" and recorded["nodes"] == ["snout", "tail", "side"]
    assert provenance["model"]["software"]["sleap_nn_version"] == "0.3.5"
    assert "--max_instances" in provenance["model"]["command"]
    # The generic pose QC row, and SLEAP's own column.
    row = pd.read_csv(ws.path("results", "qc", "summary.csv")).set_index("job").loc["poses"]
    assert row["tracker"] == "SLEAP" and row["possible_identity_swaps"] == 0
    assert row["keypoints_found"] > 0.9 and row["mean_likelihood"] > 0.5
    assert row["mean_instance_score"] == summary["mean_instance_score"] > 0.5
    # The console follows the job through SLEAP's own stages.
    log = ws.path("results", "logs", "track", "arena1", "poses.log").read_text()
    assert "Stage: poses and tracks" in log and "sleap-nn predict" in log
    stage = trackers.by_name("sleap").stage_reader().feed(log)
    assert stage.name == "saving" and stage.frames == 100
    print(f"SLEAP's prediction of 100 frames on CPU: {summary['seconds']} s")


def test_a_named_job_gets_a_labelled_video(tracked):
    import cv2

    ws, _, _ = tracked
    summary = record_of(ws)["sleap"]
    result = ws.task("videos", "arena1/poses", timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    capture = cv2.VideoCapture(str(ws.path("results", "videos", "arena1", "poses.avi")))
    frames = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
    readable, image = capture.read()
    capture.release()
    assert readable and image.shape[:2] == (summary["height"], summary["width"])
    assert frames == summary["video_frames"]


def test_rerun_does_nothing_until_the_model_is_retrained(tracked):
    ws, folder, model_folder = tracked
    assert planned_jobs(ws.snakemake("-n")) == {}
    # Other files of the model folder (its labels, metrics) do not re-run the job.
    os.utime(model_folder / "training_config.yaml")
    os.utime(model_folder / "labels_gt.train.0.slp")
    assert planned_jobs(ws.snakemake("-n")) == {}
    # A second job on another model: retraining the first plans only the first.
    other = folder / "models" / "other.bottomup"
    shutil.copytree(model_folder, other)
    ws.write_settings(
        "arena1",
        "other",
        f'tracker = "sleap"\nmodel_paths = ["{other}"]\nvideo_paths = ["videos/arena1.mp4"]\n'
        "max_instances = 2\n",
    )
    result = ws.snakemake("tracking/arena1/other.h5")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert planned_jobs(ws.snakemake("-n")).get("track") is None
    python = configured_python(ws, environment.SLEAP)
    make_model(Path(python), folder, "--retrain", "--epochs", "1")
    planned = planned_jobs(ws.snakemake("-n"))
    # One job tracked again (and copied): the one whose model was retrained.
    assert planned.get("track") == 1 and planned.get("copy_trajectories") == 1, planned
    text, rows = run_status(ws)
    assert rows["arena1/poses"]["state"] == "outdated", text
    assert "SLEAP model retrained" in rows["arena1/poses"]["reason"], text
    assert rows["arena1/other"]["state"] == "done", text


def test_errors_before_any_gpu_time_say_what_to_do(tracked):
    """No model in the folder, a top-down half, an unreadable video: the settings step
    refuses them in seconds; a missing SLEAP environment fails the job before it starts."""
    ws, folder, model_folder = tracked
    empty = folder / "models" / "empty"
    empty.mkdir(exist_ok=True)
    ws.path("videos", "broken.mp4").write_bytes(b"not a video" * 100)
    jobs = {
        "empty": (f'["{empty}"]', "videos/arena1.mp4"),
        "broken": (f'["{model_folder}"]', "videos/broken.mp4"),
    }
    for job, (models, video) in jobs.items():
        ws.write_settings(
            "arena1", job, f'tracker = "sleap"\nmodel_paths = {models}\nvideo_paths = ["{video}"]\n'
        )
    started = time.monotonic()
    result = ws.task("fix-paths", timeout=600)
    seconds = time.monotonic() - started
    for job in jobs:
        ws.settings_path("arena1", job).unlink()
    assert result.returncode != 0
    logs = ws.path("results", "logs", "repair_settings", "arena1")
    said = (logs / "empty.log").read_text()
    assert "Job arena1/empty" in said and f"no trained SLEAP model in {empty}" in said, said
    assert "What to do: train the model in SLEAP" in said, said
    said = (logs / "broken.log").read_text()
    assert "Job arena1/broken" in said and "broken.mp4" in said and "What to do" in said, said
    assert seconds < 60, f"refused after {seconds:.0f} s"
    # The environment without sleap-nn: the job fails before anything is removed.
    config_file = ws.path("config", "config.yaml")
    config_file.write_text(
        config_file.read_text().replace(
            configured_python(ws, environment.SLEAP), str(ws.path("no-sleap", "python"))
        )
    )
    result = ws.snakemake("--forcerun", "track", "tracking/arena1/poses.h5")
    assert result.returncode != 0
    log = ws.path("results", "logs", "track", "arena1", "poses.log").read_text()
    assert "Job arena1/poses" in log and "python3 tasks.py setup-sleap" in log, log
    assert "pixi install -e sleap" in log
    assert ws.path("results", "sessions", "arena1", "session_poses", sleap_run.ANALYSIS).is_file()
