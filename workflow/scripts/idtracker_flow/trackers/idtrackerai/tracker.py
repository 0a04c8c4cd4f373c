"""idtracker.ai as the workflow sees it (trackers/protocol.py): the default tracker of a
settings file, a session folder judged by its outputs, trajectories.h5 as the result, its
validator, its stages, its overlay video, and the matching of recordings (idmatcher.ai)."""

from pathlib import Path

from idtracker_flow.project import paths
from idtracker_flow.trackers.idtrackerai import arena as _arena
from idtracker_flow.trackers.idtrackerai import files, settings_repair
from idtracker_flow.trackers.idtrackerai import quality as _quality
from idtracker_flow.trackers.idtrackerai import run as _run
from idtracker_flow.trackers.protocol import TrackInputs

NAME = "idtrackerai"
ALIASES = ("idtracker.ai", "idtracker")
DISPLAY_NAME = "idtracker.ai"
PROCESS_MARKER = b"idtrackerai"  # its command and its workers' command lines
RESULT_IN_SESSION = files.TRAJECTORIES
# The validator rewrites both after tracking: the copy follows trajectories.h5, the QC
# session.json (last_validated).
EDITED_IN_SESSION = {"copy_trajectories": files.TRAJECTORIES, "qc_job": files.SESSION_JSON}
RESULTS_BESIDE: dict[str, str] = {}
QC_COLUMNS = _quality.COLUMNS
QC_NUMERIC_COLUMNS = _quality.NUMERIC_COLUMNS
CAPABILITIES = frozenset({"recordings"})  # identities matched across parts (idmatcher.ai)
VERDICT = (
    "success: judged by its outputs (trajectories readable, log ends in Success, no CRITICAL"
    " line); idtracker.ai's exit status says nothing (1 on success, 0 on a handled failure)"
)

# -- settings ---------------------------------------------------------------------------------

repair_settings = settings_repair.repair_settings
arena = _arena.arena  # roi_list: the regions drawn in the segmentation app


def with_identities(settings: dict) -> bool:
    """Tracked with identities: more than one animal and not track_wo_identities."""
    try:
        animals = int(settings.get("number_of_animals") or 0)
    except (TypeError, ValueError):
        return False
    return animals > 1 and not settings.get("track_wo_identities")


def digest(settings: dict) -> dict:
    """The knowledge-transfer folder as written: another job's session is tracked first."""
    folder = settings.get("knowledge_transfer_folder")
    return {"transfer": str(folder) if folder else None}


def track_inputs(digest: dict, job, settings_path: str, config: dict, jobs, cache) -> TrackInputs:
    """The job whose session this one learns identities from, when it is a job of this
    project (knowledge transfer): that job is tracked first."""
    folder = digest.get("transfer")
    reference = paths.session_reference(str(folder)) if folder else None
    if reference in jobs and reference != tuple(job):
        return TrackInputs(after_jobs=[reference])
    return TrackInputs()


# -- running ----------------------------------------------------------------------------------

check = _run.check
command = _run.command
judge = _run.judge


def provenance_at_tracking(record: dict, settings_path: Path) -> dict:
    return {}


def failure_line(log_text: str) -> str | None:
    from idtracker_flow.trackers.idtrackerai import log

    return log.first_critical(log_text)


def stage_reader():
    from idtracker_flow.trackers.idtrackerai.stages import StageReader

    return StageReader()


# -- the result -------------------------------------------------------------------------------


def result_problem(path: Path) -> str | None:
    from idtracker_flow.trackers.idtrackerai.session import trajectories_problem

    return trajectories_problem(Path(path))


def read_poses(result: Path, record: dict):
    from idtracker_flow.trackers.idtrackerai import trajectories_file

    return trajectories_file.to_poses(trajectories_file.read(result))


def session_facts(session: Path, record: dict) -> dict:
    """session.json: tracking_intervals and last_validated (which every tracker's facts may
    hold), and idtracker.ai's own figures."""
    from idtracker_flow.trackers.idtrackerai.session import session_info

    return session_info(Path(session))


qc_columns = _quality.qc_columns


def qc_notes(session: Path) -> list[str]:
    session_json = Path(session) / files.SESSION_JSON
    if session_json.is_file():
        return []
    return [
        f"Note: {session_json} is missing; the tracked interval is taken as the whole"
        " video and the job is reported as not validated."
    ]


def provenance(record: dict, facts: dict) -> dict:
    from idtracker_flow.trackers.idtrackerai import timers

    return {
        "tracking": {
            "idtrackerai_exit_status": record.get("idtrackerai_exit_status"),
            "verdict": VERDICT,
            "stage_seconds": timers.stage_seconds(facts),
        }
    }


def validated_on(session: Path) -> str | None:
    from idtracker_flow.trackers.idtrackerai.session import validated_on as when

    return when(Path(session))


def device_label(recorded: str | None) -> str:
    """The record's device ('cuda (NVIDIA H200)', 'cpu'), also from records that hold
    idtracker.ai's log line itself (written by earlier versions)."""
    from idtracker_flow.trackers.idtrackerai import log

    return log.device_label(recorded)


def no_overlay() -> str | None:
    return None


def overlay(session: Path, result: Path, output: Path, config: dict) -> None:
    from idtracker_flow.trackers.idtrackerai.overlay import write_overlay

    write_overlay(session, result, output)
