"""Find the files a settings file points at, wherever the settings were saved.

A path is tried, in order: as written (doubled backslashes collapsed, a UNC prefix kept),
through the user's prefix map, relative to the settings file, and by file name in the video
folders. Every place tried is remembered so an error can list them.
"""

import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path


def normalise(raw: str) -> str:
    """A path as written, with forward slashes.

    The segmentation app saves Python repr() strings, so every backslash is doubled; runs of
    backslashes are one separator. A leading pair (a UNC share) stays a pair.
    """
    if "\\" not in raw:
        return raw
    is_unc = raw.startswith("\\\\")
    path = re.sub(r"[\\/]+", "/", raw)
    return "//" + path.lstrip("/") if is_unc else path


def is_windows_path(path: str) -> bool:
    """A drive-letter or UNC path (after normalise)."""
    return bool(re.match(r"^[A-Za-z]:(/|$)", path)) or path.startswith("//")


def file_name(path: str) -> str:
    return normalise(path).rstrip("/").rsplit("/", 1)[-1]


def apply_prefix(path: str, prefixes: dict[str, str]) -> str | None:
    """The path with the longest matching prefix replaced, or None when none matches."""
    best = None
    for written, local in prefixes.items():
        prefix = normalise(written).rstrip("/")
        # Windows paths compare case-insensitively, as Windows does.
        fold = is_windows_path(prefix)
        head, subject = (prefix.lower(), path.lower()) if fold else (prefix, path)
        matches = subject == head or subject.startswith(head + "/")
        if matches and (best is None or len(prefix) > len(best[0])):
            best = (prefix, local)
    if best is None:
        return None
    rest = path[len(best[0]) :].lstrip("/")
    return str(Path(best[1]) / rest) if rest else best[1]


@lru_cache(maxsize=32)
def _index_folders(folders: tuple[str, ...]) -> dict[str, tuple[Path, ...]]:
    index: dict[str, list[Path]] = {}
    for folder in folders:
        for root, dirs, files in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                index.setdefault(name, []).append(Path(root) / name)
    return {name: tuple(paths) for name, paths in index.items()}


def find_by_name(name: str, folders: list[str]) -> tuple[Path, ...]:
    """Every file called `name` under the folders (searched once per process, then cached)."""
    return _index_folders(tuple(str(folder) for folder in folders)).get(name, ())


def forget_folder_index() -> None:
    """Search the folders again next time (used after files were added, e.g. in tests)."""
    _index_folders.cache_clear()


@dataclass
class Lookup:
    """Where one path from a settings file was looked for, and what was found."""

    written: str
    found: Path | None = None
    tried: list[str] = field(default_factory=list)
    same_name: tuple[Path, ...] = ()
    folders: list[Path] = field(default_factory=list)  # where a file was wanted: a folder

    @property
    def ambiguous(self) -> bool:
        return self.found is None and len(self.same_name) > 1


def locate(
    written: str,
    settings_file: Path,
    prefixes: dict[str, str],
    search_folders: list[str],
    want_dir: bool = False,
) -> Lookup:
    """Find `written` (a path from `settings_file`) on this machine."""
    lookup = Lookup(written)
    exists = Path.is_dir if want_dir else Path.is_file
    path = normalise(written)

    def attempt(candidate: Path, how: str) -> bool:
        if exists(candidate):
            lookup.tried.append(f"{candidate} ({how})")
            lookup.found = candidate
            return True
        if not want_dir and candidate.is_dir():
            lookup.folders.append(candidate)
            how += ": a folder, not a file"
        lookup.tried.append(f"{candidate} ({how})")
        return False

    if not is_windows_path(path) or os.name == "nt":
        if attempt(Path(path).expanduser(), "as written"):
            return lookup
    else:
        lookup.tried.append(f"{path} (as written: a Windows path, not usable on this computer)")
    mapped = apply_prefix(path, prefixes)
    if mapped is None:
        lookup.tried.append("path_prefixes in config/config.yaml (no prefix matches)")
    elif attempt(Path(mapped).expanduser(), "prefix map in config/config.yaml"):
        return lookup
    relative = not Path(path).is_absolute() and not is_windows_path(path)
    if relative and attempt(settings_file.parent / path, "relative to the settings file"):
        return lookup
    if want_dir:
        return lookup
    name = file_name(path)
    lookup.same_name = find_by_name(name, search_folders)
    folders = ", ".join(f"{folder}/" for folder in search_folders) or "(no folders configured)"
    if len(lookup.same_name) == 1:
        lookup.found = lookup.same_name[0]
        lookup.tried.append(f"{lookup.found} (by file name in {folders})")
    else:
        lookup.tried.append(f"file name {name!r} in {folders}")
    return lookup


def describe_failure(
    lookup: Lookup, key: str, settings_file: Path, job: str, what: str, video_dirs: bool = True
) -> str:
    """One message that says which file, which key, where we looked and what to do.
    `video_dirs`: whether the video folders were searched (videos; not a model's project)."""
    lines = [
        f"Job {job}: {key} in {settings_file} points at '{lookup.written}'.",
    ]
    if lookup.ambiguous:
        lines.append(f"The {what} {file_name(lookup.written)!r} was found in more than one place:")
        lines += [f"  - {path}" for path in lookup.same_name]
        lines.append(
            "What to do: keep one copy, or write the full path in the settings file, or add a"
            " prefix mapping to config/config.yaml so the path as written leads to the right one."
        )
        return "\n".join(lines)
    if lookup.folders:
        folder = lookup.folders[0]
        inside = (
            sorted(p.name for p in folder.iterdir() if p.is_file())[:5] if folder.is_dir() else []
        )
        lines.append(
            f"That is the folder {folder}, not a {what} file. What to do: write the path of the"
            f" {what} file itself in the settings file"
            + (f"; files in that folder: {', '.join(inside)}" if inside else "")
            + " (or open the video again in the segmentation app, `pixi run gui`, and save)."
        )
        return "\n".join(lines)
    lines.append(f"The {what} was not found. Looked in:")
    lines += [f"  - {place}" for place in lookup.tried]
    folder = "/".join(normalise(lookup.written).rstrip("/").split("/")[:-1]) or "."
    where = (
        f"put the {what} into one of the video folders (config/config.yaml, video_dirs)"
        if video_dirs
        else f"write the path of the {what} as it is on this computer in {settings_file}"
    )
    lines.append(
        f"What to do: {where}, or add a prefix mapping to config/config.yaml, e.g.\n"
        f"  path_prefixes:\n    {folder!r}: /the/same/folder/on/this/computer"
    )
    return "\n".join(lines)


def session_reference(written: str) -> tuple[str, str] | None:
    """(video, job) when a path names a session of this workflow: .../<video>/session_<job>.

    knowledge_transfer_folder may point at a session folder or its accumulation folder.
    """
    match = re.search(
        r"(?:^|/)([^/]+)/session_([^/]+?)(?:/accumulation[^/]*)?/?$", normalise(written)
    )
    return (match.group(1), match.group(2)) if match else None
