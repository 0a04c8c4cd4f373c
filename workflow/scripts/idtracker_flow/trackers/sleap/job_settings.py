"""A SLEAP job's settings file: settings/<video>/<job>.toml with `tracker = "sleap"`.

The same folder, names (`<video>/<job>`) and path repair as every other job. The options
are named as `sleap-nn predict` names them, so a lab's command line carries over. Example:

    tracker = "sleap"
    model_paths = ["D:/sleap/mice/models/250101_120000.bottomup"]  # or a top-down pair:
    #   ["D:/sleap/mice/models/...centroid", "D:/sleap/mice/models/...centered_instance"]
    video_paths = ["D:/videos/mice1.mp4"]   # one video per job
    max_instances = 2             # optional: at most this many animals per frame
    batch_size = 4                # optional: frames per batch on the GPU (default 4)
    peak_threshold = 0.2          # optional: the weakest keypoint kept (0..1, default 0.2)
    tracking = true               # optional: link animals from frame to frame (default true)
    tracking_window_size = 5      # optional: frames the tracker looks back (default 5)
    candidates_method = "fixed_window"  # optional: or "local_queues"
    max_tracks = 2                # optional: no more tracks than this (local_queues)
    tracking_clean_instance_count = 2  # optional: keep the best N animals per frame
"""

from idtracker_flow.trackers import job_keys

TRACKER_KEY = "tracker"

# key -> what it holds (the messages list them)
KEYS = {
    TRACKER_KEY: "the tracker: sleap",
    "model_paths": "the trained model folder(s): bottom-up, or centroid + centered-instance",
    "video_paths": "the video to track (one per job)",
    "max_instances": "at most this many animals per frame",
    "batch_size": "frames per batch on the GPU",
    "peak_threshold": "the weakest keypoint kept, 0..1",
    "tracking": "true: link animals from frame to frame (tracks); false: poses only",
    "tracking_window_size": "frames the tracker looks back",
    "candidates_method": "fixed_window or local_queues",
    "max_tracks": "no more tracks than this (with local_queues)",
    "tracking_clean_instance_count": "keep the best N animals per frame after tracking",
    "features": "what the tracker matches: keypoints, centroids or bboxes",
    "scoring_method": "how the tracker scores a match: oks, euclidean_dist or iou",
    "track_matching_method": "hungarian or greedy",
}
# sleap-nn predict's options a job may set, and what a value must be.
WHOLE = ("max_instances", "batch_size", "tracking_window_size", "max_tracks",
         "tracking_clean_instance_count")  # fmt: skip
CHOICES = {
    "candidates_method": ("fixed_window", "local_queues"),
    "features": ("keypoints", "centroids", "bboxes"),
    "scoring_method": ("oks", "euclidean_dist", "iou"),
    "track_matching_method": ("hungarian", "greedy"),
}
OPTIONS = (*WHOLE, "peak_threshold", *CHOICES)  # passed as --<key> <value>
TRACKING_ONLY = ("tracking_window_size", "candidates_method", "max_tracks",
                 "tracking_clean_instance_count", "features", "scoring_method",
                 "track_matching_method")  # fmt: skip


def problems(settings: dict) -> list[str]:
    """What is wrong with the job's own keys (paths are checked by the repair)."""
    found = job_keys.unknown(settings, KEYS, "SLEAP")
    written = settings.get("model_paths")
    if not written:
        found.append(
            "it has no `model_paths`.\nWhat to do: add the trained model's folder, e.g."
            ' model_paths = ["D:/sleap/mice/models/250101_120000.bottomup"] (a top-down model:'
            " its centroid and its centered-instance folder)."
        )
    elif not isinstance(written, list) or not all(isinstance(p, str) for p in written):
        found.append(
            f"model_paths = {written!r} must be a list of folders, e.g."
            ' model_paths = ["D:/sleap/mice/models/250101_120000.bottomup"].'
        )
    for key in WHOLE:
        if key in settings and not job_keys.whole_number(settings[key], 1):
            found.append(f"{key} = {settings[key]!r} must be a whole number ≥ 1.")
    threshold = settings.get("peak_threshold")
    if threshold is not None and not (
        isinstance(threshold, int | float) and not isinstance(threshold, bool)
        and 0 <= threshold <= 1
    ):  # fmt: skip
        found.append(f"peak_threshold = {threshold!r} must be a number from 0 to 1.")
    for key, allowed in CHOICES.items():
        if key in settings and settings[key] not in allowed:
            found.append(f"{key} = {settings[key]!r} must be one of {', '.join(allowed)}.")
    if "tracking" in settings and not isinstance(settings["tracking"], bool):
        found.append(f"tracking = {settings['tracking']!r} must be true or false.")
    if settings.get("tracking") is False:
        found += [f"{key} is a tracking option, and tracking = false." for key in TRACKING_ONLY
                  if key in settings]  # fmt: skip
    return job_keys.with_advice(found, "SLEAP models")


def options(settings: dict) -> dict:
    """The sleap-nn predict options the job sets (absent: sleap-nn's own default), and
    whether it tracks."""
    chosen = {key: settings[key] for key in OPTIONS if key in settings}
    return {"tracking": settings.get("tracking", True), **chosen}
