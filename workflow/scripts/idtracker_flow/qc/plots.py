"""The two QC pictures of a job: paths over the arena, and a timeline of identification.

Plain Python (matplotlib without a display); called by the analyse_job rule's QC part.
"""

from __future__ import annotations

import numpy as np

# Figures without pyplot: no display is needed (a cluster node, CI), and each job's process
# is spared pyplot's import.
from matplotlib import colormaps
from matplotlib.figure import Figure

from idtracker_flow.qc import metrics as qc_metrics


def _colours(n: int):
    # tab10/tab20 tell up to 20 identities apart; beyond that the hsv wheel.
    name = "tab10" if n <= 10 else "tab20" if n <= 20 else "hsv"
    cmap = colormaps[name]
    return [cmap(i / max(n, 1)) if name == "hsv" else cmap(i) for i in range(n)]


def trajectory_plot(traj: qc_metrics.Trajectories, title: str, path) -> None:
    """Paths over the arena in video pixels (row 0 at the top, as in the video)."""
    positions = traj.positions
    n_animals = positions.shape[1]
    fig = Figure(figsize=(6, 6), dpi=100)
    ax = fig.subplots()
    for animal, colour in enumerate(_colours(n_animals)):
        label = traj.identities[animal] if animal < len(traj.identities) else animal + 1
        ax.plot(
            positions[:, animal, 0],
            positions[:, animal, 1],
            color=colour,
            linewidth=0.8,
            label=f"id {label}",
        )
    if traj.width and traj.height:
        ax.set_xlim(0, traj.width)
        ax.set_ylim(traj.height, 0)
    else:
        ax.invert_yaxis()
    ax.set_aspect("equal")
    ax.set_xlabel("x (px)")
    ax.set_ylabel("y (px)")
    ax.set_title(title)
    if n_animals <= 20:
        ax.legend(loc="upper right", fontsize="small", ncol=2 if n_animals > 10 else 1)
    fig.tight_layout()
    fig.savefig(path)


def timeline_plot(traj: qc_metrics.Trajectories, tracking_intervals, title: str, path) -> None:
    """Top: fraction of animals identified per second of video. Bottom: one row per identity,
    dark where it has a position, red where a gap is, blank outside the tracked interval."""
    positions = traj.positions
    n_frames, n_animals = positions.shape[:2]
    mask = qc_metrics.tracked_mask(n_frames, tracking_intervals)
    seen = qc_metrics.present(positions)
    fps = traj.fps if traj.fps and traj.fps > 0 else 1.0
    seconds = np.arange(n_frames) / fps

    fig = Figure(figsize=(9, 2.5 + 0.25 * min(n_animals, 30)), dpi=100)
    top, bottom = fig.subplots(
        2,
        1,
        sharex=True,
        gridspec_kw={"height_ratios": [1, max(1, min(n_animals, 30) / 6)]},
    )
    per_frame = np.where(mask, seen.mean(axis=1), np.nan)
    window = max(int(round(fps)), 1)  # one-second running mean keeps long videos readable
    kernel = np.ones(window) / window
    smooth = np.convolve(np.nan_to_num(per_frame, nan=0.0), kernel, mode="same")
    weight = np.convolve(mask.astype(float), kernel, mode="same")
    smooth = np.where(mask & (weight > 0), smooth / np.maximum(weight, 1e-9), np.nan)
    top.plot(seconds, smooth, color="black", linewidth=1)
    top.set_ylim(-0.05, 1.05)
    top.set_ylabel("identified")
    top.set_title(title)

    colours = {"present": "#333333", "gap": "#d62728"}
    for animal in range(n_animals):
        for start, end in qc_metrics.runs_of_true(seen[:, animal] & mask):
            bottom.broken_barh(
                [(start / fps, (end - start) / fps)],
                (animal + 0.1, 0.8),
                color=colours["present"],
            )
    for animal, start, length in qc_metrics.gaps(positions, mask):
        bottom.broken_barh([(start / fps, length / fps)], (animal + 0.1, 0.8), color=colours["gap"])
    bottom.set_ylim(0, n_animals)
    if n_animals <= 30:
        bottom.set_yticks(np.arange(n_animals) + 0.5)
        bottom.set_yticklabels(traj.identities[:n_animals])
    bottom.set_ylabel("identity")
    bottom.set_xlabel("time (s)   dark: position found, red: gap")
    bottom.set_xlim(0, n_frames / fps)
    fig.tight_layout()
    fig.savefig(path)
