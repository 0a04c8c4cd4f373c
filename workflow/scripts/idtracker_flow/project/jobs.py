"""Find the jobs: every settings file at settings/<video>/<job>.toml is one job.

An entry named like a settings file that is not a readable file (a folder, a link to a share
that is not mounted) is no job Snakemake can run, but it is never dropped silently: status
lists it as failed and every run names it (`unusable_settings`).
"""

import os
from pathlib import Path


def _entries(settings_dir: Path | str):
    """(video, job, entry) for every settings-like name, hidden ones left out."""
    root = Path(settings_dir)
    if not root.is_dir():
        return
    for video in os.scandir(root):
        if not video.is_dir() or video.name.startswith("."):
            continue
        for entry in os.scandir(video.path):
            name = entry.name
            if name.endswith(".toml") and not name.startswith("."):
                yield video.name, name[: -len(".toml")], entry


def discover_jobs(settings_dir: Path | str = "settings") -> list[tuple[str, str]]:
    """(video, job) pairs, sorted."""
    return sorted((video, job) for video, job, entry in _entries(settings_dir) if entry.is_file())


def unusable_settings(settings_dir: Path | str = "settings") -> list[tuple[str, str, str]]:
    """(video, job, what is wrong) for settings names that are no file to read."""
    found = []
    for video, job, entry in _entries(settings_dir):
        if entry.is_file():
            continue
        if entry.is_dir():
            why = (
                f"{entry.path} is a folder, not a settings file. What to do: move the settings"
                " files in it to settings/<video>/, or rename it so it does not end in .toml"
            )
        elif entry.is_symlink():
            why = (
                f"{entry.path} is a link to {os.readlink(entry.path)}, which is not there (a"
                " share that is not mounted?). What to do: mount it, or delete the link"
            )
        else:
            why = f"{entry.path} is not a regular file. What to do: save the settings again"
        found.append((video, job, why))
    return sorted(found)
