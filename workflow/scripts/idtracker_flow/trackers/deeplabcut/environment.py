"""The Python that has DeepLabCut: its own environment, beside the workflow's.

DeepLabCut 3.0.2 pins pandas<3, the workflow's environment pandas 3 (movement, the exports),
so DeepLabCut lives in a second environment (`pixi install -e dlc`, or
`python3 tasks.py setup-dlc` for .venv-dlc) and only its analysis step runs there, as a
child process. config `deeplabcut_python` names another interpreter (a conda env, a cluster
module).
"""

import os
from pathlib import Path

from idtracker_flow.project.layout import REPOSITORY

BIN = "Scripts" if os.name == "nt" else "bin"
EXE = "python.exe" if os.name == "nt" else "python"
# Where the two set-ups put it: Pixi's "dlc" environment, tasks.py's .venv-dlc.
CANDIDATES = (
    REPOSITORY / ".pixi" / "envs" / "dlc" / BIN / EXE,
    REPOSITORY / ".venv-dlc" / BIN / EXE,
)
INSTALL = (
    "What to do: install the DeepLabCut environment once (a few GB): `pixi install -e dlc`,"
    " or without Pixi `python3 tasks.py setup-dlc`; or name a Python that has DeepLabCut 3 in"
    " config/config.yaml (deeplabcut_python). Then run `pixi run track` again."
)


class NoDeepLabCut(Exception):
    """No Python with DeepLabCut; the message says what to install."""


def deeplabcut_python(configured: str = "auto") -> Path:
    """The interpreter that runs DeepLabCut jobs (raises NoDeepLabCut)."""
    if configured and configured != "auto":
        candidates = [Path(configured).expanduser()]
    else:
        candidates = list(CANDIDATES)
    for python in candidates:
        if python.is_file() and os.access(python, os.X_OK):
            return python
    looked = ", ".join(str(path) for path in candidates)
    raise NoDeepLabCut(
        "this is a DeepLabCut job, and no Python with DeepLabCut was found (looked for"
        f" {looked}).\n{INSTALL}"
    )
