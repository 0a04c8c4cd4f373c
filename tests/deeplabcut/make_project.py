"""Build and train a tiny multi-animal DeepLabCut 3.0.2 project for the tests, offline.

    make_project.py OUTDIR [--epochs N] [--frames 100]   # new project, trained from random weights
    make_project.py OUTDIR --retrain [--epochs 1]        # train on from the last snapshot

Run it with the DeepLabCut environment (.venv-dlc/bin/python). It writes:

    OUTDIR/train_video.mp4, OUTDIR/truth_train.csv   the video the network learns from
    OUTDIR/test_video.mp4,  OUTDIR/truth_test.csv    a video it never saw, for the analysis tests
    OUTDIR/project/<task>-<experimenter>-<date>/     the DeepLabCut project (config.yaml)

Two identical animals move on circles in opposite corners of a light, noisy arena. Each has
three keypoints that can be told apart and are not on one line (snout at the dark-headed end,
tail at the other end, a dark blob on its left flank): DeepLabCut's assembly drops animals with
fewer than 2 links, and its trackers fail on collinear points (see the notes on DeepLabCut).
The truth files have the columns frame, individual, bodypart, x, y.

Snapshots land in project/<task>-<experimenter>-<date>/dlc-models-pytorch/iteration-0/
<task><Mon><day>-trainset95shuffle1/train/: snapshot-best-<epochs>.pt after a build. --retrain
adds snapshot-best-<epochs+N>.pt and renames the previous best to snapshot-<epochs>.pt, so that
DeepLabCut's default snapshot index (-1: the best if any, else the last) picks the new file.

Training starts from a random-init snapshot because the ImageNet weights would come from the
Hugging Face hub, which CI cannot reach; HF_HUB_OFFLINE=1 makes a forgotten download fail fast.
The last line printed is the path of the project's config.yaml.
"""

import argparse
import csv
import math
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # before deeplabcut imports huggingface_hub

import cv2
import numpy as np
import pandas as pd

TASK = "synth"
EXPERIMENTER = "ci"
INDIVIDUALS = ["animal1", "animal2"]
BODYPARTS = ["snout", "tail", "side"]
SIZE = 160  # frames are SIZE x SIZE pixels
PERIOD = 100  # frames per revolution
FPS = 25
LABELED_FRAMES = 20
RETRAIN_LR = 1e-5
# Per animal: circle centre, radius, direction (+1 counter-clockwise), start phase per video.
PATHS = {
    "animal1": dict(centre=(48, 48), radius=24, direction=1, phase={"train": 0.0, "test": 2.2}),
    "animal2": dict(centre=(112, 112), radius=24, direction=-1, phase={"train": 1.6, "test": 4.9}),
}
SEEDS = {"train": 1, "test": 2}
HALF_LENGTH = 18.0  # snout and tail lie this far from the body centre
SIDE_OFFSET = 9.0  # the flank blob lies this far left of the body axis


def log(message: str) -> None:
    print(f"[make_project] {message}", flush=True)


# --- synthetic videos ------------------------------------------------------------------------


def pose(name: str, video: str, frame: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Body centre, unit heading and unit left normal of one animal in one frame."""
    path = PATHS[name]
    angle = path["phase"][video] + path["direction"] * 2 * math.pi * frame / PERIOD
    radial = np.array([math.cos(angle), math.sin(angle)])
    centre = np.array(path["centre"], float) + path["radius"] * radial
    # The animal faces along its path (the tangent in the direction of travel).
    heading = path["direction"] * np.array([-math.sin(angle), math.cos(angle)])
    left = np.array([heading[1], -heading[0]])
    return centre, heading, left


def keypoints(name: str, video: str, frame: int) -> dict[str, np.ndarray]:
    centre, heading, left = pose(name, video, frame)
    return {
        "snout": centre + HALF_LENGTH * heading,
        "tail": centre - HALF_LENGTH * heading,
        "side": centre + SIDE_OFFSET * left,
    }


def draw_animal(image: np.ndarray, name: str, video: str, frame: int) -> None:
    centre, heading, left = pose(name, video, frame)
    angle = math.degrees(math.atan2(heading[1], heading[0]))

    def point(p: np.ndarray) -> tuple[int, int]:
        return round(p[0]), round(p[1])

    # Mid-grey body from snout to tail, a black head (so the snout end differs from the tail
    # end) and a black blob on the left flank (the third, off-axis keypoint).
    axes = (round(HALF_LENGTH), 6)
    cv2.ellipse(image, point(centre), axes, angle, 0, 360, (95, 95, 95), -1, cv2.LINE_AA)
    cv2.circle(image, point(centre + 11 * heading), 6, (25, 25, 25), -1, cv2.LINE_AA)
    cv2.circle(image, point(centre + SIDE_OFFSET * left), 4, (25, 25, 25), -1, cv2.LINE_AA)


def write_video(path: Path, video: str, n_frames: int) -> None:
    rng = np.random.default_rng(SEEDS[video])
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), FPS, (SIZE, SIZE))
    if not writer.isOpened():
        raise RuntimeError(f"OpenCV cannot write {path} with the mp4v codec")
    for frame in range(n_frames):
        image = np.full((SIZE, SIZE, 3), 200, np.uint8)
        for name in INDIVIDUALS:
            draw_animal(image, name, video, frame)
        noise = rng.normal(0, 3, (SIZE, SIZE, 1))
        writer.write(np.clip(image + noise, 0, 255).astype(np.uint8))
    writer.release()


def write_truth(path: Path, video: str, n_frames: int) -> None:
    with path.open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["frame", "individual", "bodypart", "x", "y"])
        for frame in range(n_frames):
            for name in INDIVIDUALS:
                for part, (x, y) in keypoints(name, video, frame).items():
                    out.writerow([frame, name, part, f"{x:.3f}", f"{y:.3f}"])


# --- the DeepLabCut project ------------------------------------------------------------------


def create_project(outdir: Path, video: Path) -> Path:
    import deeplabcut
    from deeplabcut.utils import auxiliaryfunctions

    config = deeplabcut.create_new_project(
        TASK,
        EXPERIMENTER,
        [str(video)],
        working_directory=str(outdir / "project"),
        copy_videos=True,
        multianimal=True,
    )
    if config == "nothingcreated":
        raise RuntimeError(f"DeepLabCut created no project under {outdir / 'project'}")
    parts = BODYPARTS
    auxiliaryfunctions.edit_config(
        config,
        {
            "individuals": INDIVIDUALS,
            "multianimalbodyparts": parts,
            "uniquebodyparts": [],
            "skeleton": [[parts[0], parts[1]], [parts[0], parts[2]], [parts[2], parts[1]]],
            "numframes2pick": LABELED_FRAMES,
            # The box tracker (with slack, set_box_slack) links the thin synthetic animals
            # reliably; the ellipse tracker is the one that broke on near-collinear points.
            "default_track_method": "box",
        },
    )
    return Path(config)


def write_labels(config: Path, n_frames: int) -> None:
    """Label evenly spaced frames of the project's copy of the training video from the truth,
    in DeepLabCut's CollectedData layout (what its labelling GUI would save)."""
    from deeplabcut.utils import auxiliaryfunctions

    cfg = auxiliaryfunctions.read_config(str(config))
    video = next(iter(cfg["video_sets"]))
    folder = config.parent / "labeled-data" / Path(video).stem
    folder.mkdir(parents=True, exist_ok=True)
    frames = np.linspace(0, n_frames - 1, LABELED_FRAMES).round().astype(int)
    width = len(str(n_frames - 1))  # DeepLabCut's extract_frames pads to the last index

    # Images come from the encoded video, so the labels match what the network will see. Read
    # it in order: seeking in mp4v files is not frame-exact in every OpenCV build.
    capture = cv2.VideoCapture(video)
    index, rows = [], []
    for frame in range(n_frames):
        ok, image = capture.read()
        if not ok:
            raise RuntimeError(f"cannot read frame {frame} of {video}")
        if frame not in frames:
            continue
        name = f"img{frame:0{width}d}.png"
        cv2.imwrite(str(folder / name), image)
        index.append(("labeled-data", folder.name, name))
        rows.append(
            [
                value
                for animal in INDIVIDUALS
                for xy in keypoints(animal, "train", frame).values()
                for value in xy
            ]
        )
    capture.release()

    columns = pd.MultiIndex.from_product(
        [[cfg["scorer"]], INDIVIDUALS, BODYPARTS, ["x", "y"]],
        names=["scorer", "individuals", "bodyparts", "coords"],
    )
    labels = pd.DataFrame(rows, index=pd.MultiIndex.from_tuples(index), columns=columns)
    stem = folder / f"CollectedData_{cfg['scorer']}"
    labels.to_hdf(f"{stem}.h5", key="df_with_missing", mode="w")
    labels.to_csv(f"{stem}.csv")


def model_folder(config: Path) -> Path:
    """dlc-models-pytorch/iteration-<i>/<task><date>-trainset<pct>shuffle1 of shuffle 1."""
    from deeplabcut.core.engine import Engine
    from deeplabcut.utils import auxiliaryfunctions

    cfg = auxiliaryfunctions.read_config(str(config))
    relative = auxiliaryfunctions.get_model_folder(
        cfg["TrainingFraction"][0], 1, cfg, engine=Engine.PYTORCH
    )
    return config.parent / relative


def set_box_slack(config: Path, slack: float = 10) -> None:
    """Grow the tracker's boxes around the keypoints. With the default slack of 0 the boxes of
    thin animals barely overlap from frame to frame and tracks fall apart into fragments."""
    from deeplabcut.utils import auxiliaryfunctions

    path = model_folder(config) / "test" / "inference_cfg.yaml"
    inference = auxiliaryfunctions.read_plainconfig(str(path))
    inference["boundingboxslack"] = slack
    auxiliaryfunctions.write_plainconfig(str(path), inference)


def random_init_snapshot(config: Path) -> Path:
    """Save untrained weights; training from them skips the ImageNet download."""
    import torch
    from deeplabcut.pose_estimation_pytorch.data import DLCLoader
    from deeplabcut.pose_estimation_pytorch.models import PoseModel

    loader = DLCLoader(str(config), shuffle=1, trainset_index=0)
    torch.manual_seed(0)
    model = PoseModel.build(dict(loader.model_cfg["model"]), pretrained_backbone=False)
    path = loader.model_folder / "random-init.pt"
    torch.save({"model": model.state_dict()}, path)
    return path


def train(config: Path, start: Path, epochs: int, learning_rate: float | None = None) -> None:
    import deeplabcut

    updates = {}
    if learning_rate:
        # No scheduler: the snapshot's scheduler state would put its own learning rate back.
        updates = {
            "runner.optimizer.params.lr": learning_rate,
            "runner.scheduler": None,
        }
    deeplabcut.train_network(
        str(config),
        shuffle=1,
        device="cpu",
        snapshot_path=str(start),
        epochs=epochs,
        save_epochs=epochs,
        batch_size=4,
        pytorch_cfg_updates={
            # The default 448x448 crops would pad the 160x160 frames to mostly nothing.
            "data.train.crop_sampling.width": SIZE,
            "data.train.crop_sampling.height": SIZE,
            # Evaluate only after the last epoch. DeepLabCut keeps the best-scoring evaluated
            # epoch as snapshot-best-NNN.pt, and snapshot index -1 (the default) picks it over
            # later ones; scored on one test image, that could be any epoch. This way it is
            # the last epoch, and a retraining run always adds a new best snapshot (the best
            # score is not remembered between runs), which -1 then picks.
            "runner.eval_interval": epochs,
            **updates,
        },
    )


def snapshots(config: Path) -> list[Path]:
    return sorted((model_folder(config) / "train").glob("snapshot-*.pt"))


# --- the two commands ------------------------------------------------------------------------


def timed(label: str, step, *args):
    start = time.monotonic()
    result = step(*args)
    log(f"{label}: {time.monotonic() - start:.1f} s")
    return result


def build(outdir: Path, epochs: int, n_frames: int) -> Path:
    if (outdir / "project").exists():
        raise SystemExit(f"{outdir / 'project'} exists already; use --retrain or a new OUTDIR")
    outdir.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    for video in ("train", "test"):
        write_video(outdir / f"{video}_video.mp4", video, n_frames)
        write_truth(outdir / f"truth_{video}.csv", video, n_frames)
    log(f"videos and truth: {time.monotonic() - start:.1f} s")

    import deeplabcut

    config = timed("create_new_project", create_project, outdir, outdir / "train_video.mp4")
    timed("write labels", write_labels, config, n_frames)
    timed(
        "create_training_dataset",
        lambda: deeplabcut.create_training_dataset(
            str(config), num_shuffles=1, net_type="resnet_50", userfeedback=False
        ),
    )
    set_box_slack(config)
    init = timed("random-init snapshot", random_init_snapshot, config)
    timed(f"train_network ({epochs} epochs)", train, config, init, epochs)
    init.unlink()  # 100 MB that only the first training needs
    log(f"snapshots: {[p.name for p in snapshots(config)]}")
    return config


def retrain(outdir: Path, epochs: int) -> Path:
    configs = sorted((outdir / "project").glob("*/config.yaml"))
    if len(configs) != 1:
        raise SystemExit(f"expected one DeepLabCut project under {outdir / 'project'}")
    config = configs[0]
    before = snapshots(config)
    if not before:
        raise SystemExit(f"no snapshot to continue from in {model_folder(config)}")

    # The latest epoch, whether DeepLabCut kept it as snapshot-NNN or snapshot-best-NNN.
    def epoch(path: Path) -> int:
        return int(path.stem.rsplit("-", 1)[1])

    last = max(before, key=epoch)
    log(f"continuing from {last.name}")
    # Gently: snapshots hold no optimizer state, so a fresh AdamW at the full rate (5e-4)
    # throws the weights off (one epoch took test mAP from 38 to 0 and broke the tracks).
    timed(f"train_network (+{epochs} epochs)", train, config, last, epochs, RETRAIN_LR)
    after = snapshots(config)
    log(f"snapshots before: {[p.name for p in before]}")
    log(f"snapshots after:  {[p.name for p in after]}")
    return config


def main(argv: list[str] | None = None) -> int:
    start = time.monotonic()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--epochs", type=int, help="epochs to train (default 60, 1 with --retrain)")
    parser.add_argument("--frames", type=int, default=100, help="frames per video")
    parser.add_argument("--retrain", action="store_true", help="train the existing project on")
    args = parser.parse_args(argv)
    outdir = args.outdir.resolve()
    if args.retrain:
        config = retrain(outdir, args.epochs or 1)
    else:
        config = build(outdir, args.epochs or 60, args.frames)
    log(f"total: {time.monotonic() - start:.1f} s")
    print(config)
    return 0


if __name__ == "__main__":
    sys.exit(main())
