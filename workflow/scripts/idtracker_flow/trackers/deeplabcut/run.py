"""Running DeepLabCut for one job: its environment and trained snapshot checked first, its
command line, and the verdict on what it wrote.

DeepLabCut runs in its own environment (environment.py) as trackers/deeplabcut/analyze.py,
which writes the stitched tracks to <session>/tracks.h5 and what it used to
<session>/deeplabcut.json. The runner (tracking/run.py) holds the GPU slot, makes the session
folder from scratch, watches the process and learns from its memory use, as for every tracker.
"""

from pathlib import Path

from idtracker_flow.trackers import separate_python
from idtracker_flow.trackers.deeplabcut import environment, job_settings, model, tracks_file
from idtracker_flow.trackers.protocol import (
    Command,
    Resources,
    RunFailed,
    RunRequest,
)

RUNNER = Path(__file__).with_name("analyze.py")
TRACKS = "tracks.h5"
FILTERED = "tracks.filtered.h5"  # filterpredictions' output, when the job asks for it
SUMMARY = "deeplabcut.json"
DESTFOLDER = "deeplabcut"  # DeepLabCut's own files (pickles), kept for its tracklet GUI


def device_argument(configured: str) -> str:
    """config `device` as DeepLabCut's: auto lets its pytorch_config decide (cuda if there)."""
    return configured if configured in ("cpu", "cuda") or configured.startswith("cuda:") else "auto"


def runner_command(python: Path, settings: dict, session: Path, device: str) -> list[str]:
    options = job_settings.options(settings)
    command = [
        str(python), str(RUNNER),
        "--config", settings["project"],
        "--video", settings["video_paths"][0],
        "--workdir", str(session / DESTFOLDER),
        "--output", str(session / TRACKS),
        "--summary", str(session / SUMMARY),
        "--shuffle", str(options["shuffle"]),
        "--device", device_argument(device),
    ]  # fmt: skip
    optional = ("trainingsetindex", "snapshot_index", "n_tracks", "track_method", "batch_size",
                "filterpredictions", "filter_windowlength")  # fmt: skip
    for key in optional:
        if options[key] is not None:
            command += [f"--{key.replace('_', '-')}", str(options[key])]
    if options["filterpredictions"]:
        command += ["--filtered-output", str(session / FILTERED)]
    return command


def check(request: RunRequest) -> None:
    """The DeepLabCut environment and the snapshot the DAG expects, before any GPU time."""
    settings = request.settings
    try:
        request.found["python"] = environment.DEEPLABCUT.python(request.config)
        options = job_settings.options(settings)
        request.found["snapshot"] = model.snapshot(
            Path(settings["project"]),
            options["shuffle"],
            options["snapshot_index"],
            options["trainingsetindex"],
        )
    except (separate_python.NotFound, model.ModelMissing) as error:
        raise RunFailed(f"Job {request.job_name}: {error}") from None


def command(request: RunRequest, resources: Resources) -> Command:
    request.session.mkdir(parents=True, exist_ok=True)
    argv = runner_command(
        request.found["python"], request.settings, request.session, resources.device
    )
    return Command(
        argv,
        # Offline: DeepLabCut would otherwise try to download pretrained weights it does not need.
        env={"HF_HUB_OFFLINE": "1"},
        log_lines=[f"Model: {request.found['snapshot']}", "Running: " + " ".join(argv)],
    )


def judge(request: RunRequest, status: int, log) -> dict:
    """DeepLabCut's part of the tracking record; raises RunFailed when it made no tracks."""
    tracks = request.session / TRACKS
    summary = separate_python.runner_summary(
        environment.DEEPLABCUT.display_name, request, status, log, SUMMARY,
        lambda: tracks_file.problem(tracks),
    )  # fmt: skip
    used, expected = summary.get("snapshot"), request.found["snapshot"]
    if used and Path(used).resolve() != Path(expected).resolve():
        print(f"Note: DeepLabCut used {used}, not {expected} as the DAG expected.", file=log)
    return {
        "device": summary.get("device"),
        "estimated_accuracy": None,
        "deeplabcut_exit_status": status,
        "deeplabcut": summary,
    }
