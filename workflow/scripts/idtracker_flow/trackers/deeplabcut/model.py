"""The snapshot a DeepLabCut job analyses with, found without importing DeepLabCut.

DeepLabCut 3 (PyTorch engine) keeps a shuffle's snapshots in
<project>/dlc-models-pytorch/iteration-<i>/<Task><date>-trainset<pct>shuffle<s>/train/ as
snapshot-<epochs>.pt and snapshot-best-<epochs>.pt, and picks one by index from a list sorted
by epochs with the best one last (deeplabcut/pose_estimation_pytorch/data/snapshots.py). The
same rules here give the DAG its edge: a new snapshot (retraining) re-runs the jobs that use
it, and nothing else about the project does. Importing DeepLabCut would cost ~12 s per DAG.
"""

import re
from functools import lru_cache
from pathlib import Path

SNAPSHOT = re.compile(r"^snapshot(?P<best>-best)?-(?P<epochs>\d+)\.pt$")
MODELS_FOLDER = "dlc-models-pytorch"


class ModelMissing(Exception):
    """No usable trained model; the message says what was looked for and what to do."""


def project_config_path(found: Path) -> Path:
    """The project's config.yaml, when `project` names the project folder."""
    return found / "config.yaml" if found.is_dir() else found


def read_project(config_yaml: str) -> dict:
    """The project's config.yaml, read once per version of the file."""
    try:
        stamp = Path(config_yaml).stat().st_mtime_ns
    except OSError:
        stamp = None
    return _read_project(config_yaml, stamp)


@lru_cache(maxsize=256)
def _read_project(config_yaml: str, stamp: int | None) -> dict:
    import yaml  # PyYAML comes with Snakemake

    try:
        data = yaml.safe_load(Path(config_yaml).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ModelMissing(
            f"{config_yaml} cannot be read as a DeepLabCut project: {error}"
        ) from None
    if not isinstance(data, dict) or "Task" not in data:
        raise ModelMissing(
            f"{config_yaml} is not a DeepLabCut project's config.yaml (it has no Task)."
            "\nWhat to do: point `project` at the config.yaml in the project folder."
        )
    return data


def train_folder(config_yaml: Path, shuffle: int, trainingsetindex: int = 0) -> Path:
    project = read_project(str(config_yaml))
    if str(project.get("engine", "pytorch")).lower() != "pytorch":
        raise ModelMissing(
            f"{config_yaml} uses DeepLabCut's {project.get('engine')} engine; this workflow runs"
            " PyTorch models (DeepLabCut 3).\nWhat to do: train the network with the PyTorch"
            " engine (engine: pytorch in config.yaml), then run the workflow again."
        )
    fractions = project.get("TrainingFraction") or [0.95]
    if trainingsetindex >= len(fractions):
        raise ModelMissing(
            f"trainingsetindex {trainingsetindex}: {config_yaml} has only"
            f" {len(fractions)} TrainingFraction value(s)."
        )
    # int(fraction * 100), as DeepLabCut names the folder (0.29 -> 28 there too).
    trainset = int(fractions[trainingsetindex] * 100)
    name = f"{project['Task']}{project['date']}-trainset{trainset}shuffle{shuffle}"
    iteration = f"iteration-{project.get('iteration', 0)}"
    return Path(config_yaml).parent / MODELS_FOLDER / iteration / name / "train"


def sorted_snapshots(folder: Path) -> list[Path]:
    """Snapshots by epochs, the best one last (DeepLabCut's order for snapshot indices)."""
    try:
        names = [entry.name for entry in folder.iterdir()]
    except OSError:
        return []
    found = [(SNAPSHOT.match(name), name) for name in names]
    keyed = [(bool(m["best"]), int(m["epochs"]), name) for m, name in found if m]
    return [folder / name for _, _, name in sorted(keyed)]


def snapshot(
    config_yaml: Path,
    shuffle: int = 1,
    index: int | str | None = None,
    trainingsetindex: int = 0,
) -> Path:
    """The snapshot DeepLabCut will analyse with (index None: config.yaml's snapshotindex)."""
    folder = train_folder(Path(config_yaml), shuffle, trainingsetindex)
    if index is None:
        index = read_project(str(config_yaml)).get("snapshotindex", -1)
    snapshots = sorted_snapshots(folder)
    if index == "best":
        snapshots = [path for path in snapshots if "-best-" in path.name][-1:]
        index = -1
    if not isinstance(index, int) or not snapshots or not -len(snapshots) <= index < len(snapshots):
        names = ", ".join(path.name for path in snapshots) or "none"
        raise ModelMissing(
            f"no trained network to analyse with: snapshot {index!r} of shuffle {shuffle} is"
            f" not in {folder} (snapshots there: {names}).\nWhat to do: train the network"
            f" (deeplabcut.train_network on {config_yaml}, shuffle={shuffle}), or set `shuffle`"
            " / `snapshot_index` in the job's settings file to a trained one."
        )
    return snapshots[index]
