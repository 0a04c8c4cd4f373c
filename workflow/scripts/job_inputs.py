"""A job's inputs beyond its settings file, as the DAG sees them: the videos found on this
machine and the job it learns identities from. One definition for the workflow's input
functions (workflow/rules/common.smk) and `pixi run status`, so both see the same edges."""

import functools
import os
from pathlib import Path

import path_repair


def found_videos(written: list[str], settings: str, config: dict) -> list[str]:
    """The videos of `written` (as in the settings file) found here; a missing one is left out
    (the repair rule fails on it with a message, not the whole DAG)."""
    prefixes = tuple(sorted(config["path_prefixes"].items()))
    folders = tuple(config["video_dirs"])
    found = (_locate(path, os.path.dirname(settings), prefixes, folders) for path in written)
    return [path for path in found if path is not None]


@functools.cache  # the parts of one recording share a video folder: look once per process
def _locate(written: str, settings_folder: str, prefixes: tuple, folders: tuple) -> str | None:
    # Only the settings file's folder matters to the look-up (relative paths start there).
    lookup = path_repair.locate(
        written, Path(settings_folder) / "settings.toml", dict(prefixes), list(folders)
    )
    return str(lookup.found) if lookup.found is not None else None


def transfer_source(
    folder: str | None, job: tuple[str, str], jobs: set[tuple[str, str]]
) -> tuple[str, str] | None:
    """The (video, job) whose session `knowledge_transfer_folder` names, when it is another
    job of this project (tracked first); None otherwise."""
    reference = path_repair.session_reference(str(folder)) if folder else None
    if reference in jobs and reference != job:
        return reference
    return None
