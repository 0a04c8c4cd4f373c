"""The snapshot a DeepLabCut job analyses with, found without importing DeepLabCut.

DeepLabCut 3 (PyTorch engine) keeps a shuffle's snapshots in
<project>/dlc-models-pytorch/iteration-<i>/<Task><date>-trainset<pct>shuffle<s>/train/ as
snapshot-<epochs>.pt and snapshot-best-<epochs>.pt, and picks one by index from a list sorted
by epochs with the best one last (deeplabcut/pose_estimation_pytorch/data/snapshots.py). The
same rules here give the DAG its edges: a new snapshot (retraining), a new detector snapshot
(top-down models) or an edited inference_cfg.yaml (the tracker's knobs, beside train/ in
test/) re-runs the jobs that use them, and nothing else about the project does. Importing
DeepLabCut would cost ~12 s per DAG.
"""

import re
from functools import lru_cache
from pathlib import Path

SNAPSHOT = re.compile(r"^snapshot(?P<best>-best)?-(?P<epochs>\d+)\.pt$")
# A top-down model's detector (DeepLabCut's Task.DETECT: prefix snapshot-detector).
DETECTOR_SNAPSHOT = re.compile(r"^snapshot-detector(?P<best>-best)?-(?P<epochs>\d+)\.pt$")
# pytorch_config.yaml's top-level `method`: td (top-down) needs a detector.
METHOD_LINE = re.compile(r"^method:\s*['\"]?(?P<method>\w+)", re.MULTILINE)
INFERENCE_CFG = "inference_cfg.yaml"
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


def sorted_snapshots(folder: Path, pattern: re.Pattern = SNAPSHOT) -> list[Path]:
    """Snapshots by epochs, the best one last (DeepLabCut's order for snapshot indices)."""
    try:
        names = [entry.name for entry in folder.iterdir()]
    except OSError:
        return []
    found = [(pattern.match(name), name) for name in names]
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
    if not snapshots:
        raise ModelMissing(
            f"no trained network to analyse with: shuffle {shuffle} has no snapshot in"
            f" {folder}.\nWhat to do: train the network (deeplabcut.train_network on"
            f" {config_yaml}, shuffle={shuffle}), or set `shuffle` in the job's settings file"
            " to a trained one."
        )
    if not isinstance(index, int) or not -len(snapshots) <= index < len(snapshots):
        raise ModelMissing(wrong_index(index, shuffle, snapshots, folder))
    return snapshots[index]


def wrong_index(index, shuffle: int, snapshots: list[Path], folder: Path) -> str:
    """The network is trained, the index points past its snapshots: list what there is."""
    listed = ", ".join(f"{i} = {path.name}" for i, path in enumerate(snapshots))
    return (
        f"snapshot_index {index!r} does not exist: the snapshots of shuffle {shuffle} in"
        f" {folder} are {listed} (-1 is the last, the best one when DeepLabCut kept one)."
        f"\nWhat to do: set `snapshot_index` in the job's settings file to one of"
        f" 0 .. {len(snapshots) - 1} or -1, or delete the line to use the project's"
        " snapshotindex."
    )


def inference_config(config_yaml: Path, shuffle: int = 1, trainingsetindex: int = 0) -> Path:
    """The shuffle's inference_cfg.yaml: the tracker's knobs (boundingboxslack, iou_threshold,
    max_age, min_hits, topktoretain, pcutoff...) that analyze_videos reads from test/."""
    return (
        train_folder(Path(config_yaml), shuffle, trainingsetindex).parent / "test" / INFERENCE_CFG
    )


def detector_snapshot(
    config_yaml: Path, shuffle: int = 1, trainingsetindex: int = 0
) -> Path | None:
    """A top-down model's detector snapshot (config.yaml's detector_snapshotindex); None for
    a bottom-up model or when it cannot be told (DeepLabCut then says so itself)."""
    folder = train_folder(Path(config_yaml), shuffle, trainingsetindex)
    try:
        text = (folder / "pytorch_config.yaml").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    method = METHOD_LINE.search(text)
    if method is None or method["method"].lower() != "td":
        return None
    index = read_project(str(config_yaml)).get("detector_snapshotindex", -1)
    snapshots = sorted_snapshots(folder, DETECTOR_SNAPSHOT)
    if index == "best":
        snapshots, index = [path for path in snapshots if "-best-" in path.name][-1:], -1
    if not isinstance(index, int) or not -len(snapshots) <= index < len(snapshots):
        return None
    return snapshots[index]
