"""`pixi run demo`: track a synthetic video end to end and compare with its ground truth.

Makes a small workspace in demo/ (a seeded synthetic video of animals that cross, its
settings file, the project's config), runs the whole workflow on it with the default
profile, then prints where the trajectories are, how well they match the truth and the
job's row of the quality table. The run is the one `pixi run track` makes: its console.

With --recording it also tracks a recording in two parts (the same animals moving on from one
video to the next), matches their identities with idmatcher.ai and scores the joined recording.

Usage: python workflow/scripts/flow.py demo [--animals 2] [--frames 200] [--quick] [--recording]
       [--folder demo]
"""

import argparse
import os
import shutil
from pathlib import Path

from idtracker_flow.demo import ground_truth, synthetic_video
from idtracker_flow.project.layout import REPOSITORY as PROJECT
from idtracker_flow.project.layout import TRAJECTORIES, job_path
from idtracker_flow.qc import metrics as qc_metrics


def prepare(folder: Path, animals: int, frames: int, identities: bool) -> tuple[str, str]:
    """The demo workspace: video, ground truth, settings and config. Returns (video, job)."""
    video, job = "demo", "identities" if identities else "positions"
    info = synthetic_video.make_video(folder / "videos", animals, frames, name=video)
    settings = folder / "settings" / video / f"{job}.toml"
    settings.parent.mkdir(parents=True, exist_ok=True)
    extra = {"disable_contrastive": True} if identities else {}
    # A path as the segmentation app on a Windows PC would save it: the repair step finds the
    # video by name in videos/, as it would for a lab's own files.
    windows_path = "D:\\\\recordings\\\\" + info["video"].name
    synthetic_video.write_settings(
        settings, windows_path, animals, track_wo_identities=not identities, **extra
    )
    lines = settings.read_text().splitlines()
    lines[0] = f"video_paths = ['{windows_path}']"
    settings.write_text("\n".join(lines) + "\n")
    (folder / "config").mkdir(exist_ok=True)
    shutil.copy2(PROJECT / "config" / "config.yaml", folder / "config" / "config.yaml")
    return video, job


RECORDING, PART_FRAMES = "fish1", 150


def prepare_recording(folder: Path, animals: int) -> list[Path]:
    """Two parts of one recording, tracked with identities (no contrastive step: minutes on a
    CPU). Returns the parts' ground-truth files in time order."""
    made = synthetic_video.make_recording(
        folder / "videos", 2, PART_FRAMES, animals, name=RECORDING
    )
    for info in made:
        settings = folder / "settings" / RECORDING / f"{info['video'].stem}.toml"
        settings.parent.mkdir(parents=True, exist_ok=True)
        synthetic_video.write_settings(
            settings, info["video"], animals, track_wo_identities=False, disable_contrastive=True
        )
    return [info["groundtruth"] for info in made]


def recording_note(folder: Path, truths: list[Path]) -> str:
    """The recording's state (matched or flagged, as the quality table says) and the joined
    recording against the truth of both parts."""
    import json

    summary = json.loads((folder / "recordings" / RECORDING / "matches.json").read_text())
    score = ground_truth.score_recording(
        folder / "recordings" / RECORDING / f"{RECORDING}.tidy.parquet", truths
    )
    flags = f" ({summary['flags']})" if summary.get("flags") else ""
    return "\n".join([
        "",
        f"Recording {RECORDING}: {summary['parts']} parts {summary['state']}{flags},"
        f" files in recordings/{RECORDING}/",
        "The joined recording against the truth of both parts (one identity per animal):",
        ground_truth.summary(score),
    ])  # fmt: skip


def run_workflow(folder: Path) -> int:
    """The run a user gets from `pixi run track` (the launcher, its sizing and its console),
    in the demo's own project folder."""
    from idtracker_flow.cli import track

    here = Path.cwd()
    os.chdir(folder)
    try:
        return track.main(["--snakefile", str(PROJECT / "workflow" / "Snakefile")])
    finally:
        os.chdir(here)


def closing_note(folder: Path, video: str, job: str, identities: bool) -> str:
    """Where the demo's files are and its quality flags, short enough to leave the comparison
    with the ground truth (printed after it) on the first screen."""
    row = qc_metrics.read_job_row(video, job, project=folder)
    folder_of_job = (folder / job_path(TRAJECTORIES, video, job)).parent
    files = sorted(p.name.removeprefix(job) for p in folder_of_job.glob(f"{job}.*"))
    lines = [
        "",
        f"Demo finished: {video}/{job} tracked, in {folder}",
        f"  analysis files: tracking/{video}/{job} {' '.join(files)}",
        f"  quality table:  results/qc/summary.csv, flags: {row.get('flags') or 'none'}",
        "  behaviour:      results/behaviour/summary.html",
    ]
    if not identities:
        lines.append(
            "  (without identities: they may swap at crossings; `pixi run demo` tracks them)"
        )
    return "\n".join(
        [*lines, "Compared with the ground truth (the paths the video was drawn from):"]
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--animals", type=int, default=2)
    parser.add_argument("--frames", type=int, default=200)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="positions only, without identities (under 1 min on 2 CPU cores instead of ~3)",
    )
    parser.add_argument(
        "--recording",
        action="store_true",
        help="also a recording in two parts, matched across them (a few minutes more)",
    )
    parser.add_argument("--folder", type=Path, default=PROJECT / "demo")
    args = parser.parse_args(argv)

    folder = args.folder.resolve()
    identities = not args.quick
    video, job = prepare(folder, args.animals, args.frames, identities)
    truths = prepare_recording(folder, args.animals) if args.recording else []
    if run_workflow(folder) != 0:
        print(f"\nThe demo run failed: see the lines above and the logs in {folder}/results/logs/")
        return 1
    trajectories = folder / job_path(TRAJECTORIES, video, job)
    score = ground_truth.score_files(trajectories, folder / "videos" / f"{video}.groundtruth.csv")
    print(closing_note(folder, video, job, identities))
    print(ground_truth.summary(score))
    if truths:
        print(recording_note(folder, truths))
    return 0
