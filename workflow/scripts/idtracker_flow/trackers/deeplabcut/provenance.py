"""What a DeepLabCut job's provenance record says about the model: the exact snapshot file
(digest), the project's config.yaml and the software of the DeepLabCut environment."""

import tomllib
from pathlib import Path

from idtracker_flow.project import fingerprint

# Reported by trackers/deeplabcut/analyze.py in <session>/deeplabcut.json.
SOFTWARE = ("deeplabcut_version", "torch_version", "python")
RUN = ("scorer", "track_method", "individuals", "bodyparts", "video_frames", "frames_with_tracks")


def capture(summary: dict, repaired_settings: Path) -> dict:
    """Never fails a job that tracked well: what cannot be read is said instead."""
    try:
        with open(repaired_settings, "rb") as handle:
            project = Path(tomllib.load(handle)["project"])
        snapshot = Path(summary["snapshot"])
        return {
            "software": {key: summary.get(key) for key in SOFTWARE},
            "project_config": {"path": str(project), "sha256": fingerprint.sha256(project)},
            "snapshot": {
                **fingerprint.file_facts(snapshot),
                "sha256": fingerprint.sha256(snapshot),
            },
            **{key: summary.get(key) for key in RUN},
        }
    except Exception as error:
        return {"not_recorded": f"the model could not be described: {error}"}
