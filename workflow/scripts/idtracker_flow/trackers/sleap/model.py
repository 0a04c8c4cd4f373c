"""A SLEAP job's trained model folders, read without importing SLEAP.

A model folder is what SLEAP 1.6 / sleap-nn trains into `models/<run name>/`:
`training_config.yaml` (the skeleton, the model type) and `best.ckpt` (the weights), which
`sleap-nn predict --model_paths <folder>` loads. SLEAP 1.4 and earlier left
`training_config.json` and `best_model.h5` (sleap-nn runs those too, UNet backbones only).

A multi-animal job takes a bottom-up model (one folder), or a top-down pair: a centroid model
and a centered-instance model (two folders). The weights file of each folder is a DAG input:
retraining (a new best.ckpt) tracks again the jobs that use that model, and no other.
"""

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

CONFIG_YAML = "training_config.yaml"  # sleap-nn (SLEAP 1.5 and later)
CONFIG_JSON = "training_config.json"  # SLEAP 1.4 and earlier
WEIGHTS = ("best.ckpt", "best_model.h5")  # the same order
# sleap-nn's head_configs keys (SLEAP 1.4's "multi_instance" is bottom-up) -> what a user calls it
KINDS = {
    "bottomup": "bottom-up",
    "multi_instance": "bottom-up",
    "multi_class_bottomup": "bottom-up with identities",
    "centroid": "centroid",
    "centered_instance": "centered-instance",
    "multi_class_topdown": "centered-instance with identities",
    "single_instance": "single-animal",
}
ALONE = {"bottom-up", "bottom-up with identities", "single-animal"}  # a model that works alone
TOP_DOWN = ("centroid", ("centered-instance", "centered-instance with identities"))


class ModelMissing(Exception):
    """No usable trained model; the message says what was looked for and what to do."""


@dataclass
class Model:
    """One trained model folder as the workflow needs it."""

    folder: Path
    weights: Path
    config: Path
    kind: str  # a value of KINDS; "" when the config does not say (SLEAP 1.4 folders)
    nodes: list[str] = field(default_factory=list)  # the skeleton's nodes, [] when unknown
    anchor: str | None = None  # a centroid model's anchor part

    def describe(self) -> str:
        return f"{self.kind or 'SLEAP'} model {self.folder}"


TRAIN = (
    "What to do: train the model in SLEAP (Predict > Run Training... saves it under the"
    " project's models/ folder), or point model_paths in the job's settings file at a folder"
    f" that holds {CONFIG_YAML} and best.ckpt."
)


def read(folder: Path | str) -> Model:
    """The model in `folder` (raises ModelMissing). Read once per version of its config."""
    folder = Path(folder)
    config = folder / CONFIG_YAML
    if not config.is_file():
        config = folder / CONFIG_JSON
    try:
        stamp = config.stat().st_mtime_ns
    except OSError:
        stamp = None
    return _read(str(folder), str(config), stamp)


@lru_cache(maxsize=256)
def _read(folder_text: str, config_text: str, stamp: int | None) -> Model:
    folder, config = Path(folder_text), Path(config_text)
    if not folder.is_dir():
        raise ModelMissing(f"the model folder {folder} does not exist.\n{TRAIN}")
    if stamp is None:
        present = ", ".join(sorted(p.name for p in folder.iterdir())[:8]) or "nothing"
        raise ModelMissing(
            f"no trained SLEAP model in {folder}: it has no {CONFIG_YAML} (it holds: {present})."
            f"\n{TRAIN}"
        )
    weights = next((folder / name for name in WEIGHTS if (folder / name).is_file()), None)
    if weights is None:
        raise ModelMissing(
            f"the SLEAP model in {folder} has no trained weights ({' or '.join(WEIGHTS)}): its"
            f" training did not finish or was not saved.\n{TRAIN}"
        )
    kind, nodes, anchor = describe_config(config)
    return Model(folder, weights, config, kind, nodes, anchor)


def describe_config(config: Path) -> tuple[str, list[str], str | None]:
    """(kind, skeleton nodes, centroid anchor) of a training config; unknowns empty."""
    try:
        if config.suffix == ".json":
            data = json.loads(config.read_text(encoding="utf-8"))
            heads = (data.get("model") or {}).get("heads") or {}
            return _kind(heads), [], None  # SLEAP 1.4's skeletons are jsonpickled: not read
        import yaml  # PyYAML comes with Snakemake

        data = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
    except (OSError, ValueError, ImportError) as error:
        raise ModelMissing(f"{config} cannot be read: {error}.\n{TRAIN}") from None
    except Exception as error:  # yaml.YAMLError
        raise ModelMissing(f"{config} cannot be read as YAML: {error}.\n{TRAIN}") from None
    heads = (data.get("model_config") or {}).get("head_configs") or {}
    skeletons = (data.get("data_config") or {}).get("skeletons") or []
    nodes = []
    if skeletons and isinstance(skeletons[0], dict):
        nodes = [
            node["name"] if isinstance(node, dict) else str(node)
            for node in skeletons[0].get("nodes") or []
        ]
    anchor = ((heads.get("centroid") or {}).get("confmaps") or {}).get("anchor_part")
    return _kind(heads), nodes, anchor


def _kind(heads: dict) -> str:
    chosen = (key for key, value in heads.items() if value is not None and key in KINDS)
    return next((KINDS[key] for key in chosen), "")


def models(folders: list) -> list[Model]:
    """The job's models, checked as a set: one that works alone, or a centroid model and a
    centered-instance model trained on the same skeleton (raises ModelMissing)."""
    found = [read(folder) for folder in folders]
    if not found:
        raise ModelMissing(
            "it names no model folder.\nWhat to do: add model_paths, e.g. model_paths ="
            ' ["D:/sleap/mice/models/250101_120000.bottomup"] (a top-down model: its centroid'
            " and its centered-instance folder)."
        )
    kinds = [model.kind for model in found]
    if "" in kinds:
        return found  # a SLEAP 1.4 folder: sleap-nn tells the kinds apart itself
    if len(found) == 1:
        if kinds[0] not in ALONE:
            other = "centered-instance" if kinds[0] == "centroid" else "centroid"
            raise ModelMissing(
                f"{found[0].folder} is a {kinds[0]} model: a top-down model needs its {other}"
                f" model too.\nWhat to do: list both folders, e.g. model_paths ="
                f' ["{found[0].folder}", "<the {other} model folder>"].'
            )
        return found
    centroid = [m for m in found if m.kind == TOP_DOWN[0]]
    instance = [m for m in found if m.kind in TOP_DOWN[1]]
    if len(found) != 2 or len(centroid) != 1 or len(instance) != 1:
        listed = ", ".join(f"{m.folder} ({m.kind})" for m in found)
        raise ModelMissing(
            f"model_paths lists {listed}: SLEAP runs one bottom-up model, or one centroid and"
            " one centered-instance model.\nWhat to do: keep one bottom-up folder, or the two"
            " folders of the top-down model."
        )
    if problem := skeleton_problem(centroid[0], instance[0]):
        raise ModelMissing(problem)
    return found


def skeleton_problem(centroid: Model, instance: Model) -> str | None:
    """The two models of a top-down pair were trained on different skeletons."""
    nodes, anchor = instance.nodes, centroid.anchor
    if centroid.nodes and nodes and set(centroid.nodes) != set(nodes):
        return (
            f"the centroid model {centroid.folder} was trained on a skeleton with nodes"
            f" {', '.join(centroid.nodes)}, the centered-instance model {instance.folder} on"
            f" one with {', '.join(nodes)}: they are models of different skeletons.\nWhat to"
            " do: list the two models trained together on this project's labels."
        )
    if anchor and nodes and anchor not in nodes:
        return (
            f"the centroid model {centroid.folder} centres animals on '{anchor}', a node the"
            f" centered-instance model {instance.folder} does not have ({', '.join(nodes)}).\n"
            "What to do: list the two models trained together on this project's labels."
        )
    return None


def expected_nodes(found: list[Model]) -> list[str]:
    """The keypoints the job's result will have (the pose model's skeleton), [] unknown."""
    pose = [m for m in found if m.kind != "centroid"]
    return pose[0].nodes if pose else []
