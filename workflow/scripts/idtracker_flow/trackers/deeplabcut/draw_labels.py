"""Draw a DeepLabCut job's tracks on its video with DeepLabCut's own create_labeled_video.

    draw_labels.py --config PROJECT/config.yaml --video VIDEO --workdir SESSION/deeplabcut
        --tracks TRACKS.h5 --scorer SCORER --snapshot SNAPSHOT.pt --shuffle N
        --trainingsetindex T --track-method box|ellipse --output OUT.avi

Runs in the DeepLabCut environment (.venv-dlc), like analyze.py. create_labeled_video finds
the tracks by the scorer's name in --workdir, beside the run's `_meta.pickle` (analyze.py
leaves both there; a job tracked before it did gets the tracks copied back). The scorer's name
comes from a snapshot index, so the index of the snapshot the job was analysed with is passed:
a later retraining does not change which tracks are drawn. Its mp4 is copied into an AVI
container (no re-encoding) at --output.

Exit status 2, with one message on stderr, for what the user can act on.
"""

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nothing to download: the model is local


class DrawFailed(Exception):
    """A failure with a message for the user (exit status 2)."""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for name in ("--config", "--video", "--workdir", "--tracks", "--snapshot", "--output"):
        parser.add_argument(name, type=Path, required=True)
    parser.add_argument("--scorer", required=True)
    parser.add_argument("--shuffle", type=int, required=True)
    parser.add_argument("--trainingsetindex", type=int, default=0)
    parser.add_argument("--track-method", required=True)
    return parser.parse_args(argv)


def tracks_under_deeplabcuts_name(args) -> None:
    """DeepLabCut reads the tracks from its own folder, under its own name, with the run's
    metadata beside them."""
    from deeplabcut.core.trackingutils import TRACK_METHODS as SUFFIXES

    stem = f"{args.video.stem}{args.scorer}"
    meta = args.workdir / f"{stem}_meta.pickle"
    if not meta.is_file():
        raise DrawFailed(
            f"{meta} is missing: DeepLabCut needs its run's metadata to draw the tracks."
            "\nWhat to do: track the job again (`pixi run track`), then make the video."
        )
    named = args.workdir / f"{stem}{SUFFIXES[args.track_method]}.h5"
    if not named.is_file():
        shutil.copyfile(args.tracks, named)


def snapshot_index(args) -> int:
    """The index DeepLabCut now gives the snapshot the job was analysed with."""
    from deeplabcut.pose_estimation_pytorch.apis import utils
    from deeplabcut.pose_estimation_pytorch.data import DLCLoader

    loader = DLCLoader(str(args.config), shuffle=args.shuffle, trainset_index=args.trainingsetindex)
    snapshots = utils.get_model_snapshots("all", loader.model_folder, loader.pose_task)
    names = [snapshot.path.name for snapshot in snapshots]
    if args.snapshot.name not in names:
        raise DrawFailed(
            f"The snapshot this job was analysed with ({args.snapshot.name}) is no longer in"
            f" {loader.model_folder} (it holds {', '.join(names) or 'none'}).\nWhat to do:"
            " track the job again with the current model, then make the video."
        )
    return names.index(args.snapshot.name)


def draw(args) -> Path:
    import deeplabcut

    if not args.video.is_file():
        raise DrawFailed(
            f"The job's video {args.video} is not there any more.\nWhat to do: put it back"
            " (or track the job again where it is now), then make the video."
        )
    for old in args.workdir.glob("*_labeled.mp4"):
        old.unlink()  # only the video made now is taken
    deeplabcut.create_labeled_video(
        str(args.config),
        [str(args.video)],
        shuffle=args.shuffle,
        trainingsetindex=args.trainingsetindex,
        destfolder=str(args.workdir),
        track_method=args.track_method,
        color_by="individual",
        overwrite=True,
        snapshot_index=snapshot_index(args),
    )
    made = sorted(args.workdir.glob("*_labeled.mp4"))
    if not made:
        raise DrawFailed(
            f"DeepLabCut's create_labeled_video made no video in {args.workdir}.\nWhat to do:"
            " read its output above for why."
        )
    return made[-1]


def into_avi(made: Path, output: Path) -> None:
    """The same frames in an AVI file (the workflow's name for every tracker's video)."""
    import cv2
    import imageio_ffmpeg

    capture = cv2.VideoCapture(str(made))
    fps = capture.get(cv2.CAP_PROP_FPS)
    capture.release()
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(f".{output.stem}.partial.avi")
    # The frame rate given: copied as it is, the mp4's time base made the AVI of a 25 fps
    # video say 600 fps and 24 times its frames (OpenCV's mp4v files, imageio's ffmpeg).
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-loglevel", "error", "-r", f"{fps:g}"]
    subprocess.run([*command, "-i", str(made), "-c", "copy", str(partial)], check=True)
    os.replace(partial, output)
    made.unlink()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        tracks_under_deeplabcuts_name(args)
        into_avi(draw(args), args.output)
    except DrawFailed as failure:
        print(f"DeepLabCut video failed: {failure}", file=sys.stderr, flush=True)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
