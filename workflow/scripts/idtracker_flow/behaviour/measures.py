"""One row of measures per animal, from a movement poses dataset.

movement does the work: `compute_speed`, `compute_path_length` (gaps forward-filled: a gap
counts as the straight line across it), `compute_pairwise_distances`,
`compute_region_occupancy`. A recording is measured part by part (the animals jump between
the last frame of one part and the first of the next) and pooled into an `all` row.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from idtracker_flow.trackers.poses import CENTROID

GAP_POLICY = "ffill"  # movement's compute_path_length: a gap is the straight line across it


@dataclass
class Segment:
    """A stretch of one animal group's positions without a cut: a job, or a recording part."""

    part: str  # "" for a job, the part's <video>/<job> in a recording
    centroid: object  # xarray DataArray (time, space, individuals), pixels
    zones: object | None  # behaviour.zones.Zones, or None without an arena


@dataclass
class Scale:
    body_length_px: float | None  # None: unknown, so no moving fraction and no border zone
    body_length_source: str
    px_per_mm: float | None
    moving_body_lengths_per_s: float


def centroid(position):
    """Each animal's centre: the keypoint `centroid` when the tracker gives it, else the mean
    of the keypoints found in that frame."""
    if "keypoints" not in position.dims:
        return position
    names = list(position["keypoints"].values)
    if CENTROID in names:
        return position.sel(keypoints=CENTROID, drop=True)
    return position.mean("keypoints", skipna=True)


def keypoint_spread(position) -> float | None:
    """A body length from a pose tracker's keypoints: the median, over frames and animals, of
    the largest distance between two keypoints of one animal (None with one keypoint)."""
    from movement.kinematics import compute_pairwise_distances

    if "keypoints" not in position.dims or position.sizes["keypoints"] < 2:
        return None
    distances = compute_pairwise_distances(position, "keypoints", "all")
    if isinstance(distances, dict):
        stacked = np.stack([d.values for d in distances.values()])
    else:
        stacked = distances.values[np.newaxis]
    stacked = stacked.reshape(stacked.shape[0], stacked.shape[1], -1)
    with np.errstate(all="ignore"):
        largest = np.nanmax(np.where(np.isnan(stacked), -np.inf, stacked), axis=0)
    largest = largest[np.isfinite(largest) & (largest > 0)]
    return float(np.median(largest)) if largest.size else None


def _per_frame(segment: Segment) -> dict:
    """Series of one segment, per animal: speed, occupancy, nearest neighbour."""
    from movement.kinematics import compute_path_length, compute_speed

    data = segment.centroid
    present = ~data.isnull().any("space")
    result = {
        "frames": data.sizes["time"],
        "present": present.values,  # (time, individuals)
        "speed": compute_speed(data).transpose("time", "individuals").values,
        "path": (
            compute_path_length(data, nan_policy=GAP_POLICY, nan_warn_threshold=1.0).values
            if data.sizes["time"] >= 2
            else np.full(data.sizes["individuals"], np.nan)
        ),
        "nearest": _nearest_neighbour(data),
        "pairwise_mean": _mean_pairwise(data),
    }
    if segment.zones is not None:
        result["border"], result["centre"] = segment.zones.occupancy(data)
    return result


def _pair_distances(data) -> dict | None:
    from movement.kinematics import compute_pairwise_distances

    if data.sizes["individuals"] < 2:
        return None
    distances = compute_pairwise_distances(data, "individuals", "all")
    if not isinstance(distances, dict):  # two animals: one pair, one array
        names = list(data["individuals"].values)
        distances = {f"dist_{names[0]}_{names[1]}": distances}
    return distances


def _nearest_neighbour(data) -> np.ndarray | None:
    """(time, individuals): distance to the nearest other animal (NaN when none is found)."""
    distances = _pair_distances(data)
    if distances is None:
        return None
    names = list(data["individuals"].values)
    nearest = np.full((data.sizes["time"], len(names)), np.inf)
    for i, first in enumerate(names):
        for second in names[i + 1 :]:
            pair = distances.get(f"dist_{first}_{second}")
            if pair is None:
                continue
            values = np.where(np.isnan(pair.values), np.inf, pair.values)
            j = names.index(second)
            nearest[:, i] = np.minimum(nearest[:, i], values)
            nearest[:, j] = np.minimum(nearest[:, j], values)
    nearest[~np.isfinite(nearest)] = np.nan
    return nearest


def _mean_pairwise(data) -> np.ndarray | None:
    """(time,): the mean distance over all pairs of animals found in that frame."""
    distances = _pair_distances(data)
    if distances is None:
        return None
    stacked = np.stack([pair.values for pair in distances.values()])
    with np.errstate(all="ignore"):
        counts = np.sum(~np.isnan(stacked), axis=0)
        total = np.nansum(stacked, axis=0)
        return np.where(counts > 0, total / np.maximum(counts, 1), np.nan)


def animal_rows(segments: list[Segment], scale: Scale, fps: float | None) -> list[dict]:
    """One row per animal and segment, and, for several segments, an `all` row pooling
    them (distances summed, speeds and fractions over every frame)."""
    series = [_per_frame(segment) for segment in segments]
    names = [str(name) for name in segments[0].centroid["individuals"].values]
    rows = []
    for segment, one in zip(segments, series, strict=True):
        rows += [_row(names, i, segment.part, [one], scale, fps) for i in range(len(names))]
    if len(segments) > 1:
        rows += [_row(names, i, "all", series, scale, fps) for i in range(len(names))]
    return rows


def _row(names, i, part, series, scale: Scale, fps) -> dict:
    def pooled(key):
        parts = [one[key] for one in series if one.get(key) is not None]
        return np.concatenate(parts) if parts else None

    present = pooled("present")[:, i]
    speed = pooled("speed")[:, i]
    speed = speed[np.isfinite(speed)]
    frames = int(present.size)
    tracked = int(present.sum())
    path = float(np.nansum([one["path"][i] for one in series])) if tracked > 1 else np.nan
    moving_px_s = (
        scale.moving_body_lengths_per_s * scale.body_length_px if scale.body_length_px else np.nan
    )
    row = {
        "part": part,
        "individual": names[i],
        "frames": frames,
        "frames_tracked": tracked,
        "time_tracked_s": tracked / fps if fps else np.nan,
        "fraction_missing": 1 - tracked / frames if frames else np.nan,
        "distance_px": path,
        "speed_median_px_s": float(np.median(speed)) if speed.size else np.nan,
        "speed_p95_px_s": float(np.percentile(speed, 95)) if speed.size else np.nan,
        "fraction_moving": (
            float(np.mean(speed > moving_px_s))
            if speed.size and moving_px_s == moving_px_s
            else np.nan
        ),
        "fraction_border": np.nan,
        "fraction_centre": np.nan,
        "nearest_neighbour_median_px": np.nan,
        "group_mean_distance_px": np.nan,
    }
    border, centre = pooled("border"), pooled("centre")
    if border is not None and tracked:
        row["fraction_border"] = float(border[:, i][present].mean())
        row["fraction_centre"] = float(centre[:, i][present].mean())
    nearest = pooled("nearest")
    if nearest is not None and np.isfinite(nearest[:, i]).any():
        row["nearest_neighbour_median_px"] = float(np.nanmedian(nearest[:, i]))
    pairwise = pooled("pairwise_mean")
    if pairwise is not None and np.isfinite(pairwise).any():
        row["group_mean_distance_px"] = float(np.nanmean(pairwise))
    if scale.px_per_mm:
        for key in ("distance", "speed_median", "speed_p95", "nearest_neighbour_median",
                    "group_mean_distance"):  # fmt: skip
            unit = "_px_s" if key.startswith("speed") else "_px"
            row[key + unit.replace("px", "mm")] = row[key + unit] / scale.px_per_mm
    row["body_length_px"] = scale.body_length_px
    row["body_length_from"] = scale.body_length_source
    row["moving_above_px_s"] = moving_px_s
    row["gaps"] = f"{GAP_POLICY} (movement): a gap counts as the straight line across it"
    return row
