"""A job's inputs beyond its settings file, as the DAG sees them: the videos found on this
machine and the job it learns identities from. One definition for the workflow's input
functions (workflow/rules/common.smk) and `pixi run status`, so both see the same edges."""

from pathlib import Path

from idtracker_flow.settings import paths


def found_videos(written: list[str], settings: str, config: dict) -> list[str]:
    """The videos of `written` (as in the settings file) found here; a missing one is left out
    (the repair rule fails on it with a message, not the whole DAG)."""
    found = []
    for path in written:
        lookup = paths.locate(path, Path(settings), config["path_prefixes"], config["video_dirs"])
        if lookup.found is not None:
            found.append(str(lookup.found))
    return found


def transfer_source(
    folder: str | None, job: tuple[str, str], jobs: set[tuple[str, str]]
) -> tuple[str, str] | None:
    """The (video, job) whose session `knowledge_transfer_folder` names, when it is another
    job of this project (tracked first); None otherwise."""
    reference = paths.session_reference(str(folder)) if folder else None
    if reference in jobs and reference != job:
        return reference
    return None
