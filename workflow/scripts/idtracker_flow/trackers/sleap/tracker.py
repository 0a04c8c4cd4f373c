"""SLEAP as the workflow sees it (trackers/protocol.py): settings with tracker = "sleap", its
trained model folders as DAG inputs, SLEAP's analysis HDF5 as the result and its predictions
(.slp) beside it."""

from pathlib import Path

from idtracker_flow.project import paths
from idtracker_flow.trackers.protocol import TrackInputs
from idtracker_flow.trackers.sleap import model, settings_repair
from idtracker_flow.trackers.sleap import run as _run

NAME = "sleap"
ALIASES = ("sleap-nn", "sleap_nn")
DISPLAY_NAME = "SLEAP"
# Its runner script is in every command line of its processes, wherever the checkout is.
PROCESS_MARKER = _run.RUNNER.name.encode()
RESULT_IN_SESSION = _run.ANALYSIS
EDITED_IN_SESSION: dict[str, str] = {}
# The predictions themselves, beside the analysis file: tracking/<video>/<job>.slp.
RESULTS_BESIDE = {_run.PREDICTIONS: ".slp"}
# The pose columns are every pose tracker's (qc/pose_quality.py); SLEAP's own is the mean
# score of the animals it found (how sure it is of each whole animal; bottom-up models
# add up the scores of its links, so it can pass 1).
QC_COLUMNS: tuple[str, ...] = ("mean_instance_score",)
QC_NUMERIC_COLUMNS: tuple[str, ...] = ("mean_instance_score",)
CAPABILITIES = frozenset()
VERDICT = (
    "success: sleap-nn predict exited 0, its predictions hold at least one animal and SLEAP's"
    " analysis HDF5 of them is readable"
)

# -- settings ---------------------------------------------------------------------------------

repair_settings = settings_repair.repair_settings


def digest(settings: dict) -> dict:
    """The model folders as written: what the DAG needs to find the weights."""
    written = settings.get("model_paths")
    folders = [str(p) for p in written] if isinstance(written, list) else []
    return {"model_paths": folders}


def with_identities(settings: dict) -> bool:
    return False  # identities across videos are idtracker.ai's (recordings)


def arena(settings: dict) -> None:
    """A SLEAP job draws no arena: the behaviour step takes it from config."""
    return None


# How status words a model's weights file when it is newer than the job's result.
RETRAINED = "SLEAP model retrained"


def track_inputs(digest: dict, job, settings_path: str, config: dict, jobs, cache) -> TrackInputs:
    """The weights of each of the job's model folders: retraining a model (a new best.ckpt)
    tracks again the jobs that use it, and nothing else about the SLEAP project does. `cache`:
    one lookup per model folder per DAG, however many jobs use it."""
    files: dict[str, str] = {}
    for written in digest.get("model_paths") or []:
        key = (NAME, written, settings_path)
        if key not in cache:
            cache[key] = _weights(written, Path(settings_path), config["path_prefixes"])
        files.update(cache[key])
    return TrackInputs(files=list(files), why=files)


def _weights(written: str, settings: Path, prefixes: dict) -> dict[str, str]:
    """{weights file: what a newer one means}; {} when the folder or its weights cannot be
    found (the repair fails on it with a message, not the whole DAG)."""
    lookup = paths.locate(written, settings, prefixes, [], want_dir=True)
    if lookup.found is None:
        return {}
    try:
        return {str(model.read(lookup.found.resolve()).weights): RETRAINED}
    except model.ModelMissing:
        return {}


# -- running ----------------------------------------------------------------------------------

check = _run.check
command = _run.command
judge = _run.judge


def provenance_at_tracking(record: dict, settings_path: Path) -> dict:
    from idtracker_flow.trackers.sleap import provenance

    return {"model": provenance.capture(record.get("sleap") or {}, settings_path)}


def failure_line(log_text: str) -> str | None:
    return None  # the workflow's own message says it (run.judge)


def stage_reader():
    from idtracker_flow.trackers.sleap.stages import StageReader

    return StageReader()


# -- the result -------------------------------------------------------------------------------


def result_problem(path: Path) -> str | None:
    from idtracker_flow.trackers.sleap import result_file

    return result_file.problem(path)


def read_poses(result: Path, record: dict):
    from idtracker_flow.trackers.sleap import result_file

    return result_file.read_poses(result, record.get("sleap") or {})


def session_facts(session: Path, record: dict) -> dict:
    return {}  # SLEAP predicts the whole video; proofreading happens in SLEAP's own GUI


def qc_columns(trajectories, facts: dict, record: dict) -> dict:
    score = (record.get("sleap") or {}).get("mean_instance_score")
    return {"mean_instance_score": score}


def qc_notes(session: Path) -> list[str]:
    return []


def provenance(record: dict, facts: dict) -> dict:
    captured = record.get("provenance") or {}
    return {
        "tracking": {
            "sleap_exit_status": record.get("sleap_exit_status"),
            "verdict": VERDICT,
        },
        "model": captured.get("model"),
    }


def validated_on(session: Path) -> str | None:
    return None


def device_label(recorded: str | None) -> str:
    return recorded or ""


def no_overlay() -> str | None:
    return None  # sleap-io's render_video draws it (labelled_video.py)


def overlay(session: Path, result: Path, output: Path, config: dict) -> None:
    from idtracker_flow.trackers.sleap import labelled_video

    labelled_video.write(session, result, output, config)
