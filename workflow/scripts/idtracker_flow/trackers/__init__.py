"""The trackers this workflow runs, and which one a settings file or a record means.

Adding a tracker: a folder `trackers/<name>/` whose `tracker.py` follows
`trackers/protocol.py`, and one line in `_MODULES` below (DEVELOPERS.md: Adding a tracker).
A settings file without `tracker = "..."`, and a record without a tracker key (written
before there were several), mean the first one.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import import_module
from pathlib import Path

from idtracker_flow.trackers.protocol import UnknownTracker

TRACKER_KEY = "tracker"  # in a settings file and in a tracking record
# The registry: one line per tracker; the first is the default.
_MODULES = (
    "idtracker_flow.trackers.idtrackerai.tracker",
    "idtracker_flow.trackers.deeplabcut.tracker",
    "idtracker_flow.trackers.sleap.tracker",
)


@cache
def registered() -> tuple:
    """Every tracker module, the default first (imports are cheap: heavy ones wait inside)."""
    return tuple(import_module(name) for name in _MODULES)


def default():
    return registered()[0]


def names() -> list[str]:
    return [tracker.NAME for tracker in registered()]


def by_name(name: str | None):
    """The tracker called `name` (a spelling users write, any case); None: the default."""
    if name is None:
        return default()
    wanted = str(name).strip().lower()
    for tracker in registered():
        if wanted == tracker.NAME or wanted in tracker.ALIASES:
            return tracker
    known = ", ".join(f'"{n}"' for n in names())
    raise UnknownTracker(
        f"tracker = {name!r} is not a tracker this workflow runs (it runs {known}).\n"
        f'What to do: write one of those, e.g. tracker = "{names()[-1]}", or delete the line'
        f" for {default().DISPLAY_NAME}."
    )


def for_settings(settings: dict):
    """The tracker a settings file asks for (raises UnknownTracker)."""
    return by_name(settings.get(TRACKER_KEY))


def for_settings_file(path: Path | str):
    """The tracker of a settings file on disk; the default when it cannot be read."""
    try:
        with open(path, "rb") as handle:
            settings = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError):
        return default()
    try:
        return for_settings(settings)
    except UnknownTracker:
        return default()


def for_record(record: dict):
    """The tracker that made a tracking record (results/sessions/<video>/<job>.tracked.json)."""
    try:
        return by_name(record.get(TRACKER_KEY))
    except UnknownTracker:
        return default()


def qc_columns() -> list[str]:
    """Every tracker's own QC columns, in registry order, each once."""
    columns: dict[str, None] = {}
    for tracker in registered():
        columns.update(dict.fromkeys(tracker.QC_COLUMNS))
    return list(columns)


def qc_numeric_columns() -> list[str]:
    columns: dict[str, None] = {}
    for tracker in registered():
        columns.update(dict.fromkeys(tracker.QC_NUMERIC_COLUMNS))
    return list(columns)


def edited_in_session(step: str) -> list[str]:
    """Session files (relative) that users rewrite after tracking and that `step` watches."""
    return [t.EDITED_IN_SESSION[step] for t in registered() if step in t.EDITED_IN_SESSION]


def code_files() -> list[str]:
    """The source files of every tracker: caches of what they compute are keyed on them."""
    files = []
    for tracker in registered():
        folder = Path(tracker.__file__).parent
        files += sorted(str(path) for path in folder.glob("*.py"))
    return files
