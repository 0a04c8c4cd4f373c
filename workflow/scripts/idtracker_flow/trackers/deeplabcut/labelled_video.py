"""A DeepLabCut job's labelled video (`pixi run videos`): DeepLabCut's own
create_labeled_video, run in the DeepLabCut environment by draw_labels.py, on the tracks and
metadata the job left in its session folder."""

import os
import subprocess
from pathlib import Path

from idtracker_flow.project.json_files import read_json
from idtracker_flow.trackers.deeplabcut import environment, run

DRAWER = Path(__file__).with_name("draw_labels.py")


def command(python: Path, session: Path, result: Path, output: Path) -> list[str]:
    summary = read_json(session / run.SUMMARY)
    needed = ("config", "video", "scorer", "snapshot", "shuffle", "track_method")
    if missing := [key for key in needed if summary.get(key) is None]:
        raise RuntimeError(
            f"{session / run.SUMMARY} does not say how DeepLabCut analysed the job (no"
            f" {', '.join(missing)}).\nWhat to do: track the job again, then make the video."
        )
    return [
        str(python), str(DRAWER),
        "--config", summary["config"],
        "--video", summary["video"],
        "--workdir", str(session / run.DESTFOLDER),
        "--tracks", str(result),
        "--scorer", summary["scorer"],
        "--snapshot", summary["snapshot"],
        "--shuffle", str(summary["shuffle"]),
        "--trainingsetindex", str(summary.get("trainingsetindex", 0)),
        "--track-method", summary["track_method"],
        "--output", str(output),
    ]  # fmt: skip


def write(session: Path, result: Path, output: Path, config: dict) -> None:
    """Raises RuntimeError with DeepLabCut's reason and what to do."""
    python = environment.DEEPLABCUT.python(config)
    argv = command(python, Path(session).resolve(), Path(result).resolve(), Path(output).resolve())
    done = subprocess.run(
        argv, capture_output=True, text=True, env={**os.environ, "HF_HUB_OFFLINE": "1"}
    )
    if done.returncode != 0:
        said = [line for line in done.stderr.splitlines() if line.strip()]
        ours = [line for line in said if line.startswith("DeepLabCut video failed: ")]
        if ours:
            raise RuntimeError(ours[-1].removeprefix("DeepLabCut video failed: "))
        raise RuntimeError(
            f"DeepLabCut stopped (exit status {done.returncode}): "
            + "\n".join(said[-8:] or ["no message"])
        )
