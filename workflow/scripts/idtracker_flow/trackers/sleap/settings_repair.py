"""A SLEAP job's part of the settings repair: its own keys, one video, trained model folders
(the frame, settings/repair.py, finds the video and checks that it decodes)."""

from idtracker_flow.project import paths
from idtracker_flow.trackers.protocol import SettingsFrame
from idtracker_flow.trackers.sleap import job_settings, model


def repair_settings(frame: SettingsFrame) -> None:
    where = f"Job {frame.job_name}: {frame.settings}"
    values = frame.document.unwrap()
    frame.problems += [f"{where}: {p}" for p in job_settings.problems(values)]
    if not values.get("video_paths"):
        frame.problems.append(
            f"{where} has no video_paths.\nWhat to do: add the video to track, e.g."
            ' video_paths = ["D:/videos/arena1.mp4"].'
        )
    elif len(found_videos := frame.videos()) > 1:
        frame.problems.append(
            f"{where}: a SLEAP job tracks one video; this one lists {len(found_videos)}."
            "\nWhat to do: make one settings file per video."
        )
    written = values.get("model_paths")
    if not isinstance(written, list) or not written:
        return  # said by job_settings.problems
    found = []
    for folder in written:
        lookup = paths.locate(str(folder), frame.settings, frame.prefixes, [], want_dir=True)
        if lookup.found is None:
            frame.failure(lookup, "model_paths", "SLEAP model folder", video_dirs=False)
            continue
        found.append(lookup.found.resolve())
        if str(found[-1]) != str(folder):
            frame.notes.append(f"model_paths: '{folder}' -> {found[-1]}")
    if len(found) != len(written):
        return
    try:
        model.models(found)
    except model.ModelMissing as error:
        frame.problems.append(f"{where}: {error}")
    frame.document["model_paths"] = [frame.path_value(path) for path in found]
