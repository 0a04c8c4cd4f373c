"""What a DeepLabCut job's provenance record says about the model: the exact snapshot file
(digest), a top-down model's detector, the project's config.yaml, the inference_cfg.yaml the
tracker read (digest and values: the box or ellipse tracker's knobs) and the software of the
DeepLabCut environment."""

import tomllib
from pathlib import Path

from idtracker_flow.project import fingerprint

# Reported by trackers/deeplabcut/analyze.py in <session>/deeplabcut.json.
SOFTWARE = ("deeplabcut_version", "torch_version", "python")
RUN = ("scorer", "track_method", "n_tracks", "individuals", "bodyparts", "video_frames",
       "frames_with_tracks")  # fmt: skip
# The tracking knobs of inference_cfg.yaml, first in the record (all of its values follow).
TRACKING = ("boundingboxslack", "iou_threshold", "max_age", "min_hits", "topktoretain", "pcutoff")


def capture(summary: dict, repaired_settings: Path) -> dict:
    """Never fails a job that tracked well: what cannot be read is said instead."""
    try:
        with open(repaired_settings, "rb") as handle:
            project = Path(tomllib.load(handle)["project"])
        snapshot = Path(summary["snapshot"])
        return {
            "software": {key: summary.get(key) for key in SOFTWARE},
            "project_config": {"path": str(project), "sha256": fingerprint.sha256(project)},
            "snapshot": _file(snapshot),
            "detector_snapshot": _file(Path(d))
            if (d := summary.get("detector_snapshot"))
            else None,
            "inference_cfg": _knobs(summary.get("inference_cfg"), summary.get("track_method")),
            **{key: summary.get(key) for key in RUN},
        }
    except Exception as error:
        return {"not_recorded": f"the model could not be described: {error}"}


def _file(path: Path) -> dict:
    return {**fingerprint.file_facts(path), "sha256": fingerprint.sha256(path)}


def _knobs(read: dict | None, method: str | None) -> dict | None:
    """The file as analyze.py read it before the analysis: path, digest, the values used."""
    if not read:
        return None
    values = read.get("values") or {}
    used = {"track_method": method, **{key: values.get(key) for key in TRACKING}}
    return {"path": read.get("path"), "sha256": read.get("sha256"), "tracking": used,
            "values": values}  # fmt: skip
