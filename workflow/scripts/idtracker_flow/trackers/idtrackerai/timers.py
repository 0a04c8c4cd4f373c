"""How long each of idtracker.ai's stages took, from the timers in its session.json."""

from datetime import datetime

# QC columns: idtracker.ai's timer -> column. "Tracking" holds the contrastive step, the
# accumulation and the identification: identification_s is what is left of it besides the
# contrastive step.
COLUMNS = {
    "segmentation_s": "Animal detection",
    "crossing_detection_s": "Crossing detection",
    "contrastive_s": "Contrastive step",
    "identification_s": "Tracking",
    "trajectories_s": "Trajectories creation",
}


def stage_seconds(session_info: dict) -> dict[str, float]:
    """Timer name -> seconds, for every timer idtracker.ai finished, in its order."""
    seconds = {}
    for name, timer in (session_info.get("timers") or {}).items():
        try:
            start = datetime.fromisoformat(timer["start_time"])
            finish = datetime.fromisoformat(timer["finish_time"])
        except (KeyError, TypeError, ValueError):
            continue  # a timer that never finished (a crash) has no duration
        seconds[str(name)] = round((finish - start).total_seconds(), 1)
    return seconds


def stage_columns(seconds: dict[str, float]) -> dict[str, float | None]:
    columns = {column: seconds.get(timer) for column, timer in COLUMNS.items()}
    if columns["identification_s"] is not None and columns["contrastive_s"] is not None:
        columns["identification_s"] = round(
            columns["identification_s"] - columns["contrastive_s"], 1
        )
    return columns
