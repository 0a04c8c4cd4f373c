"""A tracker that runs in its own Python environment, beside the workflow's: finding that
Python, and the verdict on what its runner script did.

Pose trackers bring packages the workflow must not share (DeepLabCut pins pandas<3, SLEAP
brings PyTorch Lightning and Hydra), so each has its own environment (`pixi install -e
<name>`, or `python3 tasks.py setup-<name>` for .venv-<name>) and only its tracking step runs
there, as a child process: a runner script of its folder that writes its result and a JSON
summary (with "error" when it stopped with a message for the user). A tracker describes its
environment once (`SeparatePython`) and calls these instead of writing them again.
"""

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from idtracker_flow.project.json_files import read_json
from idtracker_flow.project.layout import REPOSITORY
from idtracker_flow.trackers.protocol import CUDA_OUT_OF_MEMORY, RunFailed, RunRequest

BIN = "Scripts" if os.name == "nt" else "bin"
EXE = "python.exe" if os.name == "nt" else "python"


class NotFound(Exception):
    """No Python with the tracker's packages; the message says what to install."""


@dataclass(frozen=True)
class SeparatePython:
    """Where a tracker's own Python is and how a user gets one."""

    display_name: str  # "DeepLabCut"
    environment: str  # Pixi's environment and tasks.py's set-up: "dlc" (.venv-dlc, setup-dlc)
    config_key: str  # the config key naming another interpreter: "deeplabcut_python"
    needs: str  # what that Python must have, in the user's words: "DeepLabCut 3"
    package: str  # what is missing when none is found: "DeepLabCut", "SLEAP (sleap-nn)"

    def candidates(self) -> tuple[Path, ...]:
        """Where the two set-ups put it: Pixi's environment, tasks.py's .venv-<name>."""
        return (
            REPOSITORY / ".pixi" / "envs" / self.environment / BIN / EXE,
            REPOSITORY / f".venv-{self.environment}" / BIN / EXE,
        )

    def install(self) -> str:
        return (
            f"What to do: install the {self.display_name} environment once (a few GB):"
            f" `pixi install -e {self.environment}`, or without Pixi `python3 tasks.py"
            f" setup-{self.environment}`; or name a Python that has {self.needs} in"
            f" config/config.yaml ({self.config_key}). Then run `pixi run track` again."
        )

    def python(self, config: dict | None = None) -> Path:
        """The interpreter that runs the tracker's jobs: the one config names, else the first
        set-up found (raises NotFound)."""
        configured = (config or {}).get(self.config_key, "auto")
        if configured and configured != "auto":
            candidates = [Path(configured).expanduser()]
        else:
            candidates = list(self.candidates())
        for python in candidates:
            if python.is_file() and os.access(python, os.X_OK):
                return python
        looked = ", ".join(str(path) for path in candidates)
        raise NotFound(
            f"this is a {self.display_name} job, and no Python with {self.package} was found"
            f" (looked for {looked}).\n{self.install()}"
        )


def runner_summary(display_name: str, request: RunRequest, status: int, log, summary_name: str,
                   result_problem: Callable[[], str | None]) -> dict:  # fmt: skip
    """The runner's JSON summary (<session>/`summary_name`) of a run that made its result;
    raises RunFailed with the job, the reason and what to do (`failure`) when it made none, as
    a transient failure when CUDA ran out of memory (the retry runs alone on a GPU)."""
    summary = read_json(request.session / summary_name)
    if problem := failure(display_name, summary, status, log, result_problem):
        raise RunFailed(
            f"Job {request.job_name}: {display_name} did not produce tracks: {problem}",
            transient=CUDA_OUT_OF_MEMORY in problem,
        )
    return summary


def failure(
    display_name: str, summary: dict, status: int, log, result_problem: Callable[[], str | None]
) -> str | None:
    """Why the runner made no result, the reason on the first line (what the console and
    status show) and what to do on the next; None when it made one. `summary`: the runner's
    JSON; `result_problem()`: what is wrong with its result file (None: nothing), asked only
    when the runner exited 0 without a message."""
    if problem := summary.get("error"):
        return problem  # the runner's own message: reason, then "What to do: ..."
    output = f"{display_name}'s output in {getattr(log, 'name', 'the log')}"
    if status != 0:
        lines = last_lines(log)
        return (
            f"it stopped with exit status {status}: {lines[-1].strip() if lines else ''}"
            f"\nWhat to do: read {output} for the step that stopped. Its last lines:\n"
            + "\n".join(lines)
        )
    if problem := result_problem():
        return f"{problem}.\nWhat to do: read {output}."
    return None


def last_lines(log, count: int = 8) -> list[str]:
    """The end of the job's log (the tracker's traceback), for the failure message."""
    try:
        log.flush()
        lines = Path(log.name).read_text(encoding="utf-8", errors="replace").splitlines()
    except (OSError, AttributeError):
        return []
    kept = [line for line in lines if line.strip()][-count:]
    return [f"    {line}" for line in kept]
