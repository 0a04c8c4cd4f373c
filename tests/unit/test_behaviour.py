"""Behaviour measures against trajectories with known answers: an animal on a circle at a set
speed, one resting half the time, two at a fixed distance, one along the wall; in px and mm;
the arena from idtracker.ai's roi_list or config; the lab's metadata sheet. The real tracked
job and recording are checked in tests/workflow/test_behaviour_real_runs.py."""

import json

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from idtracker_flow.behaviour import job as behaviour_job
from idtracker_flow.behaviour import metadata, options, summary
from idtracker_flow.trackers.idtrackerai import arena as idtracker_arena

FPS = 25.0
SECONDS = 20
FRAMES = int(FPS * SECONDS)
SPEED = 50.0  # px/s
BODY = 20.0  # px


def dataset(position, names, keypoints=("centroid",), body_length=BODY, extra=None):
    """A movement poses dataset as the export writes it: position (frames, animals, kp, 2)."""
    from movement.io import load_poses

    ds = load_poses.from_numpy(
        position_array=position.transpose(0, 3, 2, 1),
        confidence_array=np.ones(position.shape[:3]).transpose(0, 2, 1),
        individual_names=list(names),
        keypoint_names=list(keypoints),
        fps=FPS,
        source_software="test",
    )
    if body_length:
        ds.attrs["body_length_px"] = body_length
    return ds.assign_coords(extra or {})


def on_circle(centre, radius, speed=SPEED, frames=FRAMES, phase=0.0):
    t = np.arange(frames) / FPS
    angle = phase + speed / radius * t
    return np.stack([centre[0] + radius * np.cos(angle), centre[1] + radius * np.sin(angle)], -1)


def config(**behaviour):
    base = {
        "moving_body_lengths_per_s": 0.5,
        "border_width_body_lengths": 1.0,
        "arena": {},
        "body_length_px": {},
    }
    base.update(behaviour)
    return {"behaviour": base, "exports": {"px_per_mm": {}}}


def measure(tmp_path, ds, settings_text="", opts=None, name="v"):
    movement = tmp_path / "v.movement.nc"
    ds.to_netcdf(movement, engine="netcdf4")
    settings = tmp_path / "j.toml"
    settings.write_text(settings_text)
    outputs = {key: tmp_path / f"out.{key}" for key in ("table", "occupancy", "speed")}
    rows = behaviour_job.of_job(
        name, "j", movement, settings, opts or options.of(config(), name), outputs
    )
    assert pd.read_csv(outputs["table"]).shape[0] == len(rows)
    assert outputs["occupancy"].read_bytes()[:4] == b"\x89PNG"
    assert outputs["speed"].read_bytes()[:4] == b"\x89PNG"
    return {row["individual"]: row for row in rows}


def test_an_animal_on_a_circle_at_a_set_speed(tmp_path):
    position = on_circle((200, 200), 100)[:, None, None, :]
    opts = {**options.of(config(), "v"), "px_per_mm": 2.0}
    row = measure(tmp_path, dataset(position, ["a"]), opts=opts)["a"]
    travelled = SPEED * (FRAMES - 1) / FPS
    assert row["distance_px"] == pytest.approx(travelled, rel=1e-3)
    assert row["distance_mm"] == pytest.approx(travelled / 2, rel=1e-3)
    assert row["speed_median_px_s"] == pytest.approx(SPEED, rel=1e-3)
    assert row["speed_p95_px_s"] == pytest.approx(SPEED, rel=1e-3)
    assert row["speed_median_mm_s"] == pytest.approx(SPEED / 2, rel=1e-3)
    assert row["fraction_moving"] == 1.0
    assert row["time_tracked_s"] == pytest.approx(SECONDS)
    assert row["fraction_missing"] == 0
    assert np.isnan(row["nearest_neighbour_median_px"])  # alone
    assert row["arena_from"] == "none" and np.isnan(row["fraction_border"])


def test_an_animal_resting_more_than_half_the_time(tmp_path):
    """Moving 40 % of the frames at SPEED, then still: the median speed is rest's."""
    moving = on_circle((200, 200), 100, frames=FRAMES * 2 // 5)
    resting = np.repeat(moving[-1:], FRAMES - len(moving), axis=0)
    position = np.concatenate([moving, resting])[:, None, None, :]
    row = measure(tmp_path, dataset(position, ["a"]))["a"]
    assert row["fraction_moving"] == pytest.approx(0.4, abs=1 / FRAMES)
    assert row["speed_median_px_s"] == pytest.approx(0, abs=1e-9)
    assert row["speed_p95_px_s"] == pytest.approx(SPEED, rel=1e-3)
    assert row["distance_px"] == pytest.approx(SPEED * (len(moving) - 1) / FPS, rel=1e-3)


def test_two_animals_at_a_fixed_distance(tmp_path):
    first = on_circle((300, 300), 100)
    second = first + np.array([30.0, 40.0])  # 50 px apart, always
    position = np.stack([first, second], axis=1)[:, :, None, :]
    rows = measure(tmp_path, dataset(position, ["a", "b"]))
    for row in rows.values():
        assert row["nearest_neighbour_median_px"] == pytest.approx(50.0)
        assert row["group_mean_distance_px"] == pytest.approx(50.0)


def test_an_animal_along_the_wall_of_the_settings_arena(tmp_path):
    """idtracker.ai's roi_list as its app writes it: an ellipse (a circle of radius 200)."""
    roi = "roi_list = [\"+ Ellipse {'center': [250, 250], 'axes': [200, 200], 'angle': 0}\"]\n"
    wall = on_circle((250, 250), 200 - BODY / 2)  # within one body length of the edge
    centre = on_circle((250, 250), 50)  # far from it
    position = np.stack([wall, centre], axis=1)[:, :, None, :]
    rows = measure(tmp_path, dataset(position, ["wall", "middle"]), settings_text=roi)
    assert rows["wall"]["fraction_border"] == 1.0 and rows["wall"]["fraction_centre"] == 0.0
    assert rows["middle"]["fraction_border"] == 0.0 and rows["middle"]["fraction_centre"] == 1.0
    assert rows["wall"]["arena_from"] == "settings"


def test_config_arena_wins_and_a_wider_border_takes_the_middle_animal(tmp_path):
    square = {"polygon": [[0, 0], [500, 0], [500, 500], [0, 500]]}
    middle = on_circle((250, 250), 50)  # 150-250 px from the edges
    position = middle[:, None, None, :]
    opts = {**options.of(config(border_width_body_lengths=10), "v"), "arena": square}
    row = measure(tmp_path, dataset(position, ["a"]), opts=opts)["a"]
    assert row["arena_from"] == "config"
    # 10 body lengths = 200 px: the centre is the square 200..300, the circle of radius 50
    # around 250 leaves it wherever |x-250| or |y-250| > 50 / sqrt(2)... i.e. never for
    # its diagonal points; measured against the geometry:
    angle = SPEED / 50 * np.arange(FRAMES) / FPS
    inside = (np.abs(50 * np.cos(angle)) <= 50) & (np.abs(50 * np.sin(angle)) <= 50)
    assert row["fraction_centre"] == pytest.approx(inside.mean(), abs=0.01)


def test_gaps_count_as_the_straight_line_across_them(tmp_path):
    xs = np.arange(FRAMES, dtype=float)  # 1 px per frame along x
    position = np.stack([xs, np.full(FRAMES, 100.0)], -1)[:, None, None, :]
    position[100:200] = np.nan
    row = measure(tmp_path, dataset(position, ["a"]))["a"]
    assert row["fraction_missing"] == pytest.approx(100 / FRAMES)
    assert row["distance_px"] == pytest.approx(FRAMES - 1)  # the 100 px gap as a line
    assert "straight line" in row["gaps"]


def test_a_pose_trackers_body_length_is_its_keypoints_spread(tmp_path):
    head = on_circle((200, 200), 100)
    tail = head + np.array([30.0, 0.0])
    position = np.stack([head, tail], axis=1)[:, None, :, :]  # one animal, two keypoints
    row = measure(tmp_path, dataset(position, ["a"], keypoints=("head", "tail"), body_length=None))[
        "a"
    ]
    assert row["body_length_px"] == pytest.approx(30.0)
    assert row["body_length_from"] == "keypoint spread"
    assert row["distance_px"] == pytest.approx(SPEED * (FRAMES - 1) / FPS, rel=1e-3)


def test_no_body_length_at_all_leaves_what_needs_it_empty_and_names_the_key(tmp_path):
    """A stand-in or a one-keypoint tracker without a body length: distances and speeds are
    measured; the moving fraction and the border (in body lengths) stay empty, and the table
    says which key gives them."""
    position = on_circle((200, 200), 100)[:, None, None, :]
    square = {"polygon": [[0, 0], [500, 0], [500, 500], [0, 500]]}
    opts = {**options.of(config(), "v"), "arena": square}
    row = measure(tmp_path, dataset(position, ["a"], body_length=None), opts=opts)["a"]
    assert row["distance_px"] == pytest.approx(SPEED * (FRAMES - 1) / FPS, rel=1e-3)
    assert np.isnan(row["fraction_moving"]) and np.isnan(row["fraction_border"])
    assert "behaviour: body_length_px: {v: 40}" in row["body_length_from"]


def test_a_recording_is_measured_part_by_part_and_pooled(tmp_path):
    first = on_circle((200, 200), 100, frames=250)
    second = on_circle((400, 400), 100, frames=250)  # the jump at the cut is no movement
    position = np.concatenate([first, second])[:, None, None, :]
    parts = np.array(["rec/p00"] * 250 + ["rec/p01"] * 250)
    ds = dataset(position, ["a"], extra={"job": ("time", parts)})
    movement = tmp_path / "rec.movement.nc"
    ds.to_netcdf(movement, engine="netcdf4")
    outputs = {key: tmp_path / f"out.{key}" for key in ("table", "occupancy", "speed")}
    rows = behaviour_job.of_recording("rec", movement, {}, options.of(config(), "rec"), outputs)
    by_part = {row["part"]: row for row in rows}
    assert set(by_part) == {"rec/p00", "rec/p01", "all"}
    assert by_part["rec/p00"]["video"] == "rec" and by_part["rec/p00"]["job"] == "p00"
    each = SPEED * 249 / FPS
    assert by_part["rec/p00"]["distance_px"] == pytest.approx(each, rel=1e-3)
    assert by_part["all"]["distance_px"] == pytest.approx(2 * each, rel=1e-3)
    assert by_part["all"]["recording"] == "rec" and by_part["all"]["video"] == ""


@pytest.mark.parametrize(
    "roi, expected",
    [
        (["+ Polygon [[0.0, 0.0], [10.0, 0.0], [10.0, 10.0]]"], [(True, 3)]),
        ("+ Polygon [[0, 0], [10, 0], [10, 10], [0, 10]]", [(True, 4)]),
        (
            [
                "+ Ellipse {'center': [5, 5], 'axes': [4, 2], 'angle': 30}",
                "- Polygon [[0, 0], [1, 0], [1, 1]]",
            ],
            [(True, idtracker_arena.ELLIPSE_VERTICES), (False, 3)],
        ),
        ("", None),
        (None, None),
        (["nonsense"], None),
    ],
)
def test_idtracker_roi_list_as_its_app_writes_it(roi, expected):
    regions = idtracker_arena.arena({"roi_list": roi})
    got = [(r.keep, len(r.vertices)) for r in regions] if regions else None
    assert got == expected


def test_an_options_file_changes_only_when_its_video_settings_change(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cfg = config()
    assert options.write_changed(cfg, {"videos": ["a", "b"], "recordings": ["r"]}) == 3
    assert options.write_changed(cfg, {"videos": ["a", "b"], "recordings": ["r"]}) == 0
    cfg["behaviour"]["body_length_px"]["b"] = 33
    assert options.write_changed(cfg, {"videos": ["a", "b"], "recordings": ["r"]}) == 1
    assert json.loads(open(options.path_of("videos", "b")).read())["body_length_px"] == 33
    cfg["behaviour"]["moving_body_lengths_per_s"] = 1.0  # a batch-wide setting: every file
    assert options.write_changed(cfg, {"videos": ["a", "b"], "recordings": ["r"]}) == 3


def table_of(tmp_path):
    rows = pd.DataFrame(
        {
            "video": ["fish1", "fish1", "fish2", "rec", ""],
            "job": ["j", "j", "j", "p00", ""],
            "recording": ["", "", "", "rec", "rec"],
            "part": ["", "", "", "rec/p00", "all"],
            "individual": ["a", "b", "a", "a", "a"],
            "distance_px": [1.0, 2.0, 3.0, 4.0, 8.0],
        }
    )
    path = tmp_path / "t.csv"
    rows.to_csv(path, index=False)
    return path


def test_the_metadata_sheet_is_joined_on_video_and_problems_are_named(tmp_path):
    sheet = tmp_path / "metadata.csv"
    sheet.write_text("video,genotype\nfish1,wt\nrec,mut\nfish9,wt\nfish1,het\n")
    table, problems = summary.build([table_of(tmp_path)], str(sheet))
    assert list(table["genotype"]) == ["wt", "wt", None, "mut", "mut"] or list(
        table["genotype"].fillna("-")
    ) == ["wt", "wt", "-", "mut", "mut"]
    text = "\n".join(problems)
    assert "fish9" in text and "no video of" in text  # names a video we do not have
    assert "no row for video fish2" in text  # lacks one
    assert "fish1 more than once" in text


def test_the_metadata_sheet_is_joined_on_recording(tmp_path):
    sheet = tmp_path / "metadata.csv"
    sheet.write_text("recording,treatment\nrec,drug\n")
    table, problems = summary.build([table_of(tmp_path)], str(sheet))
    assert list(table["treatment"].fillna("-")) == ["-", "-", "-", "drug", "drug"]
    assert problems == []


def test_a_sheet_without_a_key_column_says_what_to_name_it(tmp_path):
    sheet = tmp_path / "metadata.csv"
    sheet.write_text("name,genotype\nfish1,wt\n")
    with pytest.raises(metadata.MetadataError, match="no `video` or `recording` column"):
        summary.build([table_of(tmp_path)], str(sheet))


def test_the_batch_page_and_plot(tmp_path):
    sheet = tmp_path / "metadata.csv"
    sheet.write_text("video,genotype\nfish1,wt\nfish2,mut\nrec,mut\n")
    table, problems = summary.build([table_of(tmp_path)], str(sheet))
    outputs = {k: tmp_path / f"s.{k}" for k in ("csv", "parquet", "html", "plot")}
    notes = summary.write(table, problems, outputs, "distance_px", "genotype")
    assert notes == []
    assert pd.read_parquet(outputs["parquet"]).shape == table.shape
    page = outputs["html"].read_text()
    assert page.count("<tr>") == len(table) + 1 and "sort" in page
    assert outputs["plot"].read_bytes()[:4] == b"\x89PNG"
    notes = summary.write(table, problems, outputs, "no_such", "nor_this")
    assert any("plot_measure: no_such" in n for n in notes)
    assert any("group_by: nor_this" in n for n in notes)
    assert xr  # the datasets above are xarray's
