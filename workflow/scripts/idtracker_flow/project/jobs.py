"""Find the jobs: every settings file at settings/<video>/<job>.toml is one job.

An entry named like a settings file that is not a readable file (a folder, a link to a share
that is not mounted) is no job Snakemake can run, but it is never dropped silently: status
lists it as failed and every run names it (`unusable_settings`).
"""

import os
import re
from pathlib import Path

# Characters Snakemake cannot take in a wildcard's value: braces are read as a wildcard in
# the file name (a WildcardError stops the whole batch), a backslash breaks its constraints.
UNUSABLE_IN_NAMES = re.compile(r"[{}\\\x00-\x1f]")


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


def usable_name(video: str, job: str) -> bool:
    return not (UNUSABLE_IN_NAMES.search(video) or UNUSABLE_IN_NAMES.search(job))


def discover_jobs(settings_dir: Path | str = "settings") -> list[tuple[str, str]]:
    """(video, job) pairs, sorted; names Snakemake cannot take are left to unusable_settings."""
    return sorted(
        (video, job)
        for video, job, entry in _entries(settings_dir)
        if entry.is_file() and usable_name(video, job)
    )


def unusable_settings(settings_dir: Path | str = "settings") -> list[tuple[str, str, str]]:
    """(video, job, what is wrong) for settings names that are no file to read."""
    found = []
    for video, job, entry in _entries(settings_dir):
        if not usable_name(video, job):
            odd = sorted(set(UNUSABLE_IN_NAMES.findall(f"{video}/{job}")))
            shown = " ".join(repr(c)[1:-1] for c in odd)
            found.append((video, job, (
                f"{entry.path}: its name holds {shown}, which Snakemake cannot take in a file"
                " name pattern. What to do: rename it without these characters (letters,"
                " digits, - and _ are safe)"
            )))  # fmt: skip
            continue
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
