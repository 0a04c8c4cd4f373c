"""How long this project's finished tracking jobs took, from their tracking records."""

import json
from pathlib import Path

from idtracker_flow.project import layout


def finished_durations(root: Path = Path("."), before: float | None = None) -> list[float]:
    """The "seconds" of every tracking record (results/sessions/<video>/<job>.tracked.json),
    of the records written before `before` (a run counts its own jobs as they end)."""
    sessions = root / layout.SESSIONS_DIR.format(video="")
    durations = []
    for record in sessions.glob("*/*.tracked.json"):
        try:
            if before is not None and record.stat().st_mtime >= before:
                continue
            seconds = json.loads(record.read_text(encoding="utf-8")).get("seconds")
        except (OSError, ValueError, AttributeError):
            continue
        if isinstance(seconds, (int, float)) and seconds > 0:
            durations.append(float(seconds))
    return durations
