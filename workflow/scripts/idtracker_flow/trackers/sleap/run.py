"""Running SLEAP for one job: its environment and trained models checked first, its command
line, and the verdict on what it wrote.

SLEAP runs in its own environment (environment.py) as trackers/sleap/sleap_predict.py, which writes
the predictions to <session>/predictions.slp, SLEAP's analysis HDF5 of them to
<session>/predictions.analysis.h5 and what it used to <session>/sleap.json. The runner
(tracking/run.py) holds the GPU slot, makes the session folder from scratch, watches the
process and learns from its memory use, as for every tracker.
"""

from pathlib import Path

from idtracker_flow.trackers import separate_python
from idtracker_flow.trackers.protocol import (
    Command,
    Resources,
    RunFailed,
    RunRequest,
)
from idtracker_flow.trackers.sleap import environment, job_settings, model, result_file

RUNNER = Path(__file__).with_name("sleap_predict.py")
ANALYSIS = "predictions.analysis.h5"  # the result copied to tracking/<video>/<job>.h5
PREDICTIONS = "predictions.slp"  # copied beside it, tracking/<video>/<job>.slp
SUMMARY = "sleap.json"


def device_argument(configured: str) -> str:
    """config `device` as sleap-nn's: auto takes the GPU when there is one."""
    return configured if configured in ("cpu", "cuda") or configured.startswith("cuda:") else "auto"


def runner_command(python: Path, settings: dict, session: Path, device: str) -> list[str]:
    command = [str(python), str(RUNNER)]
    for folder in settings["model_paths"]:
        command += ["--model", str(folder)]
    command += [
        "--video", settings["video_paths"][0],
        "--output", str(session / PREDICTIONS),
        "--analysis", str(session / ANALYSIS),
        "--summary", str(session / SUMMARY),
        "--device", device_argument(device),
    ]  # fmt: skip
    options = job_settings.options(settings)
    command.append("--tracking" if options.pop("tracking") else "--no-tracking")
    for key, value in options.items():
        command += ["--option", f"{key}={value}"]
    return command


def check(request: RunRequest) -> None:
    """The SLEAP environment and the models the DAG expects, before any GPU time."""
    try:
        request.found["python"] = environment.SLEAP.python(request.config)
        request.found["models"] = model.models(request.settings.get("model_paths") or [])
    except (separate_python.NotFound, model.ModelMissing) as error:
        raise RunFailed(f"Job {request.job_name}: {error}") from None


def command(request: RunRequest, resources: Resources) -> Command:
    request.session.mkdir(parents=True, exist_ok=True)
    argv = runner_command(
        request.found["python"], request.settings, request.session, resources.device
    )
    described = "; ".join(m.describe() for m in request.found["models"])
    return Command(
        argv,
        # Offline: nothing of a trained model's prediction needs the network.
        env={"HF_HUB_OFFLINE": "1", "WANDB_MODE": "disabled"},
        log_lines=[f"Model: {described}", "Running: " + " ".join(argv)],
    )


def judge(request: RunRequest, status: int, log) -> dict:
    """SLEAP's part of the tracking record; raises RunFailed when it made no result."""
    result = request.session / ANALYSIS
    summary = separate_python.runner_summary(
        environment.SLEAP.display_name, request, status, log, SUMMARY,
        lambda: result_file.problem(result),
    )  # fmt: skip
    return {
        "device": summary.get("device"),
        "estimated_accuracy": None,
        "sleap_exit_status": status,
        "sleap": summary,
    }
