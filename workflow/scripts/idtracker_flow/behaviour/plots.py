"""A job's behaviour pictures: where the animals spent their time (occupancy heat map with the
arena's zones drawn on it) and each animal's speed over time."""

from __future__ import annotations

import numpy as np

# Figures without pyplot: no display is needed (a cluster node, CI), and each job's process
# is spared pyplot's import.
from matplotlib.figure import Figure

BINS = 60


def occupancy_plot(centroid, zones, title: str, path, width=None, height=None) -> None:
    """All animals' positions as a 2-D histogram (video pixels, row 0 at the top)."""
    xy = centroid.transpose("time", "individuals", "space").values.reshape(-1, 2)
    xy = xy[np.isfinite(xy).all(axis=1)]
    fig = Figure(figsize=(6, 6), dpi=100)
    ax = fig.subplots()
    if xy.size:
        span = [
            [0, width or float(np.nanmax(xy[:, 0])) + 1],
            [0, height or float(np.nanmax(xy[:, 1])) + 1],
        ]
        counts, xs, ys = np.histogram2d(xy[:, 0], xy[:, 1], bins=BINS, range=span)
        ax.pcolormesh(xs, ys, counts.T, cmap="magma", shading="flat")
    if zones is not None:
        for region, colour in [(r, "white") for r in zones.arena] + [
            (r, "cyan") for r in zones.centre
        ]:
            x, y = region.region.exterior.xy
            ax.plot(x, y, color=colour, linewidth=1)
    ax.invert_yaxis()
    ax.set_aspect("equal")
    ax.set_xlabel("x (px)")
    ax.set_ylabel("y (px)")
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, format="png")  # the path may end in .partial


def speed_plot(speed, title: str, path, units: str) -> None:
    """One line per animal: its speed over time (movement's compute_speed)."""
    names = [str(n) for n in speed["individuals"].values]
    fig = Figure(figsize=(8, 1.2 + 1.1 * len(names)), dpi=100)
    axes = fig.subplots(len(names), 1, sharex=True, squeeze=False)
    times = speed["time"].values
    for ax, name in zip(axes[:, 0], names, strict=True):
        ax.plot(times, speed.sel(individuals=name).values, linewidth=0.6, color="black")
        ax.set_ylabel(name, rotation=0, ha="right", fontsize="small")
    axes[-1, 0].set_xlabel("time (s)")
    axes[0, 0].set_title(f"{title}: speed ({units})")
    fig.tight_layout()
    fig.savefig(path, format="png")  # the path may end in .partial
