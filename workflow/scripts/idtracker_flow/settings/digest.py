"""What the DAG needs from each settings file, remembered between runs.

Snakemake calls the input functions for every job in every dry run and run. Reading and parsing
a settings file costs about 0.1 ms, a tenth of Snakemake's own work per file (bench/dag), so
the digest the DAG needs (the video paths as written, the tracker, whether it tracks
identities, and what the tracker's inputs are made from) is kept in
.snakemake/, keyed by each file's modification time and size. A file whose time or size changed
is read again: the same test Snakemake applies to decide what to run again.
"""

import json
import os
from pathlib import Path

from idtracker_flow import trackers
from idtracker_flow.project import atomic_files
from idtracker_flow.settings import reader
from idtracker_flow.trackers.protocol import UnknownTracker

CACHE = Path(".snakemake") / "idtracker-flow" / "settings-digests.json"
# Raise when the digest's content changes. The code's own file times are part of the key too,
# so a workflow update that reads settings differently starts a fresh cache.
FORMAT = 4


def digest(path: str) -> dict | None:
    """The digest of the settings file at `path` (see digest_of)."""
    try:
        settings = reader.read_settings(Path(path))
    except Exception:
        return None
    return digest_of(settings)


def digest_of(settings: dict) -> dict:
    """The video paths as written, the tracker's name (None: one this workflow does not know),
    whether it tracks identities (a part of a recording to match) and the tracker's own
    digest (`inputs`: what its DAG inputs are found from); None when the file cannot be read
    (the repair rule says why in its log)."""
    try:
        tracker = trackers.for_settings(settings)
    except UnknownTracker:
        return {"videos": reader.video_paths(settings), "tracker": None, "identities": False}
    return {
        "videos": reader.video_paths(settings),
        "tracker": tracker.NAME,
        "identities": matches_identities(tracker, settings),
        "inputs": tracker.digest(settings),
    }


def matches_identities(tracker, settings: dict) -> bool:
    """Tracked with identities by a tracker that matches them across the parts of a
    recording (its "recordings" capability)."""
    return "recordings" in tracker.CAPABILITIES and tracker.with_identities(settings)


def with_identities(settings: dict) -> bool:
    """The job tracks identities (its tracker says; False for a tracker not known here)."""
    try:
        return trackers.for_settings(settings).with_identities(settings)
    except UnknownTracker:
        return False


def code_version() -> str:
    stamps = [FORMAT]
    # Every module whose output the cache stores: this one, the reader, every tracker's.
    for module in (__file__, reader.__file__, *trackers.code_files()):
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
