"""The Python that has SLEAP's sleap-nn: its own environment, beside the workflow's.

sleap-nn brings PyTorch Lightning, Hydra, wandb and Jupyter, which the workflow does not need,
so SLEAP jobs run in a second environment (`pixi install -e sleap`, or
`python3 tasks.py setup-sleap` for .venv-sleap), and only their tracking step runs there, as
a child process. config `sleap_python` names another interpreter (a SLEAP 1.6 conda
environment, a cluster module).
"""

import os
from pathlib import Path

from idtracker_flow.project.layout import REPOSITORY

BIN = "Scripts" if os.name == "nt" else "bin"
EXE = "python.exe" if os.name == "nt" else "python"
# Where the two set-ups put it: Pixi's "sleap" environment, tasks.py's .venv-sleap.
CANDIDATES = (
    REPOSITORY / ".pixi" / "envs" / "sleap" / BIN / EXE,
    REPOSITORY / ".venv-sleap" / BIN / EXE,
)
INSTALL = (
    "What to do: install the SLEAP environment once (a few GB): `pixi install -e sleap`, or"
    " without Pixi `python3 tasks.py setup-sleap`; or name a Python that has sleap-nn 0.3"
    " (SLEAP 1.6) in config/config.yaml (sleap_python). Then run `pixi run track` again."
)


class NoSleap(Exception):
    """No Python with sleap-nn; the message says what to install."""


def sleap_python(configured: str = "auto") -> Path:
    """The interpreter that runs SLEAP jobs (raises NoSleap)."""
    if configured and configured != "auto":
        candidates = [Path(configured).expanduser()]
    else:
        candidates = list(CANDIDATES)
    for python in candidates:
        if python.is_file() and os.access(python, os.X_OK):
            return python
    looked = ", ".join(str(path) for path in candidates)
    raise NoSleap(
        f"this is a SLEAP job, and no Python with SLEAP (sleap-nn) was found (looked for"
        f" {looked}).\n{INSTALL}"
    )
