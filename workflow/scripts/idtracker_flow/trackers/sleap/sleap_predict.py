"""Run one SLEAP job: predict and track the animals of one video with a trained SLEAP model.

    sleap_predict.py --model FOLDER [--model FOLDER] --video VIDEO --output OUT.slp
        --analysis OUT.analysis.h5 --summary SUMMARY.json [--device auto|cpu|cuda|cuda:N]
        [--tracking | --no-tracking] [--option NAME=VALUE ...]

The workflow calls this with the SLEAP environment's Python (.venv-sleap); the main environment
has no sleap-nn. It runs `sleap-nn predict` (in this process, with the options the job's
settings name as sleap-nn names them), which writes the predictions and tracks to --output
(.slp, what SLEAP's GUI opens for proofreading), then writes SLEAP's analysis HDF5 of them
(sleap-io's export: every frame of the video, tracks x nodes) to --analysis.

--summary gets a JSON record of the run: versions, the model folders and weights used, the
device, frame count, rate and size of the video, the skeleton, the tracks and the time
predicting took; after a failure with a message, only {"error": message}.

Exit status 2, with one message on stderr, for failures the user can act on (a video SLEAP
cannot read, no GPU, out of GPU memory, nothing found). sleap-nn's own output goes to
stdout/stderr as it prints it.
"""

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

# How this script tells the workflow's console which stage it is at (stages.py reads it).
STAGE = "Stage:"


class JobFailed(Exception):
    """A failure with a message for the user (exit status 2)."""


def option(text: str) -> tuple[str, str]:
    name, _, value = text.partition("=")
    if not name or not value:
        raise argparse.ArgumentTypeError(f"not NAME=VALUE: {text!r}")
    return name, value


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, action="append", required=True)
    parser.add_argument("--video", type=Path, required=True)
    parser.add_argument("--output", type=Path, required=True, help="predictions (.slp)")
    parser.add_argument("--analysis", type=Path, required=True, help="analysis HDF5 (.h5)")
    parser.add_argument("--summary", type=Path, required=True, help="the run's record (.json)")
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda or cuda:N")
    parser.add_argument("--tracking", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--option", type=option, action="append", default=[],
                        help="a sleap-nn predict option, e.g. max_instances=2")  # fmt: skip
    args = parser.parse_args(argv)
    args.model = [path.resolve() for path in args.model]
    for name in ("video", "output", "analysis", "summary"):
        setattr(args, name, getattr(args, name).resolve())
    return args


def check_inputs(args: argparse.Namespace) -> None:
    for folder in args.model:
        if not folder.is_dir():
            raise JobFailed(
                f"The SLEAP model folder {folder} does not exist.\nWhat to do: correct"
                " model_paths in the job's settings file, then run `pixi run track` again."
            )
    if not args.video.is_file():
        raise JobFailed(
            f"The video {args.video} does not exist.\nWhat to do: correct video_paths in the"
            " job's settings file, then run `pixi run track` again."
        )


def resolve_device(requested: str) -> tuple[str, str | None]:
    """The torch device to run on and the GPU's name. "auto" takes the GPU when torch sees
    one; asking for CUDA without a usable GPU is an error, not a quiet CPU run."""
    import torch

    if requested == "auto":
        requested = "cuda" if torch.cuda.is_available() else "cpu"
    if requested == "cpu":
        return "cpu", None
    if not requested.startswith("cuda"):
        raise JobFailed(f"Unknown device {requested!r}: use auto, cpu, cuda or cuda:N.")
    if not torch.cuda.is_available():
        raise JobFailed(
            f"Device {requested} was asked for, but PyTorch sees no usable GPU (CUDA not "
            "available).\nWhat to do: run the job on a GPU node, or set `device: cpu` in"
            " config/config.yaml (much slower)."
        )
    index = torch.device(requested).index
    index = torch.cuda.current_device() if index is None else index
    if index >= torch.cuda.device_count():
        raise JobFailed(f"Device {requested}: only {torch.cuda.device_count()} GPU(s) visible.")
    return f"cuda:{index}", torch.cuda.get_device_name(index)


def video_facts(video: Path) -> dict:
    """Frame count, rate and size, read as SLEAP reads the video (sleap-io): a video it cannot
    read fails here, before the model is loaded."""
    import sleap_io as sio

    try:
        opened = sio.load_video(str(video))
        frames = len(opened)
        first = opened[0]
        shape = opened.shape
    except Exception as error:
        raise JobFailed(
            f"SLEAP cannot read the video {video} ({type(error).__name__}: {error}).\nWhat to"
            " do: check that it plays in a video player; copy it again, or convert it (e.g."
            " with ffmpeg to .mp4 with the H.264 codec), then run `pixi run track` again."
        ) from None
    if not frames or first is None:
        raise JobFailed(
            f"SLEAP reads no frame of the video {video}.\nWhat to do: convert it (e.g. with"
            " ffmpeg to .mp4 with the H.264 codec), then run `pixi run track` again."
        )
    fps = None
    try:
        import cv2

        capture = cv2.VideoCapture(str(video))
        fps = capture.get(cv2.CAP_PROP_FPS) or None
        capture.release()
    except Exception:  # the rate is a nicety: the time axis says frames without it
        pass
    return {"video_frames": frames, "fps": fps, "height": shape[1], "width": shape[2]}


def predict_command(args: argparse.Namespace, device: str) -> list[str]:
    """`sleap-nn predict`'s arguments, as a lab would type them."""
    command = ["predict", "--data_path", str(args.video)]
    for folder in args.model:
        command += ["--model_paths", str(folder)]
    command += ["--output_path", str(args.output), "--device", device]
    if args.tracking:
        command.append("--tracking")
    for name, value in args.option:
        command += [f"--{name}", value]
    return command


def predict(args: argparse.Namespace, device: str) -> float:
    from sleap_nn.cli import cli

    command = predict_command(args, device)
    print("sleap-nn " + " ".join(command), flush=True)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    if args.output.exists():
        args.output.unlink()  # never an older run's predictions
    start = time.monotonic()
    try:
        cli.main(args=command, prog_name="sleap-nn", standalone_mode=False)
    except RuntimeError as error:
        if "out of memory" in str(error).lower():
            raise JobFailed(
                f"CUDA out of memory on {device}: the GPU ran out of memory.\nWhat to do:"
                " lower batch_size in the job's settings file (sleap-nn's default is 4) or"
                " use a larger GPU."
            ) from None
        raise
    except Exception as error:  # click's usage errors: an option sleap-nn refuses
        if type(error).__module__.startswith("click"):
            raise JobFailed(
                f"sleap-nn refused the job's options: {error}.\nWhat to do: correct the"
                " option in the job's settings file (docs/settings.md: SLEAP models)."
            ) from None
        raise
    if not args.output.is_file():
        raise JobFailed(
            f"sleap-nn predict wrote no {args.output}.\nWhat to do: its output above in this"
            " log says which step stopped."
        )
    return time.monotonic() - start


def export_analysis(args: argparse.Namespace) -> dict:
    """SLEAP's analysis HDF5 of the predictions (every frame of the video) and what they
    hold: the skeleton, the tracks, how many frames have an animal."""
    import sleap_io as sio

    labels = sio.load_slp(str(args.output))
    instances = sum(len(frame.instances) for frame in labels.labeled_frames)
    if not instances:
        raise JobFailed(
            "SLEAP found no animal in this video (no instance in any frame).\nWhat to do:"
            " check that the model was trained on videos like this one (the same animals,"
            " light and size); a lower peak_threshold in the job's settings file keeps weaker"
            " keypoints."
        )
    args.analysis.parent.mkdir(parents=True, exist_ok=True)
    partial = args.analysis.with_name(f".{args.analysis.name}.partial")
    sio.save_analysis_h5(labels, str(partial), video=0, labels_path=str(args.output))
    os.replace(partial, args.analysis)
    skeleton = labels.skeletons[0]
    scores = [
        float(instance.score)
        for frame in labels.labeled_frames
        for instance in frame.instances
        if getattr(instance, "score", None) is not None
    ]
    return {
        "nodes": [node.name for node in skeleton.nodes],
        "edges": [[edge.source.name, edge.destination.name] for edge in skeleton.edges],
        "tracks": [track.name for track in labels.tracks],
        "frames_with_instances": sum(1 for f in labels.labeled_frames if f.instances),
        "instances": instances,
        "mean_instance_score": round(sum(scores) / len(scores), 4) if scores else None,
    }


def model_facts(folder: Path) -> dict:
    weights = next((folder / n for n in ("best.ckpt", "best_model.h5") if (folder / n).is_file()),
                   None)  # fmt: skip
    return {"folder": str(folder), "weights": str(weights) if weights else None}


def write_json(path: Path, data: dict) -> None:
    partial = path.with_name(f".{path.name}.partial")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial.write_text(json.dumps(data, indent=2) + "\n")
    os.replace(partial, path)


def run(args: argparse.Namespace) -> None:
    check_inputs(args)
    device, gpu = resolve_device(args.device)
    print(f"{STAGE} reading the video", flush=True)  # the workflow's console reads these
    facts = video_facts(args.video)
    print(f"SLEAP job: {args.video.name}, {facts['video_frames']} frames, on {device}", flush=True)
    print(f"{STAGE} poses and tracks", flush=True)
    seconds = predict(args, device)
    print(f"{STAGE} saving", flush=True)
    found = export_analysis(args)

    import sleap_io
    import sleap_nn
    import torch

    # Last: the summary doubles as the mark that the job finished.
    write_json(
        args.summary,
        {
            "sleap_nn_version": sleap_nn.__version__,
            "sleap_io_version": sleap_io.__version__,
            "torch_version": torch.__version__,
            "python": platform.python_version(),
            "models": [model_facts(folder) for folder in args.model],
            "video": str(args.video),
            "command": ["sleap-nn", *predict_command(args, device)],
            "tracking": args.tracking,
            "options": dict(args.option),
            "device": device,
            "cuda_available": torch.cuda.is_available(),
            "gpu": gpu,
            **facts,
            **found,
            "seconds": round(seconds, 3),
        },
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        run(args)
    except JobFailed as failure:
        print(f"SLEAP job failed: {failure}", file=sys.stderr, flush=True)
        write_json(args.summary, {"error": str(failure)})  # the workflow's log says it too
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
