"""Run one DeepLabCut job: analyse one video with a trained multi-animal DeepLabCut 3 project
and keep the stitched tracks.

    deeplabcut_analyze.py --config PROJECT/config.yaml --video VIDEO --workdir DIR
        --output OUT.h5 --summary SUMMARY.json --shuffle N [--trainingsetindex T]
        [--snapshot-index I]
        [--n-tracks N] [--track-method ellipse|box|skeleton] [--batch-size B]
        [--device auto|cpu|cuda|cuda:0]
        [--filterpredictions median|arima [--filter-windowlength W] --filtered-output F.h5]

The workflow calls this with the DeepLabCut environment's Python (.venv-dlc); the main
environment has no DeepLabCut. DeepLabCut writes everything into --workdir, which is wiped first
so that no file of an earlier run (an older model's detections or tracklets) is reused. The
stitched tracks (DeepLabCut's `<video><scorer>_bx|_el|_sk.h5`, HDF key "tracks") are copied to
--output; they and the other files (metadata, detections, assemblies, tracklets) stay in
--workdir, where DeepLabCut's own tools (create_labeled_video) find them.

--summary gets a JSON record of the run: versions, the snapshot file used, the device, frame
count, rate and size of the video, individuals, bodyparts and the time analyze_videos took; after
a failure with a message, only {"error": message}.

Exit status 2, with one message on stderr, for failures the user can act on (no trained
network, nothing detected, no GPU). DeepLabCut's own output goes to stdout/stderr as it prints it.
"""

import argparse
import json
import os
import platform
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

# Before DeepLabCut imports huggingface_hub: analysing with a trained project needs nothing from
# the hub, and a compute node without internet would otherwise retry for about a minute.
os.environ.setdefault("HF_HUB_OFFLINE", "1")

TRACK_METHODS = ("ellipse", "box", "skeleton")
# Trackers that fail in the installed DeepLabCut whatever the data (checked on 3.0.2): say so
# at once instead of after the whole video was analysed.
BROKEN_TRACKERS = {
    ("3.0.2", "skeleton"): "its skeleton tracker crashes (a Kalman filter of the wrong size)",
}


class JobFailed(Exception):
    """A failure with a message for the user (exit status 2)."""


@dataclass
class Model:
    """The trained network analyze_videos will use, resolved the way DeepLabCut 3.0.2 does."""

    scorer: str
    snapshot: Path
    detector_snapshot: Path | None
    track_method: str
    default_track_method: str
    keypoints: int  # per animal (DeepLabCut's multianimalbodyparts)
    inference_cfg: Path  # the tracker's knobs, read by convert_detections2tracklets
    individuals: int  # the project's individuals (n_tracks' default)


# --- arguments ---------------------------------------------------------------------------------


def snapshot_index(value: str) -> int | str:
    """An index into the shuffle's snapshots sorted by epoch (-1: the last, which is the best
    one when DeepLabCut kept a snapshot-best-*.pt), or "best"."""
    if value.lower() == "best":
        return "best"
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer or 'best': {value!r}") from None


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", type=Path, required=True, help="the project's config.yaml")
    parser.add_argument("--video", type=Path, required=True)
    parser.add_argument("--workdir", type=Path, required=True, help="wiped and recreated")
    parser.add_argument("--output", type=Path, required=True, help="the tracks (.h5)")
    parser.add_argument("--summary", type=Path, required=True, help="the run's record (.json)")
    parser.add_argument("--shuffle", type=int, required=True)
    parser.add_argument("--trainingsetindex", type=int, default=0, help="TrainingFraction index")
    parser.add_argument("--snapshot-index", type=snapshot_index, default=None)
    parser.add_argument("--n-tracks", type=int, default=None)
    parser.add_argument("--track-method", choices=TRACK_METHODS, default=None)
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda or cuda:N")
    parser.add_argument("--filterpredictions", choices=("median", "arima"), default=None)
    parser.add_argument("--filter-windowlength", type=int, default=5)
    parser.add_argument("--filtered-output", type=Path, default=None, help="filtered tracks")
    args = parser.parse_args(argv)
    if args.filterpredictions and args.filtered_output is None:
        parser.error("--filterpredictions needs --filtered-output")
    for name in ("config", "video", "workdir", "output", "summary", "filtered_output"):
        if getattr(args, name) is not None:
            setattr(args, name, getattr(args, name).resolve())
    return args


def check_inputs(args: argparse.Namespace) -> None:
    for label, path in (("DeepLabCut project file", args.config), ("video", args.video)):
        if not path.is_file():
            raise JobFailed(
                f"The {label} {path} does not exist.\nWhat to do: correct the path in the job's"
                " settings file, then run `pixi run track` again."
            )
    # Wiping the work folder must never delete the job's own inputs.
    for path in (args.config, args.video):
        if path.is_relative_to(args.workdir):
            raise JobFailed(f"The work folder {args.workdir} contains {path}; choose another.")


# --- device ------------------------------------------------------------------------------------


def resolve_device(requested: str) -> tuple[str, str | None]:
    """The torch device to run on ("cpu" or "cuda:N") and the GPU's name. "auto" takes the GPU
    when torch sees one; asking for CUDA without a usable GPU is an error, not a quiet CPU run."""
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


# --- the model ---------------------------------------------------------------------------------


def resolve_model(args: argparse.Namespace) -> Model:
    """Pick the snapshot and name the scorer with DeepLabCut's own functions, so that the
    snapshot recorded is the one analyze_videos loads and the output name is known."""
    from deeplabcut.pose_estimation_pytorch.apis import utils
    from deeplabcut.pose_estimation_pytorch.data import DLCLoader
    from deeplabcut.pose_estimation_pytorch.task import Task

    try:
        loader = DLCLoader(
            str(args.config), shuffle=args.shuffle, trainset_index=args.trainingsetindex
        )
    except FileNotFoundError as error:
        raise JobFailed(
            f"Shuffle {args.shuffle} of {args.config} has no PyTorch model folder ({error})."
            "\nWhat to do: create the training dataset for this shuffle and train the network"
            " first."
        ) from None
    if not loader.project_cfg.get("multianimalproject"):
        raise JobFailed(f"{args.config} is not a multi-animal DeepLabCut project.")

    index, detector_index = utils.parse_snapshot_index_for_analysis(
        loader.project_cfg, loader.model_cfg, args.snapshot_index, None
    )
    snapshot = find_snapshot(utils, index, loader.model_folder, loader.pose_task)
    detector = None
    if detector_index is not None:
        detector = find_snapshot(utils, detector_index, loader.model_folder, Task.DETECT)

    default = loader.project_cfg.get("default_track_method") or "ellipse"
    method = args.track_method or default
    keypoints = len(loader.project_cfg["multianimalbodyparts"])
    if keypoints == 1:
        method = "box"  # DeepLabCut switches to the box tracker for a single keypoint
    check_tracker(method)
    return Model(
        scorer=loader.scorer(snapshot, detector),
        snapshot=snapshot.path.resolve(),
        detector_snapshot=detector.path.resolve() if detector else None,
        track_method=method,
        default_track_method=default,
        keypoints=keypoints,
        inference_cfg=loader.model_folder.parent / "test" / "inference_cfg.yaml",
        individuals=len(loader.project_cfg.get("individuals") or []),
    )


def check_tracker(method: str) -> None:
    import deeplabcut

    problem = BROKEN_TRACKERS.get((deeplabcut.__version__, method))
    if problem:
        raise JobFailed(
            f"The {method} tracker cannot be used with DeepLabCut {deeplabcut.__version__}: "
            f'{problem}.\nWhat to do: set track_method = "box" (or "ellipse") in the job\'s'
            " settings file."
        )


def find_snapshot(utils, index: int | str, folder: Path, task):
    try:
        return utils.get_model_snapshots(index, folder, task)[0]
    except ValueError:
        found = sorted(p.name for p in folder.glob(f"{task.snapshot_prefix}-*.pt"))
        if not found:
            raise JobFailed(
                f"No trained network: no {task.snapshot_prefix}-*.pt file in {folder}."
                "\nWhat to do: train the network (deeplabcut.train_network) before analysing"
                " videos."
            ) from None
        raise JobFailed(
            f"Snapshot index {index} does not exist in {folder}, which holds "
            f"{', '.join(found)} (index 0 is the oldest, -1 the last or best).\nWhat to do:"
            " set snapshot_index in the job's settings file to one of them."
        ) from None


# --- the analysis ------------------------------------------------------------------------------


def fresh_workdir(workdir: Path) -> None:
    # DeepLabCut skips work whose files exist and names them after the snapshot, not after the
    # model's contents: a retrained model could otherwise reuse stale detections.
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)


def analyze(args: argparse.Namespace, model: Model, device: str) -> float:
    """Detect, assemble, track and stitch; return the seconds it took."""
    import deeplabcut

    # analyze_videos has no tracker argument: with auto_track it tracks with the project's
    # default_track_method. Another tracker takes the two steps auto_track would run.
    auto_track = model.track_method == model.default_track_method
    common = dict(
        shuffle=args.shuffle, trainingsetindex=args.trainingsetindex, destfolder=str(args.workdir)
    )
    if args.snapshot_index is not None:
        common["snapshot_index"] = args.snapshot_index
    start = time.monotonic()
    try:
        deeplabcut.analyze_videos(
            str(args.config),
            [str(args.video)],
            auto_track=auto_track,
            overwrite=True,
            n_tracks=args.n_tracks,
            device=device,
            batch_size=args.batch_size,
            **common,
        )
        if not auto_track:
            track(args, model, common)
    except OSError as error:
        if "Tracklets are empty" in str(error):
            raise JobFailed(nothing_tracked_message(model)) from None
        raise
    except RuntimeError as error:
        if "out of memory" in str(error).lower():
            raise JobFailed(
                f"CUDA out of memory on {device}: the GPU ran out of memory.\nWhat to do: lower"
                f" batch_size in the job's settings file (now {args.batch_size or 'the project'}"
                "'s default) or use a larger GPU."
            ) from None
        raise
    return time.monotonic() - start


def track(args: argparse.Namespace, model: Model, common: dict) -> None:
    import deeplabcut
    from deeplabcut.pose_estimation_pytorch.apis import convert_detections2tracklets

    # The PyTorch function, not deeplabcut.convert_detections2tracklets: only it takes the
    # snapshot index, which is part of the file names it reads.
    videos = [str(args.video)]
    method = model.track_method
    convert_detections2tracklets(
        str(args.config), videos, overwrite=True, track_method=method, **common
    )
    deeplabcut.stitch_tracklets(
        str(args.config), videos, n_tracks=args.n_tracks, track_method=method, **common
    )


def nothing_tracked_message(model: Model) -> str:
    advice = ["check that the network is trained for videos like this one"]
    if model.keypoints < 3:
        advice.append(
            f"this project has {model.keypoints} keypoint(s) per animal: DeepLabCut 3.0.2 joins"
            " keypoints into animals only with at least 3"
        )
    if model.track_method != "box":
        advice.append(
            f"the {model.track_method} tracker often loses animals with few keypoints or"
            ' keypoints on one line: try track_method = "box"'
        )
    advice.append(
        f"loosen the tracker in {model.inference_cfg}: a larger boundingboxslack (pixels"
        " around each animal's box), a lower iou_threshold, a larger max_age (frames a track"
        " waits for its animal; docs/settings.md: DeepLabCut's tracker)"
    )
    return (
        'DeepLabCut found no animal it could follow in this video ("Tracklets are empty"): in'
        " no stretch of at least 10 frames were keypoints detected, joined into animals and"
        f" linked from frame to frame (snapshot used: {model.snapshot.name}; its detections"
        f" are in the work folder).\nWhat to do: {'; '.join(advice)}."
    )


def tracks_file(args: argparse.Namespace, model: Model) -> Path:
    from deeplabcut.core.trackingutils import TRACK_METHODS as SUFFIXES

    path = args.workdir / f"{args.video.stem}{model.scorer}{SUFFIXES[model.track_method]}.h5"
    if not path.is_file():
        present = ", ".join(sorted(p.name for p in args.workdir.iterdir())) or "nothing"
        raise JobFailed(
            f"DeepLabCut wrote no tracks file {path.name} in {args.workdir} (it holds: "
            f"{present}).\nWhat to do: its output above in this log says which step stopped."
        )
    return path


def filter_tracks(args: argparse.Namespace, model: Model, produced: Path) -> Path:
    """DeepLabCut's filterpredictions on the stitched tracks: a second file (the raw tracks
    stay as they are), rewritten under the tracks' own HDF key so that both read alike."""
    import deeplabcut
    import pandas as pd

    print(f"{STAGE} filtering", flush=True)
    extra = {"snapshot_index": args.snapshot_index} if args.snapshot_index is not None else {}
    deeplabcut.filterpredictions(
        str(args.config),
        str(args.video),
        shuffle=args.shuffle,
        trainingsetindex=args.trainingsetindex,
        filtertype=args.filterpredictions,
        windowlength=args.filter_windowlength,
        save_as_csv=False,
        destfolder=str(args.workdir),
        track_method=model.track_method,
        **extra,
    )
    made = produced.with_name(f"{produced.stem}_filtered.h5")
    if not made.is_file():
        raise JobFailed(
            f"DeepLabCut's filterpredictions wrote no {made.name} in {args.workdir}.\nWhat to"
            " do: read its output above in this log, or delete filterpredictions from the"
            " job's settings file."
        )
    table = pd.read_hdf(made, key="df_with_missing")
    keyed = made.with_name(f"{made.stem}.tracks.h5")
    table.to_hdf(keyed, key="tracks", format="table", mode="w")
    return keyed


# How this script tells the workflow's console which stage it is at (stages.py reads it).
STAGE = "Stage:"


# --- outputs -----------------------------------------------------------------------------------


def read_knobs(path: Path) -> dict | None:
    """The inference_cfg.yaml as it is now: its digest and values (None when there is none:
    DeepLabCut then writes its defaults there, read again after the analysis)."""
    import hashlib

    import yaml

    try:
        data = path.read_bytes()
    except OSError:
        return None
    values = yaml.safe_load(data) or {}
    return {"path": str(path), "sha256": hashlib.sha256(data).hexdigest(), "values": values}


def copy_atomically(source: Path, target: Path) -> None:
    """Copy SOURCE to TARGET so that TARGET is never seen half-written. SOURCE stays where
    DeepLabCut's own tools look for it (create_labeled_video: `pixi run videos`)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    shutil.copyfile(source, partial)
    os.replace(partial, target)


def write_json(path: Path, data: dict) -> None:
    partial = path.with_name(f".{path.name}.partial")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial.write_text(json.dumps(data, indent=2) + "\n")
    os.replace(partial, path)


def video_facts(video: Path) -> dict:
    """Frame count, frame rate and size: the exports' time axis and the QC plots' frame."""
    import cv2

    capture = cv2.VideoCapture(str(video))
    try:
        return {
            "video_frames": int(capture.get(cv2.CAP_PROP_FRAME_COUNT)),
            "fps": capture.get(cv2.CAP_PROP_FPS) or None,
            "width": int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)) or None,
            "height": int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT)) or None,
        }
    finally:
        capture.release()


def describe_tracks(path: Path) -> dict:
    """Individuals, bodyparts and frames with tracks. Rows are frame numbers from 0 up to the
    last tracked frame (later frames are left out); a row can be all NaN."""
    import pandas as pd

    tracks = pd.read_hdf(path, key="tracks")
    columns = tracks.columns
    xy = tracks.loc[:, columns.get_level_values("coords").isin(["x", "y"])]
    return {
        "frames_with_tracks": int(xy.notna().any(axis=1).sum()),
        "table_rows": len(tracks),
        "individuals": list(dict.fromkeys(columns.get_level_values("individuals"))),
        "bodyparts": list(dict.fromkeys(columns.get_level_values("bodyparts"))),
    }


def summary(args, model: Model, device: str, gpu: str | None, seconds: float, tracks,
            knobs: dict | None) -> dict:  # fmt: skip
    import deeplabcut
    import torch

    return {
        "deeplabcut_version": deeplabcut.__version__,
        "torch_version": torch.__version__,
        "python": platform.python_version(),
        "config": str(args.config),
        "video": str(args.video),
        "shuffle": args.shuffle,
        "trainingsetindex": args.trainingsetindex,
        "scorer": model.scorer,
        "snapshot": str(model.snapshot),
        "detector_snapshot": str(model.detector_snapshot) if model.detector_snapshot else None,
        "track_method": model.track_method,
        "n_tracks": args.n_tracks or model.individuals,
        "filterpredictions": (
            {"filtertype": args.filterpredictions, "windowlength": args.filter_windowlength}
            if args.filterpredictions
            else None
        ),
        "inference_cfg": knobs,
        "device": device,
        "cuda_available": torch.cuda.is_available(),
        "gpu": gpu,
        **video_facts(args.video),
        **tracks,
        "seconds": round(seconds, 3),
    }


# --- main --------------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> None:
    check_inputs(args)
    device, gpu = resolve_device(args.device)
    model = resolve_model(args)
    print(f"DeepLabCut job: {model.snapshot} on {device}, tracker {model.track_method}", flush=True)
    fresh_workdir(args.workdir)
    knobs = read_knobs(model.inference_cfg)  # as the tracker reads it, before any edit
    print(f"{STAGE} poses and tracks", flush=True)  # the workflow's console reads these
    seconds = analyze(args, model, device)
    knobs = knobs or read_knobs(model.inference_cfg)
    print(f"{STAGE} saving", flush=True)
    produced = tracks_file(args, model)
    tracks = describe_tracks(produced)
    filtered = filter_tracks(args, model, produced) if args.filterpredictions else None
    copy_atomically(produced, args.output)
    if filtered is not None:
        copy_atomically(filtered, args.filtered_output)
    # Last: the summary doubles as the mark that the job finished.
    write_json(args.summary, summary(args, model, device, gpu, seconds, tracks, knobs))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        run(args)
    except JobFailed as failure:
        print(f"DeepLabCut job failed: {failure}", file=sys.stderr, flush=True)
        write_json(args.summary, {"error": str(failure)})  # the workflow's log says it too
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
