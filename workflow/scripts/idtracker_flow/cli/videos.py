"""`pixi run videos [--flagged] [<video>/<job> ...]`: videos with the trajectories drawn on
them (results/videos/<video>/<job>.avi), by the tracker's own video generator (idtracker.ai's,
DeepLabCut's create_labeled_video; a tracker without one says how to draw its own).

Not part of a default run (a video per job takes time and disk): every tracked job, or the
jobs named and (--flagged) those the quality table flags.
"""

import csv
from pathlib import Path

from idtracker_flow import trackers
from idtracker_flow.cli import track
from idtracker_flow.project import layout, steps
from idtracker_flow.project.json_files import read_json
from idtracker_flow.state import facts

USAGE = "Usage: pixi run videos [--flagged] [<video>/<job> ...]"


def flagged_jobs(summary: Path) -> list[tuple[str, str]]:
    with open(summary, newline="", encoding="utf-8") as handle:
        return [(row["video"], row["job"]) for row in csv.DictReader(handle) if row["flags"]]


def chosen_jobs(args: list[str], tracked: list[tuple[str, str]]) -> list[tuple[str, str]] | str:
    """The jobs to make videos of, or what is wrong with the arguments: the jobs named
    (flagged or not), the flagged ones with --flagged, every tracked job without either."""
    named = [arg for arg in args if not arg.startswith("-")]
    keys = [tuple(name.split("/", 1)) for name in named]
    if unknown := [name for name, key in zip(named, keys) if key not in tracked]:
        return f"Not tracked (yet): {', '.join(unknown)}. {USAGE}"
    if "--flagged" in args:
        if not Path(layout.QC_SUMMARY_CSV).is_file():
            return f"There is no quality table ({layout.QC_SUMMARY_CSV}) yet: run `pixi run track`."
        flagged = flagged_jobs(Path(layout.QC_SUMMARY_CSV))
        keys += [key for key in flagged if key in tracked and key not in keys]
    return keys if named or "--flagged" in args else tracked


def tracker_of(key: tuple[str, str]):
    return trackers.for_record(read_json(steps.TRACK.output_of(*key)))


def main(args: list[str]) -> int:
    if unknown := [a for a in args if a.startswith("-") and a != "--flagged"]:
        print(f"Unknown option {unknown[0]}. {USAGE}")
        return 2
    tracked = [
        key for key in facts.Project().targets if Path(steps.TRACK.output_of(*key)).is_file()
    ]
    named = [arg for arg in args if not arg.startswith("-")]
    jobs = chosen_jobs(args, tracked)
    if isinstance(jobs, str):
        print(jobs)
        return 1
    without = {}  # tracker -> its jobs, for trackers that draw no overlay here
    for key in jobs:
        if (tracker := tracker_of(key)).no_overlay():
            without.setdefault(tracker, []).append(key)
    for tracker, keys in without.items():
        names = ", ".join(layout.job_id(*key) for key in keys)
        print(f"Left out ({tracker.DISPLAY_NAME} jobs): {names}. {tracker.no_overlay()}")
        jobs = [key for key in jobs if key not in keys]
    if not jobs:
        why = "none is flagged" if "--flagged" in args else "none tracked yet"
        print(f"No job to make a video of ({'the jobs named are left out' if named else why}).")
        return 0
    print(f"Videos of {len(jobs)} jobs in results/videos/.")
    targets = [layout.job_file(layout.OVERLAY_VIDEO, *key) for key in jobs]
    return track.main([*targets, "--allowed-rules", "overlay_video"])
