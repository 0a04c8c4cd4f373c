"""A DeepLabCut job's part of the settings repair: its own keys, one video, a project with a
trained network (the frame, settings/repair.py, finds the video and checks it)."""

from idtracker_flow.project import paths
from idtracker_flow.trackers.deeplabcut import job_settings, model
from idtracker_flow.trackers.protocol import SettingsFrame


def repair_settings(frame: SettingsFrame) -> None:
    where = f"Job {frame.job_name}: {frame.settings}"
    values = frame.document.unwrap()
    frame.problems += [f"{where}: {p}" for p in job_settings.problems(values)]
    if not values.get("video_paths"):
        frame.problems.append(
            f"{where} has no video_paths.\nWhat to do: add the video to analyse, e.g."
            ' video_paths = ["D:/videos/arena1.mp4"].'
        )
    elif len(found_videos := frame.videos()) > 1:
        frame.problems.append(
            f"{where}: a DeepLabCut job analyses one video; this one lists"
            f" {len(found_videos)}.\nWhat to do: make one settings file per video."
        )
    written = values.get("project")
    if not written:
        return
    lookup = paths.locate(str(written), frame.settings, frame.prefixes, [])
    if lookup.found is None:
        lookup = paths.locate(str(written), frame.settings, frame.prefixes, [], want_dir=True)
    if lookup.found is None:
        frame.failure(lookup, "project", "DeepLabCut project", video_dirs=False)
        return
    config_yaml = model.project_config_path(lookup.found.resolve())
    options = job_settings.options(values)
    try:
        model.snapshot(
            config_yaml, options["shuffle"], options["snapshot_index"], options["trainingsetindex"]
        )
    except model.ModelMissing as error:
        frame.problems.append(f"{where}: project '{written}': {error}")
    if problem := too_many_tracks(options["n_tracks"], config_yaml):
        frame.problems.append(f"{where}: {problem}")
    frame.document["project"] = frame.path_value(config_yaml)
    if str(config_yaml) != str(written):
        frame.notes.append(f"project: '{written}' -> {config_yaml}")


def too_many_tracks(n_tracks: int | None, config_yaml) -> str | None:
    """More tracks than the project's individuals: DeepLabCut analyses the whole video, then
    leaves the extra tracks empty (or nearly), so it is refused before any GPU time."""
    try:
        individuals = model.read_project(str(config_yaml)).get("individuals") or []
    except model.ModelMissing:
        return None  # said already, by the snapshot's check
    if not isinstance(n_tracks, int) or not individuals or n_tracks <= len(individuals):
        return None
    return (
        f"n_tracks = {n_tracks}, but the DeepLabCut project {config_yaml} has"
        f" {len(individuals)} individuals ({', '.join(map(str, individuals))}): DeepLabCut"
        " cannot make more tracks than that (the extra ones stay empty).\nWhat to do: set"
        f" n_tracks to at most {len(individuals)} in the job's settings file (or delete the"
        " line for all of them); for more animals, add individuals to the project's"
        " config.yaml, label and train again."
    )
