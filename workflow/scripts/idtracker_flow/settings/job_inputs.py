"""A job's inputs beyond its settings file, as the DAG sees them: the videos found on this
machine and what its tracker asks for (the job it learns identities from, a trained model).
One definition for the workflow's input functions (workflow/rules/common.smk) and
`pixi run status`, so both see the same edges."""

from pathlib import Path

from idtracker_flow import trackers
from idtracker_flow.project import paths
from idtracker_flow.trackers.protocol import TrackInputs

__all__ = ["TrackInputs", "found_videos", "track_inputs"]


def found_videos(written: list[str], settings: str, config: dict) -> list[str]:
    """The videos of `written` (as in the settings file) found here; a missing one is left out
    (the repair rule fails on it with a message, not the whole DAG)."""
    found = []
    for path in written:
        lookup = paths.locate(path, Path(settings), config["path_prefixes"], config["video_dirs"])
        if lookup.found is not None:
            found.append(str(lookup.found))
    return found


def track_inputs(
    digest: dict | None, job: tuple[str, str], settings: str, config: dict, jobs: set, cache: dict
) -> TrackInputs:
    """What the job's tracker needs before it runs (the settings digest's `inputs`). `cache`:
    lookups shared by the jobs of one DAG or status view (many jobs share one model)."""
    if not digest or digest.get("tracker") is None:
        return TrackInputs()  # unreadable or unknown tracker: the repair rule says why
    tracker = trackers.by_name(digest["tracker"])
    return tracker.track_inputs(digest["inputs"], job, settings, config, jobs, cache)
