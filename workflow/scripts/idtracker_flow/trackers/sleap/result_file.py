"""SLEAP's result, read by the workflow's own environment (h5py; sleap-io for a .slp).

The result in tracking/<video>/<job>.h5 is SLEAP's analysis HDF5 (what SLEAP's "Export Analysis
HDF5" writes, here by sleap-io's save_analysis_h5): `tracks` (tracks, x/y, nodes, frames),
`point_scores` (tracks, nodes, frames), `instance_scores` (tracks, frames), `track_names`,
`node_names`, one column per frame of the video. It is read as it is stored (float64), so the
analysis files hold SLEAP's own numbers; movement's from_sleap_file reads the same layout. The
predictions themselves (.slp, beside it) are what SLEAP's GUI opens for proofreading.
"""

from pathlib import Path

import numpy as np

SOURCE_SOFTWARE = "SLEAP"
NEEDED = ("tracks", "node_names")


def problem(path: Path) -> str | None:
    """None when `path` is a readable SLEAP result (analysis HDF5, or the predictions .slp: told
    apart by what they hold, copies have other names), else what is wrong."""
    path = Path(path)
    if not path.is_file():
        return f"{path} is missing"
    try:
        import h5py

        with h5py.File(path, "r") as handle:
            if "tracks" not in handle and "metadata" in handle:
                return None  # SLEAP's labels (.slp, copied beside the analysis file)
            missing = [name for name in NEEDED if name not in handle]
            if missing:
                return f"{path} is not a SLEAP analysis file (it has no {', '.join(missing)})"
            if handle["tracks"].ndim != 4 or handle["tracks"].shape[-1] == 0:
                return f"{path} holds no frame"
    except Exception as error:
        return f"{path} cannot be read as a SLEAP result ({type(error).__name__}: {error})"
    return None


def _names(values) -> list[str]:
    return [v.decode() if isinstance(v, bytes) else str(v) for v in values]


def read_arrays(path: Path) -> dict:
    """The analysis file as arrays in the workflow's order: position (frames, tracks, nodes,
    2), point scores (frames, tracks, nodes), instance scores (frames, tracks), names."""
    import h5py

    with h5py.File(path, "r") as handle:
        tracks = handle["tracks"][:]  # (tracks, 2, nodes, frames)
        nodes = _names(handle["node_names"][:])
        names = _names(handle["track_names"][:]) if "track_names" in handle else []
        scores = handle["point_scores"][:] if "point_scores" in handle else None
        instance = handle["instance_scores"][:] if "instance_scores" in handle else None
    position = np.ascontiguousarray(tracks.transpose(3, 0, 2, 1), dtype=float)
    frames, animals, keypoints, _ = position.shape
    if scores is None:
        confidence = np.full((frames, animals, keypoints), np.nan)
    else:
        confidence = np.ascontiguousarray(scores.transpose(2, 0, 1), dtype=float)
    confidence[np.isnan(position[..., 0])] = np.nan
    instance_scores = (
        np.ascontiguousarray(instance.T, dtype=float) if instance is not None else None
    )
    if len(names) != animals:
        names = [f"track_{index}" for index in range(animals)]  # untracked: SLEAP's columns
    return {"position": position, "confidence": confidence, "instance_scores": instance_scores,
            "tracks": names, "nodes": nodes}  # fmt: skip


def read_poses(path: Path, summary: dict):
    """The result as the workflow's common form: row i is frame i of the video, SLEAP's
    tracks and nodes as it names them, the point scores as the confidence."""
    from idtracker_flow.trackers.poses import Poses

    found = read_arrays(path)
    position, confidence = found["position"], found["confidence"]
    frames = summary.get("video_frames")
    if frames and frames > len(position):  # pad to the whole video (never cut)
        extra = frames - len(position)
        position = np.concatenate([position, np.full((extra, *position.shape[1:]), np.nan)])
        confidence = np.concatenate([confidence, np.full((extra, *confidence.shape[1:]), np.nan)])
    fps = summary.get("fps")
    instance = found["instance_scores"]
    attrs = {}
    if instance is not None and np.isfinite(instance).any():
        attrs["mean_instance_score"] = round(float(np.nanmean(instance)), 4)
    return Poses(
        position=position,
        confidence=confidence,
        labels=found["tracks"],
        individuals=found["tracks"],
        keypoints=found["nodes"],
        fps=float(fps) if fps and fps > 0 else None,
        source_software=SOURCE_SOFTWARE,
        source_version=summary.get("sleap_nn_version"),
        confidence_name="point_score",
        keypoint_confidence=True,
        width=summary.get("width"),
        height=summary.get("height"),
        attrs=attrs,
    )
