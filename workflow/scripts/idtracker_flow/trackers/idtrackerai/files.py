"""The files idtracker.ai 6 writes, by the names it gives them.

A session folder (`session_<name>`) holds session.json, idtrackerai.log (a copy of the one it
writes into its working directory) and trajectories/trajectories.h5; an identification model
lives in its accumulation folder.
"""

from pathlib import Path

SESSION_PREFIX = "session_"
SESSION_JSON = "session.json"
LOG = "idtrackerai.log"
TRAJECTORIES = "trajectories/trajectories.h5"

# File names of an identification model in an accumulation folder (idtracker.ai's
# IdentifierBase.load, v5 names included).
MODEL_FILES = (
    "identifier_cnn.model.pt",
    "identification_network.model.pth",
    "identification_network_.model.pth",
    "supervised_identification_network.model.pth",
    "supervised_identification_network_.model.pth",
)


def model_folder(folder: Path) -> Path:
    """Where idtracker.ai looks for the model: a session folder means its accumulation folder."""
    if folder.name.startswith(SESSION_PREFIX):
        if (folder / "accumulation_0").is_dir():
            return folder / "accumulation_0"
        return folder / "accumulation"
    return folder


def has_model(folder: Path) -> bool:
    models = model_folder(folder)
    return any((models / name).is_file() for name in MODEL_FILES)
