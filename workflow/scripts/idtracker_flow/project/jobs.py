"""Find the jobs: every settings file at settings/<video>/<job>.toml is one job."""

import os
from pathlib import Path


def discover_jobs(settings_dir: Path | str = "settings") -> list[tuple[str, str]]:
    """(video, job) pairs, sorted; hidden files and folders are ignored."""
    jobs = []
    root = Path(settings_dir)
    if not root.is_dir():
        return jobs
    for video in os.scandir(root):
        if not video.is_dir() or video.name.startswith("."):
            continue
        for entry in os.scandir(video.path):
            name = entry.name
            if name.endswith(".toml") and not name.startswith(".") and entry.is_file():
                jobs.append((video.name, name[: -len(".toml")]))
    return sorted(jobs)
