"""A DeepLabCut job's settings file: settings/<video>/<job>.toml with `tracker = "deeplabcut"`.

The same folder, the same names (`<video>/<job>`) and the same path repair as idtracker.ai
jobs, so status, skip, the report and the cluster profile treat both alike. Example:

    tracker = "deeplabcut"
    project = "D:/dlc/fish-lab-2026-11-30/config.yaml"   # the trained project (or its folder)
    video_paths = ["D:/videos/fish1-00.mp4"]             # one video per job
    shuffle = 1                # optional (default 1)
    snapshot_index = -1        # optional: as DeepLabCut's snapshotindex (-1: the best, or last)
    n_tracks = 2               # optional (default: the project's individuals)
    track_method = "box"       # optional: box or ellipse (default: the project's)
    batch_size = 8             # optional (default: the project's)
    filterpredictions = "median"  # optional: DeepLabCut's filter, median or arima (default: none)
    filter_windowlength = 5    # optional: the median filter's window in frames (odd, default 5)
"""

from idtracker_flow.trackers import job_keys

TRACKER_KEY = "tracker"
DEEPLABCUT = "deeplabcut"

# key -> (what it holds, check of a written value or None)
KEYS = {
    TRACKER_KEY: "the tracker: deeplabcut",
    "project": "the DeepLabCut project's config.yaml (or the project folder)",
    "video_paths": "the video to analyse (one per job)",
    "shuffle": "the shuffle of the trained network (a whole number, default 1)",
    "trainingsetindex": "which TrainingFraction of config.yaml (default 0)",
    "snapshot_index": "the snapshot (as DeepLabCut's snapshotindex: -1 the best or last)",
    "n_tracks": "the number of animals to track (default: the project's individuals)",
    "track_method": "box or ellipse (default: the project's default_track_method)",
    "batch_size": "frames per batch on the GPU (default: the project's)",
    "filterpredictions": "DeepLabCut's filter of the tracks: median or arima (default: none)",
    "filter_windowlength": "the median filter's window in frames (odd, default 5)",
}
FILTERS = ("median", "arima")
# DeepLabCut 3.0.2's skeleton tracker crashes (could not broadcast (6,1) into (3,1)), so it is
# refused before any GPU time; the box tracker is the one that held animals in our tests.
TRACK_METHODS = ("box", "ellipse")


def problems(settings: dict) -> list[str]:
    """What is wrong with the job's own keys (paths are checked by the repair)."""
    found = job_keys.unknown(settings, KEYS, "DeepLabCut")
    if not settings.get("project"):
        found.append(
            "it has no `project`.\nWhat to do: add the path of the trained DeepLabCut project's"
            ' config.yaml, e.g. project = "D:/dlc/myproject-me-2026-11-30/config.yaml".'
        )
    for key, at_least in (("shuffle", 0), ("trainingsetindex", 0), ("n_tracks", 1)):
        if key in settings and not job_keys.whole_number(settings[key], at_least):
            found.append(f"{key} = {settings[key]!r} must be a whole number ≥ {at_least}.")
    if "batch_size" in settings and not job_keys.whole_number(settings["batch_size"], 1):
        found.append(f"batch_size = {settings['batch_size']!r} must be a whole number ≥ 1.")
    index = settings.get("snapshot_index")
    if index is not None and not (job_keys.whole_number(index, -(10**6)) or index == "best"):
        found.append(f'snapshot_index = {index!r} must be a whole number (-1: the last) or "best".')
    method = settings.get("track_method")
    if method == "skeleton":
        found.append(
            "track_method = 'skeleton' crashes in DeepLabCut 3.0.2.\nWhat to do: use \"box\"."
        )
    elif method is not None and method not in TRACK_METHODS:
        found.append(f"track_method = {method!r} must be one of {', '.join(TRACK_METHODS)}.")
    found += _filter_problems(settings)
    return job_keys.with_advice(found, "DeepLabCut projects")


def _filter_problems(settings: dict) -> list[str]:
    found = []
    kind = settings.get("filterpredictions")
    if kind is not None and kind not in FILTERS:
        found.append(f"filterpredictions = {kind!r} must be one of {', '.join(FILTERS)}.")
    window = settings.get("filter_windowlength")
    if window is not None and not (job_keys.whole_number(window, 3) and window % 2 == 1):
        found.append(f"filter_windowlength = {window!r} must be an odd whole number ≥ 3.")
    if window is not None and kind != "median":
        found.append('filter_windowlength is for filterpredictions = "median" only.')
    return found


def options(settings: dict) -> dict:
    """The job's options with their defaults (None: DeepLabCut's own default)."""
    return {
        "shuffle": settings.get("shuffle", 1),
        "trainingsetindex": settings.get("trainingsetindex", 0),
        "snapshot_index": settings.get("snapshot_index"),
        "n_tracks": settings.get("n_tracks"),
        "track_method": settings.get("track_method"),
        "batch_size": settings.get("batch_size"),
        "filterpredictions": settings.get("filterpredictions"),
        "filter_windowlength": settings.get("filter_windowlength"),
    }
