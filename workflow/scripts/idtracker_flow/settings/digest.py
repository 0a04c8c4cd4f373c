"""What the DAG needs from each settings file, remembered between runs.

Snakemake calls the input functions for every job in every dry run and run. Reading and parsing
a settings file costs about 0.1 ms, a tenth of Snakemake's own work per file (bench/dag), so
the digest the DAG needs (the video paths as written, the knowledge-transfer folder,
whether it tracks identities) is kept in
.snakemake/, keyed by each file's modification time and size. A file whose time or size changed
is read again: the same test Snakemake applies to decide what to run again.
"""

import json
import os
from pathlib import Path

from idtracker_flow.deeplabcut import job_settings as deeplabcut_settings
from idtracker_flow.project import atomic_files
from idtracker_flow.settings import reader

CACHE = Path(".snakemake") / "idtracker-flow" / "settings-digests.json"
# Raise when the digest's content changes. The code's own file times are part of the key too,
# so a workflow update that reads settings differently starts a fresh cache.
FORMAT = 3


def digest(path: str) -> dict | None:
    """The video paths as written, the knowledge-transfer folder, whether it tracks
    identities (a part of a recording to match) and a DeepLabCut job's model; None when the
    file cannot be read (the repair rule says why in its log)."""
    try:
        settings = reader.read_settings(Path(path))
    except Exception:
        return None
    folder = settings.get("knowledge_transfer_folder")
    return {
        "videos": reader.video_paths(settings),
        "transfer": str(folder) if folder else None,
        "identities": with_identities(settings),
        "deeplabcut": deeplabcut_model(settings),
    }


def deeplabcut_model(settings: dict) -> dict | None:
    """A DeepLabCut job's project (as written) and which snapshot; None for idtracker.ai."""
    if not deeplabcut_settings.is_deeplabcut(settings):
        return None
    return {"project": str(settings.get("project") or ""), **deeplabcut_settings.options(settings)}


def with_identities(settings: dict) -> bool:
    try:
        animals = int(settings.get("number_of_animals") or 0)
    except (TypeError, ValueError):
        return False
    return animals > 1 and not settings.get("track_wo_identities")


def code_version() -> str:
    stamps = [FORMAT]
    for module in (__file__, reader.__file__):
        stat = os.stat(module)
        stamps += [stat.st_mtime_ns, stat.st_size]
    return ":".join(map(str, stamps))


class DigestCache:
    def __init__(self, cache: Path = CACHE):
        # Settings paths are relative to the project folder, the working directory while the
        # DAG is built; Snakemake may be elsewhere at exit (`--directory`), so hold on to it.
        self.root = Path.cwd()
        self.cache = self.root / cache
        self.version = code_version()
        self.entries = self._load()
        self.seen: set[str] = set()
        self.changed = False

    def _load(self) -> dict:
        try:
            data = json.loads(self.cache.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or data.get("version") != self.version:
            return {}
        return data.get("entries", {})

    def get(self, path: str) -> dict | None:
        """The digest of one settings file (None when missing or unreadable)."""
        try:
            stat = os.stat(path)
        except OSError:
            return None
        stamp = [stat.st_mtime_ns, stat.st_size]
        self.seen.add(path)
        entry = self.entries.get(path)
        if entry is not None and entry[0] == stamp:
            return entry[1]
        value = digest(path)
        self.entries[path] = [stamp, value]
        self.changed = True
        return value

    def save(self) -> None:
        """Write the cache when something was read anew. Entries of deleted settings files are
        dropped. The file is replaced whole, so a run beside this one reads the old or the new
        one; a failure costs only time (the next run reads the files again)."""
        if not self.changed:
            return
        entries = {
            path: entry
            for path, entry in self.entries.items()
            if path in self.seen or (self.root / path).exists()
        }
        try:
            atomic_files.write_text(
                self.cache, json.dumps({"version": self.version, "entries": entries})
            )
        except OSError:
            pass
