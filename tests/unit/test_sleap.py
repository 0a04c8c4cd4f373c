"""SLEAP jobs without SLEAP: the settings, the model folders and what the DAG waits on, the
repair's messages, the command line, the verdict, the stage reader and the reader of SLEAP's
analysis HDF5.

The model folders here are written by hand (a training_config.yaml and an empty best.ckpt):
the workflow test (tests/workflow/test_sleap_real_runs.py) runs the same code on a model that
sleap-nn trained and on sleap-nn's own result.
"""

import json

import h5py
import numpy as np
import pytest
from conftest import REPO

from idtracker_flow import trackers
from idtracker_flow.exports import movement_dataset, tidy_table
from idtracker_flow.qc import pose_quality
from idtracker_flow.settings.repair import RepairError, repaired_document
from idtracker_flow.trackers import separate_python
from idtracker_flow.trackers.protocol import RunFailed, RunRequest
from idtracker_flow.trackers.sleap import (
    environment,
    job_settings,
    model,
    result_file,
    run,
    stages,
)

DATA = REPO / "tests" / "data" / "trackers" / "sleap"  # a real run of the test video
SLEAP = trackers.by_name("sleap")


def config_yaml(head: str, nodes=("snout", "tail", "side"), anchor=None) -> str:
    confmaps = (
        f"      confmaps:\n        anchor_part: {anchor}\n" if anchor else "      confmaps: {}\n"
    )
    node_lines = "".join(f"    - name: {node}\n" for node in nodes)
    return (
        "data_config:\n  skeletons:\n  - name: mice\n    nodes:\n"
        + node_lines
        + "model_config:\n  head_configs:\n    bottomup: null\n    centroid: null\n"
        + f"    {head}:\n{confmaps}"
    )


def make_model(root, name: str, head: str = "bottomup", weights: bool = True, **options):
    folder = root / "sleap" / "models" / name
    folder.mkdir(parents=True)
    (folder / model.CONFIG_YAML).write_text(config_yaml(head, **options))
    if weights:
        (folder / "best.ckpt").write_bytes(b"")
    return folder


def test_a_model_folder_is_read_without_sleap(tmp_path):
    folder = make_model(tmp_path, "m.bottomup")
    found = model.read(folder)
    assert found.weights == folder / "best.ckpt" and found.kind == "bottom-up"
    assert found.nodes == ["snout", "tail", "side"]
    assert [m.kind for m in model.models([folder])] == ["bottom-up"]
    # SLEAP 1.4's folders: training_config.json and best_model.h5
    old = tmp_path / "old"
    old.mkdir()
    (old / model.CONFIG_JSON).write_text(json.dumps({"model": {"heads": {"multi_instance": {}}}}))
    (old / "best_model.h5").write_bytes(b"")
    assert model.read(old).kind == "bottom-up" and model.read(old).weights.name == "best_model.h5"


def test_no_model_in_the_folder_says_what_it_holds_and_what_to_do(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "labels.slp").write_bytes(b"")
    with pytest.raises(model.ModelMissing) as error:
        model.read(empty)
    message = str(error.value)
    assert f"no trained SLEAP model in {empty}" in message and "labels.slp" in message
    assert "What to do: train the model in SLEAP" in message
    untrained = make_model(tmp_path, "half", weights=False)
    with pytest.raises(model.ModelMissing, match="has no trained weights"):
        model.read(untrained)
    with pytest.raises(model.ModelMissing, match="does not exist"):
        model.read(tmp_path / "nowhere")


def test_top_down_needs_both_models_of_one_skeleton(tmp_path):
    centroid = make_model(tmp_path, "c", "centroid", anchor="snout")
    instance = make_model(tmp_path, "i", "centered_instance")
    assert [m.kind for m in model.models([centroid, instance])] == [
        "centroid",
        "centered-instance",
    ]
    with pytest.raises(model.ModelMissing) as error:
        model.models([centroid])
    assert "needs its centered-instance model too" in str(error.value)
    other = make_model(tmp_path, "fly", "centered_instance", nodes=("head", "thorax"))
    with pytest.raises(model.ModelMissing) as error:
        model.models([centroid, other])
    assert "models of different skeletons" in str(error.value) and "head, thorax" in str(
        error.value
    )
    stray = make_model(tmp_path, "c2", "centroid", nodes=("head", "thorax"), anchor="tail")
    with pytest.raises(model.ModelMissing, match="centres animals on 'tail'"):
        model.models([stray, other])
    bottomup = make_model(tmp_path, "b", "bottomup")
    with pytest.raises(model.ModelMissing, match="no pair|one bottom-up model"):
        model.models([bottomup, instance])


def model_inputs(tmp_path, folders):
    digest = SLEAP.digest({"model_paths": [str(f) for f in folders]})
    return SLEAP.track_inputs(
        digest, ("mice1", "poses"), str(tmp_path / "settings" / "mice1" / "poses.toml"),
        {"path_prefixes": {}}, set(), {},
    )  # fmt: skip


def test_the_weights_of_each_model_are_the_jobs_inputs(tmp_path):
    centroid = make_model(tmp_path, "c", "centroid")
    instance = make_model(tmp_path, "i", "centered_instance")
    inputs = model_inputs(tmp_path, [centroid, instance])
    assert inputs.files == [str(centroid / "best.ckpt"), str(instance / "best.ckpt")]
    assert inputs.changed(inputs.files[1]) == "SLEAP model retrained"
    assert model_inputs(tmp_path, [tmp_path / "nowhere"]).files == []


def test_job_settings_problems_name_the_key():
    good = {"tracker": "sleap", "model_paths": ["m"], "video_paths": ["v.mp4"]}
    assert job_settings.problems({**good, "max_instances": 2, "peak_threshold": 0.3}) == []
    found = job_settings.problems(
        {"tracker": "sleap", "model_path": "m", "max_instances": 0, "peak_threshold": 2,
         "candidates_method": "queue", "tracking": "yes"}
    )  # fmt: skip
    text = "\n".join(found)
    assert "'model_path' is not a setting of a SLEAP job" in text and "no `model_paths`" in text
    assert "max_instances = 0" in text and "peak_threshold = 2" in text
    assert "candidates_method = 'queue' must be one of fixed_window, local_queues" in text
    assert "tracking = 'yes' must be true or false" in text
    untracked = job_settings.problems({**good, "tracking": False, "max_tracks": 2})
    assert untracked == [
        "max_tracks is a tracking option, and tracking = false.\nWhat to do: correct it"
        " (docs/settings.md: SLEAP models lists every key)."
    ]
    assert trackers.for_settings({"tracker": "SLEAP"}) is SLEAP
    assert trackers.for_settings({"tracker": "sleap-nn"}) is SLEAP


def write_job(tmp_path, text: str):
    video = tmp_path / "videos" / "mice1.mp4"
    video.parent.mkdir(parents=True, exist_ok=True)
    video.write_bytes(b"")
    settings = tmp_path / "settings" / "mice1" / "poses.toml"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(text)
    return settings


def repair(settings):
    return repaired_document(settings, "mice1", "poses", {}, [], check_videos=False)


def test_repair_finds_the_model_folders_and_keeps_the_options(tmp_path):
    folder = make_model(tmp_path, "m.bottomup")
    settings = write_job(
        tmp_path,
        'tracker = "sleap"\nmodel_paths = ["../../sleap/models/m.bottomup"]\n'
        'video_paths = ["../../videos/mice1.mp4"]\nmax_instances = 2\n',
    )
    document, notes = repair(settings)
    assert document["model_paths"] == [str(folder.resolve())]
    assert document["max_instances"] == 2 and any(n.startswith("model_paths:") for n in notes)


def test_repair_refuses_a_folder_without_a_model_and_a_half_top_down_pair(tmp_path):
    make_model(tmp_path, "c", "centroid")
    empty = tmp_path / "sleap" / "models" / "empty"
    empty.mkdir()
    for folders, said in (
        ('["../../sleap/models/empty"]', f"no trained SLEAP model in {empty.resolve()}"),
        ('["../../sleap/models/c"]', "needs its centered-instance model too"),
    ):
        settings = write_job(
            tmp_path,
            f'tracker = "sleap"\nmodel_paths = {folders}\n'
            'video_paths = ["../../videos/mice1.mp4", "../../videos/mice1.mp4"]\n',
        )
        with pytest.raises(RepairError) as error:
            repair(settings)
        message = str(error.value)
        assert f"Job mice1/poses: {settings}" in message and said in message, message
        assert "What to do" in message and "a SLEAP job tracks one video" in message


def test_repair_says_where_it_looked_for_a_missing_model_folder(tmp_path):
    settings = write_job(
        tmp_path, 'tracker = "sleap"\nmodel_paths = ["D:/sleap/m"]\nvideo_paths = []\n'
    )
    with pytest.raises(RepairError, match="SLEAP model folder was not found") as error:
        repair(settings)
    assert "video_dirs" not in str(error.value) and "path_prefixes" in str(error.value)


def test_no_sleap_environment_says_how_to_install(tmp_path):
    with pytest.raises(separate_python.NotFound) as error:
        environment.SLEAP.python({"sleap_python": str(tmp_path / "nowhere" / "python")})
    assert "python3 tasks.py setup-sleap" in str(error.value)
    assert "pixi install -e sleap" in str(error.value)
    folder = make_model(tmp_path, "m")
    request = RunRequest(
        "mice1/poses", tmp_path, {"model_paths": [str(folder)]}, tmp_path, tmp_path, tmp_path,
        {"sleap_python": str(tmp_path / "nowhere" / "python")},
    )  # fmt: skip
    with pytest.raises(RunFailed) as failed:
        SLEAP.check(request)
    assert str(failed.value).startswith("Job mice1/poses: this is a SLEAP job")


def test_the_command_is_sleap_nns_predict_with_the_jobs_options(tmp_path):
    settings = {"tracker": "sleap", "model_paths": ["/m/c", "/m/i"], "video_paths": ["/v.mp4"],
                "max_instances": 2, "tracking_window_size": 10}  # fmt: skip
    argv = run.runner_command(tmp_path / "python", settings, tmp_path, "cuda:1")
    assert argv[1] == str(run.RUNNER) and SLEAP.PROCESS_MARKER in str(run.RUNNER).encode()
    assert argv[argv.index("--device") + 1] == "cuda:1" and "--tracking" in argv
    assert [argv[i + 1] for i, word in enumerate(argv) if word == "--model"] == ["/m/c", "/m/i"]
    options = [argv[i + 1] for i, word in enumerate(argv) if word == "--option"]
    assert options == ["max_instances=2", "tracking_window_size=10"]
    untracked = run.runner_command(
        tmp_path / "p", {**settings, "tracking": False}, tmp_path, "auto"
    )
    assert "--no-tracking" in untracked


def test_a_failed_run_says_sleaps_reason_and_advice_where_status_reads(tmp_path):
    from idtracker_flow.project.steps import TRACK
    from idtracker_flow.state.failures import first_problem

    session = tmp_path / "session"
    session.mkdir()
    (session / run.SUMMARY).write_text(
        '{"error": "SLEAP cannot read the video /v.mp4 (ValueError: no frames).\\n'
        'What to do: check that it plays in a video player."}'
    )
    request = RunRequest("mice1/poses", tmp_path, {}, session, tmp_path, tmp_path, {})
    log_path = tmp_path / "poses.log"
    with open(log_path, "w") as log:
        with pytest.raises(RunFailed) as error:
            run.judge(request, 2, log)
        print(f"\n{error.value}", file=log)
    assert first_problem(log_path, TRACK) == (
        "Job mice1/poses: SLEAP did not produce tracks: SLEAP cannot read the video /v.mp4"
        " (ValueError: no frames). What to do: check that it plays in a video player."
    )
    (session / run.SUMMARY).write_text(
        '{"error": "CUDA out of memory on cuda:0: the GPU ran out of memory.\\nWhat to do: x"}'
    )
    with open(log_path, "w") as log, pytest.raises(RunFailed) as error:
        run.judge(request, 2, log)
    assert error.value.transient  # retried alone on a GPU (tracking/retry.py)
    (session / run.SUMMARY).unlink()
    with open(log_path, "w") as log:
        print("Traceback (most recent call last):\nKeyError: 'nodes'", file=log)
        with pytest.raises(RunFailed) as error:
            run.judge(request, 1, log)
    first_line, advice = str(error.value).splitlines()[:2]
    assert first_line.endswith("exit status 1: KeyError: 'nodes'")
    assert advice.startswith(f"What to do: read SLEAP's output in {log_path}")


def test_the_stage_comes_from_the_runners_lines_and_sleap_nns_frame_count():
    reader = SLEAP.stage_reader()
    assert isinstance(reader, stages.StageReader)
    reader.feed("Stage: reading the video\nSLEAP job: arena1.mp4, 1200 fr")
    assert reader.stage.describe() == "reading the video"
    reader.feed("ames, on cuda:0\nStage: poses and tracks\n")
    assert reader.stage.describe() == "poses and tracks (1200 frames)"
    reader.feed("2026-12-05 | Starting inference | source=x | frames=1200 | videos=1\n")
    assert reader.stage.name == "poses and tracks" and reader.stage.frames == 1200


def analysis_file(path, frames=12, swap_at=None, missing=()):
    """SLEAP's analysis HDF5 (sleap-io's default, SLEAP's own layout): 2 tracks, 3 nodes."""
    tracks = np.full((2, 2, 3, frames), np.nan)
    for frame in range(frames):
        centres = [(10.0 + frame, 20.0), (10.0 + frame, 60.0)]
        if swap_at is not None and frame >= swap_at:
            centres.reverse()
        for track, (cx, cy) in enumerate(centres):
            if (frame, track) in missing:
                continue
            for node, (dx, dy) in enumerate(((4, 0), (0, 3), (-4, 0))):
                tracks[track, :, node, frame] = (cx + dx, cy + dy)
    scores = np.where(np.isnan(tracks[:, 0]), np.nan, 0.9)
    with h5py.File(path, "w") as handle:
        handle["tracks"] = tracks
        handle["point_scores"] = scores
        handle["instance_scores"] = np.full((2, frames), 1.5)
        handle["track_names"] = np.array([b"track_0", b"track_1"])
        handle["node_names"] = np.array([b"snout", b"fin", b"tail"])
    return path


def test_movement_dataset_tidy_table_and_swaps_from_an_analysis_file(tmp_path):
    path = analysis_file(tmp_path / "p.h5", missing={(3, 1)})
    assert result_file.problem(path) is None
    summary = {"video_frames": 14, "fps": 25.0, "sleap_nn_version": "0.3.5"}
    poses = SLEAP.read_poses(path, {"sleap": summary})
    poses.check()
    assert poses.position.shape == (14, 2, 3, 2) and np.isnan(poses.position[13]).all()
    assert poses.attrs == {"mean_instance_score": 1.5}
    dataset = movement_dataset.build(poses, poses.individuals, {"video": "mice1", "job": "poses"})
    assert dict(dataset.sizes) == {"time": 14, "space": 2, "keypoints": 3, "individuals": 2}
    assert dataset.attrs["source_software"] == "SLEAP" and dataset.attrs["fps"] == 25.0
    x = dataset["position"].sel(individuals="track_1", keypoints="fin", space="x").values
    assert x[5] == 15.0 and np.isnan(x[3])
    table = tidy_table.build(poses, "mice1", "poses", poses.individuals)
    row = table[(table.frame == 5) & (table.individual == "track_1") & (table.keypoint == "fin")]
    assert row[["x", "y", "point_score"]].values.tolist() == [[15.0, 63.0, 0.9]]
    assert pose_quality.swap_report(poses).count == 0
    swapped = SLEAP.read_poses(analysis_file(tmp_path / "s.h5", frames=40, swap_at=25), {})
    assert pose_quality.swap_report(swapped).frames == [25]
    assert SLEAP.qc_columns(None, {}, {"sleap": {"mean_instance_score": 1.2}}) == {
        "mean_instance_score": 1.2
    }


def test_a_result_that_is_not_sleaps_is_named(tmp_path):
    assert result_file.problem(tmp_path / "none.h5").endswith("is missing")
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as handle:
        handle["x"] = [1]
    assert "not a SLEAP analysis file (it has no tracks, node_names)" in result_file.problem(other)
    (tmp_path / "text.h5").write_text("not hdf5")
    assert "cannot be read as a SLEAP result" in result_file.problem(tmp_path / "text.h5")
    # The stored real run: the predictions (.slp) and the analysis file both pass.
    session = DATA / "session"
    assert result_file.problem(session / run.PREDICTIONS) is None
    assert result_file.problem(session / SLEAP.RESULT_IN_SESSION) is None


def test_every_key_of_a_sleap_job_is_in_its_docs_section():
    text = (REPO / "docs" / "settings.md").read_text()
    section = text[text.index("## SLEAP models") :]
    missing = [key for key in job_settings.KEYS if f"\n{key} = " not in section]
    assert missing == []
