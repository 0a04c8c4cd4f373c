"""What the real-run tests of the pose trackers in their own environment (DeepLabCut, SLEAP)
share: a workspace with one pose job written as on the computer that trained the model, the
test video's true keypoints, and the check that each track follows one animal."""

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
from conftest import Workspace, make_workspace

VIDEO, JOB = "arena1", "poses"


def workspace_with_one_job(root: Path, video: Path, settings: str, prefixes: dict,
                           separate, python: Path) -> Workspace:  # fmt: skip
    """A workspace whose one job (arena1/poses) names its paths as on the computer that
    trained the model (D:/...), `prefixes` leading them here, with the tracker's Python
    (`separate`: trackers/separate_python.py) in config; tracked by `pixi run track` on CPU."""
    ws = make_workspace(root)
    shutil.copy(video, ws.path("videos", f"{VIDEO}.mp4"))
    ws.write_settings(VIDEO, JOB, settings)
    config_file = ws.path("config", "config.yaml")
    text = config_file.read_text()
    assert "path_prefixes: {}\n" in text and "device: auto\n" in text
    written = "".join(f"  {k}: {v}\n" for k, v in {**prefixes, "D:/videos": "videos"}.items())
    text = text.replace("path_prefixes: {}\n", f"path_prefixes:\n{written}")
    config_file.write_text(
        text.replace("device: auto", "device: cpu") + f"{separate.config_key}: {python}\n"
    )
    result = ws.track(timeout=1800)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return ws


def configured_python(ws: Workspace, separate) -> str:
    """The tracker's Python as the workspace's config names it."""
    for line in ws.path("config", "config.yaml").read_text().splitlines():
        if line.startswith(f"{separate.config_key}:"):
            return line.split(":", 1)[1].strip()
    raise AssertionError(f"no {separate.config_key} in the test's config")


def truth(folder: Path, parts: list[str] | None = None) -> tuple[dict[str, np.ndarray], list]:
    """(animal -> (frames, keypoints, 2), the keypoints) from the test video's truth file
    (tests/deeplabcut/make_project.py); `parts`: in this order, else sorted."""
    table = pd.read_csv(folder / "truth_test.csv")
    parts = list(parts) if parts is not None else sorted(table.bodypart.unique())
    found = {}
    for animal, rows in table.groupby("individual"):
        cube = rows.pivot_table(index="frame", columns="bodypart", values=["x", "y"])
        found[animal] = np.stack(
            [cube["x"][parts].to_numpy(), cube["y"][parts].to_numpy()], axis=-1
        )
    return found, parts


def follows_one_animal(track: str, found: np.ndarray, true: dict) -> tuple[str, np.ndarray]:
    """The true animal a track's poses (frames, keypoints, 2) follow, and its error (px) in
    each frame it was seen. Fails on an identity swap (the nearest animal changes) and on a
    track seen in 90 % of the frames or fewer."""
    distance = {a: np.nanmean(np.linalg.norm(found - t, axis=2), axis=1) for a, t in true.items()}
    stacked = np.stack(list(distance.values()))
    seen = np.isfinite(stacked).all(axis=0)
    nearest = {list(distance)[i] for i in np.argmin(stacked[:, seen], axis=0)}
    assert len(nearest) == 1, f"track {track} follows {nearest}: an identity swap"
    assert seen.mean() > 0.9, f"track {track} found in {seen.mean():.0%} of frames"
    owner = nearest.pop()
    return owner, distance[owner][seen]
