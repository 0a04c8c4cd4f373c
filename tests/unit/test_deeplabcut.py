"""DeepLabCut jobs without DeepLabCut: the settings, the snapshot DeepLabCut would pick, the
repair's messages, the QC's swap count and the exports from a tracks table.

The project folders here are written by hand (a config.yaml and empty snapshot files): the
workflow test (tests/workflow/test_deeplabcut_real_runs.py) checks the same choice of snapshot
against a real trained project and DeepLabCut itself.
"""

import numpy as np
import pandas as pd
import pytest
from conftest import REPO

from idtracker_flow import trackers
from idtracker_flow.exports import movement_dataset, tidy_table
from idtracker_flow.qc import pose_quality
from idtracker_flow.settings.repair import RepairError, repaired_document
from idtracker_flow.trackers import separate_python
from idtracker_flow.trackers.deeplabcut import environment, job_settings, model, tracks_file
from idtracker_flow.trackers.protocol import UnknownTracker

DATA = REPO / "tests" / "data" / "trackers" / "deeplabcut"  # a real run of the test video
PROJECT_YAML = """\
Task: fish
scorer: lab
date: Nov30
multianimalproject: true
engine: pytorch
iteration: 0
TrainingFraction:
- 0.95
snapshotindex: -1
"""


def make_project(root, snapshots=("snapshot-005.pt", "snapshot-010.pt", "snapshot-best-008.pt")):
    config = root / "dlc" / "config.yaml"
    config.parent.mkdir(parents=True)
    config.write_text(PROJECT_YAML)
    train = config.parent / "dlc-models-pytorch/iteration-0/fishNov30-trainset95shuffle1/train"
    train.mkdir(parents=True)
    for name in snapshots:
        (train / name).write_bytes(b"")
    return config, train


def test_snapshot_is_the_one_deeplabcut_picks(tmp_path):
    config, train = make_project(tmp_path)
    # DeepLabCut sorts by epochs with the best snapshot last; -1 (config.yaml) is the best.
    assert model.snapshot(config) == train / "snapshot-best-008.pt"
    assert model.snapshot(config, index=0) == train / "snapshot-005.pt"
    assert model.snapshot(config, index=1) == train / "snapshot-010.pt"
    assert model.snapshot(config, index="best") == train / "snapshot-best-008.pt"
    assert model.snapshot(config.parent / "config.yaml", 1, -2) == train / "snapshot-010.pt"


def test_a_missing_model_says_what_to_train(tmp_path):
    config, train = make_project(tmp_path, snapshots=())
    with pytest.raises(model.ModelMissing) as error:
        model.snapshot(config, shuffle=1)
    assert str(train) in str(error.value) and "train_network" in str(error.value)
    with pytest.raises(model.ModelMissing, match="shuffle=2"):
        model.snapshot(config, shuffle=2)


def test_a_snapshot_index_past_the_trained_ones_lists_them(tmp_path):
    config, train = make_project(tmp_path)
    with pytest.raises(model.ModelMissing) as error:
        model.snapshot(config, index=99)
    message = str(error.value)
    assert "snapshot_index 99 does not exist" in message and str(train) in message
    assert "0 = snapshot-005.pt, 1 = snapshot-010.pt, 2 = snapshot-best-008.pt" in message
    assert "train the network" not in message and "0 .. 2" in message


def model_inputs(settings, tmp_path, **options):
    digest = trackers.by_name("deeplabcut").digest({"project": str(settings), **options})
    return trackers.by_name("deeplabcut").track_inputs(
        digest, ("fish1", "poses"), str(tmp_path / "settings" / "fish1" / "poses.toml"),
        {"path_prefixes": {}}, set(), {},
    )  # fmt: skip


def test_the_trackers_knobs_and_the_snapshot_are_the_jobs_inputs(tmp_path):
    config, train = make_project(tmp_path)
    inputs = model_inputs(config, tmp_path)
    # No inference_cfg.yaml yet: DeepLabCut writes its defaults there, so it is no input.
    assert inputs.files == [str(train / "snapshot-best-008.pt")]
    knobs = train.parent / "test" / "inference_cfg.yaml"
    knobs.parent.mkdir()
    knobs.write_text("boundingboxslack: 10\niou_threshold: 0.2\nmax_age: 100\n")
    inputs = model_inputs(config, tmp_path, snapshot_index=0)
    assert inputs.files == [str(train / "snapshot-005.pt"), str(knobs)]
    # status words each file's change by what it means
    assert inputs.changed(str(knobs)) == "DeepLabCut tracker settings edited (inference_cfg.yaml)"
    assert inputs.changed(inputs.files[0]) == "DeepLabCut model retrained"
    assert model_inputs(tmp_path / "nowhere.yaml", tmp_path).files == []


def test_a_top_down_models_detector_snapshot_is_an_input(tmp_path):
    config, train = make_project(tmp_path)
    (train / "pytorch_config.yaml").write_text("data:\n  method: x\nmethod: td\n")
    for name in ("snapshot-detector-020.pt", "snapshot-detector-best-015.pt"):
        (train / name).write_bytes(b"")
    assert model.detector_snapshot(config) == train / "snapshot-detector-best-015.pt"
    inputs = model_inputs(config, tmp_path)
    assert inputs.files == [
        str(train / "snapshot-best-008.pt"),
        str(train / "snapshot-detector-best-015.pt"),
    ]
    assert inputs.changed(inputs.files[1]) == "DeepLabCut detector retrained"
    # bottom-up: no detector; the detector's snapshots are never taken for the pose model's
    (train / "pytorch_config.yaml").write_text("method: bu\n")
    assert model.detector_snapshot(config) is None
    assert model.snapshot(config) == train / "snapshot-best-008.pt"


def test_job_settings_problems_name_the_key():
    assert job_settings.problems({"tracker": "deeplabcut", "project": "p", "shuffle": 1}) == []
    found = job_settings.problems(
        {"tracker": "deeplabcut", "shufle": 1, "track_method": "circle", "n_tracks": 0}
    )
    text = "\n".join(found)
    assert "'shufle' is not a setting" in text and "no `project`" in text
    assert "track_method = 'circle'" in text and "n_tracks = 0" in text
    with pytest.raises(UnknownTracker, match="is not a tracker this workflow runs"):
        trackers.for_settings({"tracker": "trex"})


def write_job(tmp_path, text: str):
    video = tmp_path / "videos" / "fish1.mp4"
    video.parent.mkdir(parents=True, exist_ok=True)
    video.write_bytes(b"")
    settings = tmp_path / "settings" / "fish1" / "poses.toml"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(text)
    return settings


def repair(settings):
    return repaired_document(settings, "fish1", "poses", {}, [], check_videos=False)


def test_repair_finds_the_project_and_keeps_the_job_keys(tmp_path):
    config, _ = make_project(tmp_path)
    settings = write_job(
        tmp_path,
        'tracker = "deeplabcut"\nproject = "../../dlc"\n'
        'video_paths = ["../../videos/fish1.mp4"]\nn_tracks = 2\n',
    )
    document, notes = repair(settings)
    assert document["project"] == str(config.resolve())
    assert document["video_paths"] == [str((tmp_path / "videos" / "fish1.mp4").resolve())]
    assert document["n_tracks"] == 2 and any(note.startswith("project:") for note in notes)


def test_repair_refuses_a_project_without_a_trained_network(tmp_path):
    make_project(tmp_path, snapshots=())
    settings = write_job(
        tmp_path,
        'tracker = "deeplabcut"\nproject = "../../dlc/config.yaml"\n'
        'video_paths = ["../../videos/fish1.mp4", "../../videos/fish1.mp4"]\n',
    )
    with pytest.raises(RepairError) as error:
        repair(settings)
    message = str(error.value)
    assert f"Job fish1/poses: {settings}" in message
    assert "no trained network" in message and "What to do: train the network" in message
    assert "one video" in message


def test_repair_refuses_more_tracks_than_the_projects_individuals(tmp_path):
    config, _ = make_project(tmp_path)
    config.write_text(PROJECT_YAML + "individuals:\n- fish1\n- fish2\n")
    text = (
        'tracker = "deeplabcut"\nproject = "../../dlc"\nvideo_paths = ["../../videos/fish1.mp4"]\n'
    )
    assert repair(write_job(tmp_path, text + "n_tracks = 2\n"))[0]["n_tracks"] == 2
    with pytest.raises(RepairError) as error:
        repair(write_job(tmp_path, text + "n_tracks = 5\n"))
    message = str(error.value)
    assert "Job fish1/poses" in message and "n_tracks = 5" in message and str(config) in message
    assert "2 individuals (fish1, fish2)" in message and "at most 2" in message


def test_repair_says_where_it_looked_for_a_missing_project(tmp_path):
    settings = write_job(
        tmp_path, 'tracker = "deeplabcut"\nproject = "D:/dlc/config.yaml"\nvideo_paths = []\n'
    )
    with pytest.raises(RepairError, match="DeepLabCut project was not found") as error:
        repair(settings)
    # Projects are not searched in the video folders: the advice does not send them there.
    assert "video_dirs" not in str(error.value) and "path_prefixes" in str(error.value)


def test_no_deeplabcut_environment_says_how_to_install(tmp_path):
    with pytest.raises(separate_python.NotFound) as error:
        environment.DEEPLABCUT.python({"deeplabcut_python": str(tmp_path / "nowhere" / "python")})
    assert "python3 tasks.py setup-dlc" in str(error.value)
    assert "pixi install -e dlc" in str(error.value)


def tracks_table(frames: int, swap_at: int | None = None, drop=()) -> pd.DataFrame:
    """A DeepLabCut-style tracks table: two animals, three keypoints, on parallel lines."""
    columns = pd.MultiIndex.from_product(
        [
            ["DLC_scorer"],
            ["animal1", "animal2"],
            ["snout", "fin", "tail"],
            ["x", "y", "likelihood"],
        ],
        names=["scorer", "individuals", "bodyparts", "coords"],
    )
    t = np.arange(frames, dtype=float)
    rows = []
    for frame in t:
        centres = [(10 + frame, 20.0), (10 + frame, 60.0)]
        if swap_at is not None and frame >= swap_at:
            centres.reverse()
        row = []
        for cx, cy in centres:
            for dx, dy in ((4, 0), (0, 3), (-4, 0)):
                row += [cx + dx, cy + dy, 0.9]
        rows.append(row)
    table = pd.DataFrame(rows, columns=columns)
    return table.drop(index=list(drop))


def poses_of(tmp_path, table, summary=None):
    path = tmp_path / "tracks.h5"
    table.to_hdf(path, key=tracks_file.KEY)
    return tracks_file.read_poses(path, summary or {"fps": 25.0})


def test_possible_swaps_counts_a_label_exchange(tmp_path):
    steady = tracks_table(40)
    swapped = tracks_table(40, swap_at=25)
    steady_poses, swapped_poses = poses_of(tmp_path, steady), poses_of(tmp_path, swapped)
    centres = steady_poses.centres()
    assert centres.shape == (40, 2, 2)
    assert pose_quality.swap_report(steady_poses).count == 0
    assert pose_quality.swap_report(swapped_poses).frames == [25]
    columns = pose_quality.pose_columns(swapped_poses)
    assert columns["keypoints_found"] == 1.0 and columns["mean_likelihood"] == 0.9
    assert columns["possible_identity_swaps"] == 1


def test_movement_dataset_and_tidy_table_from_tracks(tmp_path):
    path = tmp_path / "tracks.h5"
    tracks_table(10, drop=(3, 4)).to_hdf(path, key=tracks_file.KEY)
    assert tracks_file.problem(path) is None
    full = tracks_file.read_full(path, n_frames=12)
    assert len(full) == 12 and full.iloc[3].isna().all() and full.iloc[11].isna().all()
    summary = {"video_frames": 12, "fps": 25.0, "deeplabcut_version": "3.0.2"}
    poses = tracks_file.read_poses(path, summary)
    dataset = movement_dataset.build(poses, poses.individuals, {"video": "fish1", "job": "poses"})
    assert dict(dataset.sizes) == {"time": 12, "space": 2, "keypoints": 3, "individuals": 2}
    assert dataset.attrs["source_software"] == "DeepLabCut" and dataset.attrs["fps"] == 25.0
    x = dataset["position"].sel(individuals="animal2", keypoints="fin", space="x").values
    assert x[5] == 15.0 and np.isnan(x[3])
    table = tidy_table.build(poses, "fish1", "poses", poses.individuals, px_per_mm=2.0)
    assert len(table) == 12 * 2 * 3
    row = table[(table.frame == 5) & (table.individual == "animal2") & (table.keypoint == "fin")]
    assert row[["x", "y", "likelihood", "x_mm"]].values.tolist() == [[15.0, 63.0, 0.9, 7.5]]
    assert row["time_s"].item() == pytest.approx(0.2)
    assert tracks_file.problem(tmp_path / "none.h5").endswith("is missing")


def test_swaps_of_both_kinds_in_a_real_tracks_file_are_counted(tmp_path):
    """DeepLabCut's own tracks of the test video (no swap), with known swaps put in: an
    exchange across frames where both tracks are missing, a track that changes animal after
    the other track ended, and a one-frame flicker (listed, not counted)."""
    stored = DATA / "session" / "tracks.h5"
    table = tracks_file.read_full(stored)
    names = table.columns.get_level_values("individuals")
    first, second = (names == "animal1"), (names == "animal2")
    a, b = table.loc[:, first].to_numpy(), table.loc[:, second].to_numpy()
    assert pose_quality.swap_report(poses_of(tmp_path, table)).count == 0
    new_a, new_b = a.copy(), b.copy()
    new_a[30] = b[30]  # flicker: a on the other animal for frame 30
    new_a[60:], new_b[60:] = b[60:], a[60:]  # exchange, hidden by gaps:
    new_a[55:60], new_b[57:65] = np.nan, np.nan  # a seen at 54, then 60; b at 56, then 65
    new_b[85:] = np.nan  # b ends at frame 84 ...
    new_a[90:] = a[90:]  # ... and a leaves animal2 for animal1 at frame 90
    table.loc[:, first], table.loc[:, second] = new_a, new_b
    found = pose_quality.swap_report(poses_of(tmp_path, table))
    assert found.frames == [65, 90], found.as_dict()
    assert [event["kind"] for event in found.swaps] == ["exchange", "jump"]
    assert [event["frame"] for event in found.flickers] == [30]


def test_a_failed_analysis_says_deeplabcuts_reason_and_advice_where_status_reads(tmp_path):
    from idtracker_flow.project.steps import TRACK
    from idtracker_flow.state.failures import first_problem
    from idtracker_flow.trackers.deeplabcut import run
    from idtracker_flow.trackers.protocol import RunFailed, RunRequest

    session = tmp_path / "session"
    session.mkdir()
    (session / run.SUMMARY).write_text(
        '{"error": "DeepLabCut found no animal it could follow in this video.\\n'
        'What to do: loosen the tracker in inference_cfg.yaml."}'
    )
    request = RunRequest("fish1/poses", tmp_path, {}, session, tmp_path, tmp_path, {})
    log_path = tmp_path / "poses.log"
    with open(log_path, "w") as log:
        print("DeepLabCut's own output", file=log)
        with pytest.raises(RunFailed) as error:
            run.judge(request, 2, log)
        print(f"\n{error.value}", file=log)  # as run_tracking.py ends the log
    assert first_problem(log_path, TRACK) == (
        "Job fish1/poses: DeepLabCut did not produce tracks: DeepLabCut found no animal it"
        " could follow in this video. What to do: loosen the tracker in inference_cfg.yaml."
    )
    # A crash without a message: its exit status and last line, then where to read the rest.
    (session / run.SUMMARY).unlink()
    with open(log_path, "w") as log:
        print("Traceback (most recent call last):\nKeyError: 'individuals'", file=log)
        with pytest.raises(RunFailed) as error:
            run.judge(request, 1, log)
        print(f"\n{error.value}", file=log)
    assert first_problem(log_path, TRACK).startswith(
        "Job fish1/poses: DeepLabCut did not produce tracks: it stopped with exit status 1:"
    )
    first_line, advice = str(error.value).splitlines()[:2]
    assert first_line.endswith("exit status 1: KeyError: 'individuals'")
    assert advice.startswith(f"What to do: read DeepLabCut's output in {log_path}")


def test_filterpredictions_is_checked_and_passed_with_its_own_output(tmp_path):
    from idtracker_flow.trackers.deeplabcut import run

    settings = {"tracker": "deeplabcut", "project": "p", "video_paths": ["v.mp4"]}
    assert job_settings.problems({**settings, "filterpredictions": "median"}) == []
    text = "\n".join(
        job_settings.problems({**settings, "filterpredictions": "kalman"})
        + job_settings.problems(
            {**settings, "filterpredictions": "arima", "filter_windowlength": 4}
        )
    )
    assert "filterpredictions = 'kalman' must be one of median, arima" in text
    assert "filter_windowlength = 4 must be an odd whole number" in text
    assert 'for filterpredictions = "median" only' in text
    plain = run.runner_command(tmp_path / "python", settings, tmp_path, "cpu")
    assert "--filterpredictions" not in plain and "--filtered-output" not in plain
    filtered = run.runner_command(
        tmp_path / "python",
        {**settings, "filterpredictions": "median", "filter_windowlength": 7},
        tmp_path,
        "cpu",
    )
    assert filtered[filtered.index("--filterpredictions") + 1] == "median"
    assert filtered[filtered.index("--filter-windowlength") + 1] == "7"
    assert filtered[filtered.index("--filtered-output") + 1] == str(tmp_path / run.FILTERED)
    # Beside the raw tracks in tracking/, never instead of them.
    assert trackers.by_name("deeplabcut").RESULTS_BESIDE == {run.FILTERED: ".filtered.h5"}
