"""Judge an idtracker.ai session by what it left on disk, never by its exit status.

idtracker.ai exits 1 on success and 0 on a handled failure, so the verdict comes from the
session: a readable trajectories file, a final "Success" in its log and no CRITICAL line.
"""

from pathlib import Path

from idtracker_flow.project.json_files import read_json
from idtracker_flow.trackers.idtrackerai import files, log


def trajectories_problem(path: Path) -> str | None:
    """Why the trajectories file is not usable, or None when it is."""
    import h5py

    if not path.is_file():
        return f"no trajectories file at {path}"
    try:
        with h5py.File(path, "r") as h5:
            shape = h5["trajectories"].shape
            h5["trajectories"][()]  # reads every value: a file cut short fails here
    except (OSError, KeyError, ValueError) as error:
        return f"the trajectories file {path} cannot be read ({error})"
    if len(shape) != 3 or shape[2] != 2:
        return f"the trajectories in {path} have an unexpected shape {shape}"
    return None


def log_path(session: Path, cwd_log: Path) -> Path:
    """The session's copy of idtracker.ai's log; the one in the working directory is all there
    is when idtracker.ai failed before it made the session folder."""
    copy = session / files.LOG
    return copy if copy.is_file() else cwd_log


def session_log(session: Path, cwd_log: Path) -> str:
    path = log_path(session, cwd_log)
    return path.read_text(errors="replace") if path.is_file() else ""


def verdict(session: Path, cwd_log: Path) -> tuple[bool, list[str]]:
    """(success, reasons it failed), from idtracker.ai's log and trajectories file."""
    log_text = session_log(session, cwd_log)
    reasons = log.critical_lines(log_text)
    if problem := trajectories_problem(session / files.TRAJECTORIES):
        reasons.append(problem)
    if not log.ends_in_success(log_text):
        where = log_path(session, cwd_log)
        reasons.append(f"idtracker.ai's log ({where}) does not end in Success")
    return not reasons, reasons


def session_info(session: Path) -> dict:
    """session.json, or {} when it is missing or unreadable."""
    return read_json(Path(session) / files.SESSION_JSON)


def validated_on(session: Path) -> str | None:
    """When the session was validated by hand (idtracker.ai's validator), if ever."""
    return session_info(session).get("last_validated") or None


def estimated_accuracy(session: Path) -> float | None:
    value = session_info(session).get("estimated_accuracy")
    return float(value) if value is not None else None
