"""A job's inputs beyond its settings file, as the DAG sees them: the videos found on this
machine, the job it learns identities from and a DeepLabCut job's trained snapshot. One
definition for the workflow's input functions (workflow/rules/common.smk) and
`pixi run status`, so both see the same edges."""

from pathlib import Path

from idtracker_flow.deeplabcut import model as deeplabcut_model
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


def deeplabcut_snapshot(
    model: dict | None, settings: str, config: dict, cache: dict | None = None
) -> list[str]:
    """A DeepLabCut job's snapshot file (the digest's "deeplabcut" entry), as a list: retraining
    makes a new one and the job runs again. Empty when there is none (the repair rule fails
    on it with a message, not the whole DAG). `cache`: one lookup per project and snapshot
    choice for the life of one DAG or status view (many jobs share one trained network)."""
    if not model or not model.get("project"):
        return []
    key = (model["project"], settings, model["shuffle"], model["snapshot_index"],
           model["trainingsetindex"])  # fmt: skip
    cache = {} if cache is None else cache
    if key not in cache:
        cache[key] = _find_snapshot(model, Path(settings), config["path_prefixes"])
    return cache[key]


def _find_snapshot(model: dict, settings: Path, prefixes: dict) -> list[str]:
    lookup = paths.locate(model["project"], settings, prefixes, [])
    if lookup.found is None:
        lookup = paths.locate(model["project"], settings, prefixes, [], want_dir=True)
    if lookup.found is None:
        return []
    config_yaml = deeplabcut_model.project_config_path(lookup.found)
    try:
        snapshot = deeplabcut_model.snapshot(
            config_yaml, model["shuffle"], model["snapshot_index"], model["trainingsetindex"]
        )
    except deeplabcut_model.ModelMissing:
        return []
    return [str(snapshot)]
