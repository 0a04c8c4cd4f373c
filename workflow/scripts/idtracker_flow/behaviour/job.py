"""The behaviour of one job or one recording: its table (one row per animal, and per part
of a recording) and its two pictures, from its movement dataset."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from idtracker_flow import trackers
from idtracker_flow.behaviour import measures, plots, zones
from idtracker_flow.project import atomic_files
from idtracker_flow.settings import reader

SPEED_PLOT_POINTS = 5000  # a longer video's speed is drawn from every n-th frame


def scale_of(dataset, options: dict, name: str, key: str) -> measures.Scale:
    """The body length: config's, else the tracker's own, else the keypoints' spread; when
    none is known, the measures that need it stay empty and the table says which key to give
    (`key`: the name under config's behaviour: body_length_px)."""
    length = None
    if options["body_length_px"]:
        length, source = float(options["body_length_px"]), "config"
    elif dataset.attrs.get("body_length_px"):
        length = float(dataset.attrs["body_length_px"])
        source = str(dataset.attrs.get("source_software") or "the tracker")
    elif spread := measures.keypoint_spread(dataset.position):
        length, source = spread, "keypoint spread"
    else:
        source = (
            f"unknown (the tracker measured none, one keypoint): fraction_moving and the"
            f" border need it; give it as behaviour: body_length_px: {{{key}: 40}}"
        )
    return measures.Scale(
        length, source, options["px_per_mm"], options["moving_body_lengths_per_s"]
    )


def zones_of(options: dict, settings_path: Path | None, scale: measures.Scale):
    """The arena (config's, else the settings' regions), or None when neither draws one."""
    if scale.body_length_px is None:
        return None  # the border's width is in body lengths
    border = options["border_width_body_lengths"] * scale.body_length_px
    if options["arena"]:
        return zones.zones(zones.from_config(options["arena"]), border, "config")
    if settings_path is None:
        return None
    settings = reader.read_settings(settings_path)
    regions = trackers.for_settings(settings).arena(settings)
    return zones.zones(regions, border, "settings") if regions else None


def measure(name: str, key: str, dataset, segments_settings: list[tuple[str, object, Path | None]],
            options: dict, outputs: dict[str, Path], ids: dict) -> list[dict]:  # fmt: skip
    """Measure `segments_settings` ((part, time selection, repaired settings) each), write
    the table and pictures in `outputs`; `ids` are the row's naming columns; `key` the name
    config's per-video settings use (the video, or the recording)."""
    scale = scale_of(dataset, options, name, key)
    centroid = measures.centroid(dataset.position)
    segments = []
    for part, selection, settings in segments_settings:
        part_zones = zones_of(options, settings, scale)
        segments.append(measures.Segment(part, centroid.isel(time=selection), part_zones))
    fps = dataset.attrs.get("fps")
    rows = [{**ids(row["part"]), **row} for row in measures.animal_rows(segments, scale, fps)]
    source = {s.part: s.zones.source if s.zones else "none" for s in segments}
    for row in rows:
        row["arena_from"] = source.get(row["part"], source[segments[0].part])
    _write_table(rows, outputs["table"])
    _pictures(name, centroid, segments[0].zones, scale, outputs, dataset)
    return rows


def _write_table(rows: list[dict], path: Path) -> None:
    import pandas as pd

    atomic_files.write_with(path, lambda partial: pd.DataFrame(rows).to_csv(partial, index=False))


def _pictures(name, centroid, arena_zones, scale, outputs, dataset) -> None:
    from movement.kinematics import compute_speed

    step = max(1, centroid.sizes["time"] // SPEED_PLOT_POINTS)
    speed = compute_speed(centroid).isel(time=slice(None, None, step))
    units = "px/s"
    if scale.px_per_mm:
        speed, units = speed / scale.px_per_mm, "mm/s"
    width = dataset.attrs.get("width")
    height = dataset.attrs.get("height")
    atomic_files.write_with(
        outputs["occupancy"],
        lambda partial: plots.occupancy_plot(centroid, arena_zones, name, partial, width, height),
    )
    atomic_files.write_with(
        outputs["speed"], lambda partial: plots.speed_plot(speed, name, partial, units)
    )


def of_job(video: str, job: str, movement_file: Path, settings: Path, options: dict,
           outputs: dict[str, Path]) -> list[dict]:  # fmt: skip
    import xarray as xr

    with xr.open_dataset(movement_file) as dataset:
        dataset.load()
    selection = np.arange(dataset.sizes["time"])
    return measure(
        f"{video}/{job}", video, dataset, [("", selection, settings)], options, outputs,
        lambda part: {"video": video, "job": job, "recording": ""},
    )  # fmt: skip


def of_recording(recording: str, movement_file: Path, settings_of_part: dict[str, Path],
                 options: dict, outputs: dict[str, Path]) -> list[dict]:  # fmt: skip
    """Part by part (the recording's `job` coordinate says which frames are whose), and all
    parts pooled."""
    import xarray as xr

    with xr.open_dataset(movement_file) as dataset:
        dataset.load()
    parts = [str(part) for part in dataset["job"].values]
    order = list(dict.fromkeys(parts))
    segments = [
        (part, np.flatnonzero(np.asarray(parts) == part), settings_of_part.get(part))
        for part in order
    ]

    def ids(part):
        video, _, job = part.partition("/") if part != "all" else ("", "", "")
        return {"video": video, "job": job, "recording": recording}

    return measure(recording, recording, dataset, segments, options, outputs, ids)
