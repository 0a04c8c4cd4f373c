"""DeepLabCut as the workflow sees it (trackers/protocol.py): settings with
tracker = "deeplabcut", its trained snapshot as a DAG input, its stitched tracks as the result."""

from pathlib import Path

from idtracker_flow.project import paths
from idtracker_flow.trackers.deeplabcut import job_settings, model, settings_repair
from idtracker_flow.trackers.deeplabcut import run as _run
from idtracker_flow.trackers.protocol import TrackInputs

NAME = "deeplabcut"
ALIASES = ("dlc",)
DISPLAY_NAME = "DeepLabCut"
# Its runner script is in every command line of its processes, wherever the checkout is.
PROCESS_MARKER = _run.RUNNER.name.encode()
RESULT_IN_SESSION = _run.TRACKS
EDITED_IN_SESSION: dict[str, str] = {}
# filterpredictions' tracks (a job setting), beside the raw ones in tracking/.
RESULTS_BESIDE = {_run.FILTERED: ".filtered.h5"}
QC_COLUMNS: tuple[str, ...] = ()  # the pose columns are every pose tracker's (qc/pose_quality.py)
QC_NUMERIC_COLUMNS: tuple[str, ...] = ()
CAPABILITIES = frozenset()
VERDICT = (
    "success: DeepLabCut's analyze_videos (auto_track) exited 0 and its stitched tracks are"
    " readable and not empty"
)

# -- settings ---------------------------------------------------------------------------------

repair_settings = settings_repair.repair_settings


def digest(settings: dict) -> dict:
    """The project (as written) and which snapshot: what the DAG needs to find the model."""
    return {"project": str(settings.get("project") or ""), **job_settings.options(settings)}


def with_identities(settings: dict) -> bool:
    return False  # identities across videos are idtracker.ai's (recordings)


def arena(settings: dict) -> None:
    """A DeepLabCut job draws no arena: the behaviour step takes it from config."""
    return None


def track_inputs(digest: dict, job, settings_path: str, config: dict, jobs, cache) -> TrackInputs:
    """The trained snapshot (and a top-down model's detector) and the shuffle's
    inference_cfg.yaml: retraining or editing the tracker's knobs analyses the job again;
    nothing else about the project does. `cache`: one lookup per project and snapshot choice
    per DAG."""
    if not digest.get("project"):
        return TrackInputs()
    key = (NAME, digest["project"], settings_path, digest["shuffle"], digest["snapshot_index"],
           digest["trainingsetindex"])  # fmt: skip
    if key not in cache:
        cache[key] = _model_files(digest, Path(settings_path), config["path_prefixes"], cache)
    return TrackInputs(files=list(cache[key]), why=cache[key])


# How status words each of the model's files when it is newer than the job's tracks.
RETRAINED = "DeepLabCut model retrained"
DETECTOR_RETRAINED = "DeepLabCut detector retrained"
KNOBS_EDITED = "DeepLabCut tracker settings edited (inference_cfg.yaml)"


def _model_files(digest: dict, settings: Path, prefixes: dict, cache: dict) -> dict[str, str]:
    """{file: what a newer one means}; {} when the project or its snapshot cannot be found
    (the repair fails on it with a message, not the whole DAG). Found once per project and
    snapshot choice, however many jobs (settings files) use them."""
    lookup = paths.locate(digest["project"], settings, prefixes, [])
    if lookup.found is None:
        lookup = paths.locate(digest["project"], settings, prefixes, [], want_dir=True)
    if lookup.found is None:
        return {}
    config_yaml = model.project_config_path(lookup.found)
    shuffle, index, trainset = (
        digest[k] for k in ("shuffle", "snapshot_index", "trainingsetindex")
    )
    key = (NAME, "model", str(config_yaml), shuffle, index, trainset)
    if key not in cache:
        cache[key] = _files_of(config_yaml, shuffle, index, trainset)
    return cache[key]


def _files_of(config_yaml: Path, shuffle: int, index, trainset: int) -> dict[str, str]:
    try:
        snapshot = model.snapshot(config_yaml, shuffle, index, trainset)
        files = {str(snapshot): RETRAINED}
        if detector := model.detector_snapshot(config_yaml, shuffle, trainset):
            files[str(detector)] = DETECTOR_RETRAINED
        # DeepLabCut writes a default one when there is none: only an existing one is an input.
        if (knobs := model.inference_config(config_yaml, shuffle, trainset)).is_file():
            files[str(knobs)] = KNOBS_EDITED
    except model.ModelMissing:
        return {}
    return files


# -- running ----------------------------------------------------------------------------------

check = _run.check
command = _run.command
judge = _run.judge


def provenance_at_tracking(record: dict, settings_path: Path) -> dict:
    from idtracker_flow.trackers.deeplabcut import provenance

    return {"model": provenance.capture(record.get("deeplabcut") or {}, settings_path)}


def failure_line(log_text: str) -> str | None:
    return None  # the workflow's own message says it (run.judge)


def stage_reader():
    from idtracker_flow.trackers.deeplabcut.stages import StageReader

    return StageReader()


# -- the result -------------------------------------------------------------------------------


def result_problem(path: Path) -> str | None:
    from idtracker_flow.trackers.deeplabcut import tracks_file

    return tracks_file.problem(path)


def read_poses(result: Path, record: dict):
    from idtracker_flow.trackers.deeplabcut import tracks_file

    return tracks_file.read_poses(result, record.get("deeplabcut") or {})


def session_facts(session: Path, record: dict) -> dict:
    return {}  # DeepLabCut tracks the whole video and has no validation step


def qc_columns(trajectories, facts: dict, record: dict) -> dict:
    return {}


def qc_notes(session: Path) -> list[str]:
    return []


def provenance(record: dict, facts: dict) -> dict:
    captured = record.get("provenance") or {}
    return {
        "tracking": {
            "deeplabcut_exit_status": record.get("deeplabcut_exit_status"),
            "verdict": VERDICT,
        },
        "model": captured.get("model"),
    }


def validated_on(session: Path) -> str | None:
    return None


def device_label(recorded: str | None) -> str:
    return recorded or ""


def no_overlay() -> str | None:
    return None  # DeepLabCut's own create_labeled_video draws it (labelled_video.py)


def overlay(session: Path, result: Path, output: Path, config: dict) -> None:
    from idtracker_flow.trackers.deeplabcut import labelled_video

    labelled_video.write(session, result, output, config)
