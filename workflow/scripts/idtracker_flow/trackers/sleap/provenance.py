"""What a SLEAP job's provenance record says about the model: each model folder's weights
(digest) and training config (digest, kind, skeleton), the options sleap-nn predicted with
and the software of the SLEAP environment."""

import tomllib
from pathlib import Path

from idtracker_flow.project import fingerprint
from idtracker_flow.trackers.sleap import model

# Reported by trackers/sleap/sleap_predict.py in <session>/sleap.json.
SOFTWARE = ("sleap_nn_version", "sleap_io_version", "torch_version", "python")
RUN = ("command", "tracking", "options", "nodes", "edges", "tracks", "video_frames",
       "frames_with_instances", "instances", "mean_instance_score")  # fmt: skip


def capture(summary: dict, repaired_settings: Path) -> dict:
    """Never fails a job that tracked well: what cannot be read is said instead."""
    try:
        with open(repaired_settings, "rb") as handle:
            folders = [Path(p) for p in tomllib.load(handle)["model_paths"]]
        return {
            "software": {key: summary.get(key) for key in SOFTWARE},
            "models": [_model(folder) for folder in folders],
            **{key: summary.get(key) for key in RUN},
        }
    except Exception as error:
        return {"not_recorded": f"the model could not be described: {error}"}


def _model(folder: Path) -> dict:
    found = model.read(folder)
    return {
        "folder": str(folder),
        "kind": found.kind or None,
        "nodes": found.nodes,
        "weights": _file(found.weights),
        "training_config": _file(found.config),
    }


def _file(path: Path) -> dict:
    return {**fingerprint.file_facts(path), "sha256": fingerprint.sha256(path)}
