"""The idtracker.ai commands installed in this environment."""

import shutil
import sys
from pathlib import Path

REINSTALL = (
    "Set it up again: delete the .venv folder and run `python3 tasks.py setup`"
    " (with Pixi: `pixi install`)."
)


class NotInstalled(Exception):
    pass


def installed_tool(name: str) -> str:
    """An idtracker.ai command (idtrackerai, idtrackerai_background, ...) installed next to
    this Python, else on PATH."""
    scripts = Path(sys.executable).parent
    for candidate in (scripts / name, scripts / f"{name}.exe"):
        if candidate.exists():
            return str(candidate)
    found = shutil.which(name)
    if not found:
        raise NotInstalled(f"{name} is not installed in this environment. {REINSTALL}")
    return found


def idtrackerai_command(configured: list[str]) -> list[str]:
    """The command in config/config.yaml (`idtrackerai_command`), or the installed one."""
    return list(configured) if configured else [installed_tool("idtrackerai")]
