"""idtracker.ai's part of the settings repair: its keys and values, the knowledge-transfer
folder, the background image, arrays it would reject and the recording's image size. The
settings frame (settings/repair.py) reads the file, finds the videos and writes the copy."""

from pathlib import Path

from idtracker_flow.project import paths
from idtracker_flow.project.layout import SESSION, SETTINGS, job_path
from idtracker_flow.trackers.idtrackerai import known_keys
from idtracker_flow.trackers.idtrackerai.checks import check_background_size, check_transfer_model
from idtracker_flow.trackers.idtrackerai.image_size import fix_image_size
from idtracker_flow.trackers.idtrackerai.values import ValueCheck, interval_problem
from idtracker_flow.trackers.protocol import SettingsFrame

BACKGROUND_KEY = "background_subtraction_stat"
BACKGROUND_STATS = {"median", "mean", "max", "min"}


def background_path(settings: dict) -> str | None:
    """The background image path, when background_subtraction_stat names one."""
    value = settings.get(BACKGROUND_KEY)
    if isinstance(value, str) and value and value.lower() not in BACKGROUND_STATS:
        return value
    return None


def floats_if_mixed(value):
    """[50, inf] -> [50.0, inf]: idtracker.ai's TOML reader rejects mixed int/float arrays."""
    if (
        isinstance(value, list)
        and any(isinstance(v, float) for v in value)
        and any(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        return [float(v) for v in value]
    return None


def keys(frame: SettingsFrame) -> None:
    for key in known_keys.unknown_keys(frame.document.keys()):
        describe = known_keys.describe_unknown(key)
        frame.problems.append(f"Job {frame.job_name}: {frame.settings}: {describe}")


def transfer(frame: SettingsFrame) -> None:
    document = frame.document
    folder = document.get("knowledge_transfer_folder")
    if not folder:
        return
    reference = paths.session_reference(str(folder))
    if reference and job_path(SETTINGS, *reference).is_file():
        # Another job of this workflow, tracked first (a DAG edge): it may not exist yet.
        target = job_path(SESSION, *reference).resolve()
    else:
        lookup = paths.locate(str(folder), frame.settings, frame.prefixes, [], want_dir=True)
        target = lookup.found.resolve() if lookup.found else None
        if target is None:
            frame.failure(lookup, "knowledge_transfer_folder", "folder")
        elif missing_model := check_transfer_model(target):
            frame.problems.append(
                f"Job {frame.job_name}: knowledge_transfer_folder '{folder}' in"
                f" {frame.settings}: {missing_model}."
            )
    if target is not None:
        document["knowledge_transfer_folder"] = frame.path_value(target)
        if str(target) != str(folder):
            frame.notes.append(f"knowledge_transfer_folder: '{folder}' -> {target}")


def background(frame: SettingsFrame, found_videos: list[Path]) -> None:
    document = frame.document
    written = background_path(document.unwrap())
    if not written:
        return
    folders = [f"backgrounds/{frame.video}"]
    lookup = paths.locate(written, frame.settings, frame.prefixes, folders)
    if not document.get("use_bkg"):
        # idtracker.ai ignores the image (with a warning) when use_bkg is false.
        frame.notes.append("background_subtraction_stat: not checked, use_bkg is false")
        return
    if lookup.found is None:
        frame.failure(lookup, "background_subtraction_stat", "background image")
        return
    image = lookup.found.resolve()
    if frame.check_videos and found_videos:
        if wrong_size := check_background_size(image, found_videos[0]):
            where = f"Job {frame.job_name}: background_subtraction_stat in {frame.settings}"
            frame.problems.append(f"{where}: {wrong_size}.")
    # idtracker.ai does not resolve this one: it must be absolute.
    document["background_subtraction_stat"] = frame.path_value(image)
    if str(image) != written:
        frame.notes.append(f"background_subtraction_stat: '{written}' -> {image}")


def intervals_fit(frame: SettingsFrame) -> None:
    """The tracking intervals end within the videos (counted by the frame's video check)."""
    total, intervals = frame.total_frames, frame.document.get("tracking_intervals")
    if total is None or not isinstance(intervals, list) or interval_problem(intervals):
        return
    if outside := [pair for pair in intervals if pair[1] > total]:
        frame.problems.append(
            f"Job {frame.job_name}: video_paths in {frame.settings}: tracking_intervals"
            f" {outside} reach past the end of the video ({total} frames, numbered 0 to"
            f" {total - 1}; the end of an interval is excluded).\nWhat to do: correct the"
            " intervals, e.g. in the segmentation app (`pixi run gui`)."
        )


def arrays(frame: SettingsFrame) -> None:
    for key, value in frame.document.unwrap().items():
        if (fixed := floats_if_mixed(value)) is not None:
            frame.document[key] = fixed
            frame.notes.append(
                f"{key}: written as floats {fixed} (idtracker.ai rejects mixed arrays)"
            )


def repair_settings(frame: SettingsFrame) -> None:
    """Everything idtracker.ai would stop on, found before any GPU time."""
    keys(frame)
    values = ValueCheck(frame.document, f"Job {frame.job_name}: {frame.settings}")
    values.run()
    frame.notes += values.notes
    frame.problems += values.problems
    found_videos = frame.videos()
    intervals_fit(frame)
    transfer(frame)
    background(frame, found_videos)
    arrays(frame)
    recordings = frame.options.get("recordings")
    if recordings and (note := fix_image_size(frame.document, frame.video, recordings)):
        frame.notes.append(note)
    if frame.options.get("for_workflow", True) and "output_dir" in frame.document:
        # The workflow decides where sessions go, so that every job's session is found.
        del frame.document["output_dir"]
        frame.notes.append("output_dir: ignored; sessions go to results/sessions/<video>/")
