"""`pixi run demo`: track a synthetic video end to end and compare with its ground truth.

Makes a small workspace in demo/ (a seeded synthetic video of animals that cross, its
settings file, the project's config), runs the whole workflow on it with the default
profile, then prints where the trajectories are, how well they match the truth and the
job's row of the quality table.

Usage: python workflow/scripts/flow.py demo [--animals 2] [--frames 200] [--quick] [--folder demo]
"""

import argparse
import shutil
import subprocess
import sys
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


def run_workflow(folder: Path) -> int:
    command = [
        sys.executable, "-m", "snakemake",
        "--snakefile", str(PROJECT / "workflow" / "Snakefile"),
        "--directory", str(folder),
        "--workflow-profile", str(PROJECT / "workflow" / "profiles" / "default"),
    ]  # fmt: skip
    print("Running:", " ".join(command), flush=True)
    return subprocess.run(command).returncode


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--animals", type=int, default=2)
    parser.add_argument("--frames", type=int, default=200)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="positions only, without identities (under 1 min on 2 CPU cores instead of ~3)",
    )
    parser.add_argument("--folder", type=Path, default=PROJECT / "demo")
    args = parser.parse_args(argv)

    folder = args.folder.resolve()
    identities = not args.quick
    video, job = prepare(folder, args.animals, args.frames, identities)
    if run_workflow(folder) != 0:
        print(
            f"\nThe demo run failed: see the messages above and the logs in {folder}/results/logs/"
        )
        return 1
    trajectories = folder / job_path(TRAJECTORIES, video, job)
    score = ground_truth.score_files(trajectories, folder / "videos" / f"{video}.groundtruth.csv")
    print(f"\nDemo finished. Trajectories: {trajectories}")
    print(f"idtracker.ai session: {folder / 'results' / 'sessions' / video / f'session_{job}'}")
    print("\nCompared with the ground truth:")
    print(ground_truth.summary(score))
    print(f"\nThe same job in the quality table ({folder / 'results' / 'qc' / 'summary.csv'}):")
    qc_metrics.print_job_row(video, job, project=folder)
    if not identities:
        print(
            "(Tracked without identities: identities may swap at crossings; run"
            " `pixi run demo` without --quick to track them.)"
        )
    return 0
