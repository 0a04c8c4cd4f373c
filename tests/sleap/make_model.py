"""Build and train a tiny multi-animal SLEAP model (sleap-nn 0.3) for the tests, offline.

    make_model.py OUTDIR [--epochs N] [--frames 100]   # videos, labels, a trained bottom-up model
    make_model.py OUTDIR --retrain [--epochs 1]        # train the model on (a new best.ckpt)

Run it with the SLEAP environment (.venv-sleap/bin/python). It writes:

    OUTDIR/train_video.mp4, OUTDIR/truth_train.csv   the video the network learns from
    OUTDIR/test_video.mp4,  OUTDIR/truth_test.csv    a video it never saw, for the tracking tests
    OUTDIR/labels.slp                                 labels written from the truth (sleap-io)
    OUTDIR/frames/                                    the labelled frames, decoded in order
    OUTDIR/models/synth.bottomup/                     the trained model: best.ckpt,
                                                      training_config.yaml (what `sleap-nn
                                                      predict --model_paths` takes)

The videos are the DeepLabCut tests' (tests/deeplabcut/make_project.py): two identical animals
on circles in opposite corners of a light, noisy arena, three keypoints each (snout, tail and a
blob on the left flank), 160 x 160 pixels. The labels come from the truth, on frames decoded in
order and kept as images (seeking in mp4v files is not frame-exact in every build), so the
network learns exactly what it is shown. The backbone is a small UNet from random weights:
nothing is downloaded. The last line printed is the model folder.
"""

import argparse
import importlib.util
import shutil
import sys
import time
from pathlib import Path

import cv2
import numpy as np

# The DeepLabCut tests' synthetic videos and truth, loaded from their file (not a package).
_MAKER = Path(__file__).resolve().parents[1] / "deeplabcut" / "make_project.py"
_SPEC = importlib.util.spec_from_file_location("make_project", _MAKER)
videos = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(videos)

MODEL_NAME = "synth.bottomup"
LABEL_EVERY = 2  # label every other frame of the training video
EDGES = [("snout", "tail"), ("snout", "side")]
UNET = {"filters": 16, "filters_rate": 1.5, "max_stride": 16, "output_stride": 4}
STEPS_PER_EPOCH = 20
BATCH = 4


def log(message: str) -> None:
    print(f"[make_model] {message}", flush=True)


def write_labels(outdir: Path, n_frames: int) -> Path:
    """labels.slp: every LABEL_EVERY-th frame of the training video, the truth as user
    instances with the animals' tracks, the frames as PNG files (an image-sequence video)."""
    import sleap_io as sio

    folder = outdir / "frames"
    folder.mkdir(parents=True, exist_ok=True)
    capture = cv2.VideoCapture(str(outdir / "train_video.mp4"))
    kept = []
    for frame in range(n_frames):
        ok, image = capture.read()
        if not ok:
            raise RuntimeError(f"cannot read frame {frame} of the training video")
        if frame % LABEL_EVERY == 0:
            path = folder / f"img{frame:04d}.png"
            cv2.imwrite(str(path), image)
            kept.append((frame, path))
    capture.release()

    skeleton = sio.Skeleton(nodes=list(videos.BODYPARTS), edges=list(EDGES), name="synth")
    video = sio.Video.from_filename([str(path) for _, path in kept])
    tracks = {name: sio.Track(name=name) for name in videos.INDIVIDUALS}
    frames = []
    for index, (frame, _) in enumerate(kept):
        instances = []
        for name in videos.INDIVIDUALS:
            points = videos.keypoints(name, "train", frame)
            xy = np.array([points[part] for part in videos.BODYPARTS], float)
            instances.append(sio.Instance.from_numpy(xy, skeleton=skeleton, track=tracks[name]))
        frames.append(sio.LabeledFrame(video=video, frame_idx=index, instances=instances))
    labels = sio.Labels(
        labeled_frames=frames, videos=[video], skeletons=[skeleton], tracks=list(tracks.values())
    )
    path = outdir / "labels.slp"
    sio.save_slp(labels, str(path))
    return path


def train(labels: Path, models: Path, epochs: int, resume: Path | None = None) -> Path:
    from sleap_nn.train import train as sleap_train

    sleap_train(
        train_labels_path=[str(labels)],
        validation_fraction=0.1,
        backbone_config={"unet": {"in_channels": 3, **UNET}},
        head_configs={
            "bottomup": {
                "confmaps": {"sigma": 2.5, "output_stride": UNET["output_stride"]},
                "pafs": {"sigma": 5.0, "output_stride": UNET["output_stride"]},
            }
        },
        ensure_rgb=True,
        use_augmentations_train=False,  # the animals turn on their circles: rotation enough
        batch_size=BATCH,
        train_steps_per_epoch=STEPS_PER_EPOCH,
        min_train_steps_per_epoch=STEPS_PER_EPOCH,
        max_epochs=epochs,
        learning_rate=1e-3 if resume is None else 2e-4,
        trainer_accelerator="cpu",
        save_ckpt=True,
        ckpt_dir=str(models),
        run_name=MODEL_NAME,
        resume_ckpt_path=str(resume) if resume else None,
        enable_progress_bar=False,
        seed=0,
    )
    return models / MODEL_NAME


def build(outdir: Path, epochs: int, n_frames: int) -> Path:
    if (outdir / "models").exists():
        raise SystemExit(f"{outdir / 'models'} exists already; use --retrain or a new OUTDIR")
    outdir.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    for video in ("train", "test"):
        videos.write_video(outdir / f"{video}_video.mp4", video, n_frames)
        videos.write_truth(outdir / f"truth_{video}.csv", video, n_frames)
    labels = write_labels(outdir, n_frames)
    log(f"videos, truth and labels: {time.monotonic() - start:.1f} s")
    start = time.monotonic()
    model = train(labels, outdir / "models", epochs)
    log(f"training ({epochs} epochs of {STEPS_PER_EPOCH} steps): {time.monotonic() - start:.1f} s")
    return model


def retrain(outdir: Path, epochs: int) -> Path:
    """Train on from the model's weights: a new best.ckpt in the same folder (what a lab does
    after labelling more frames)."""
    model = outdir / "models" / MODEL_NAME
    best = model / "best.ckpt"
    if not best.is_file():
        raise SystemExit(f"no trained model to continue from in {model}")
    before = best.stat().st_mtime_ns
    start_weights = outdir / "previous.ckpt"
    shutil.copyfile(best, start_weights)
    start = time.monotonic()
    # A fresh run in the same folder, from the previous weights (not a resumed run: that
    # would stop at once, its epochs done).
    shutil.rmtree(model)
    from sleap_nn.train import train as sleap_train

    sleap_train(
        train_labels_path=[str(outdir / "labels.slp")],
        validation_fraction=0.1,
        backbone_config={"unet": {"in_channels": 3, **UNET}},
        head_configs={
            "bottomup": {
                "confmaps": {"sigma": 2.5, "output_stride": UNET["output_stride"]},
                "pafs": {"sigma": 5.0, "output_stride": UNET["output_stride"]},
            }
        },
        ensure_rgb=True,
        use_augmentations_train=False,
        batch_size=BATCH,
        train_steps_per_epoch=STEPS_PER_EPOCH,
        min_train_steps_per_epoch=STEPS_PER_EPOCH,
        max_epochs=epochs,
        learning_rate=1e-5,
        trainer_accelerator="cpu",
        save_ckpt=True,
        ckpt_dir=str(outdir / "models"),
        run_name=MODEL_NAME,
        pretrained_backbone_weights=str(start_weights),
        pretrained_head_weights=str(start_weights),
        enable_progress_bar=False,
        seed=1,
    )
    start_weights.unlink()
    log(f"retraining (+{epochs} epochs): {time.monotonic() - start:.1f} s")
    if not best.is_file() or best.stat().st_mtime_ns == before:
        raise SystemExit(f"retraining wrote no new {best}")
    return model


def main(argv: list[str] | None = None) -> int:
    start = time.monotonic()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--epochs", type=int, help="epochs to train (default 30, 1 with --retrain)")
    parser.add_argument("--frames", type=int, default=100, help="frames per video")
    parser.add_argument("--retrain", action="store_true", help="train the existing model on")
    args = parser.parse_args(argv)
    outdir = args.outdir.resolve()
    if args.retrain:
        model = retrain(outdir, args.epochs or 1)
    else:
        model = build(outdir, args.epochs or 30, args.frames)
    log(f"total: {time.monotonic() - start:.1f} s")
    print(model)
    return 0


if __name__ == "__main__":
    sys.exit(main())
