"""Matches already computed, kept per part: re-tracking one part re-matches only that part.

A match depends on the two sessions' fragments, identification images and models; they
change only when a session is tracked again, which rewrites its tracked record. The key is
those files' times and sizes.
"""

import json
from pathlib import Path

from idtracker_flow.project import atomic_files


def key_of(*files: Path) -> list:
    key = []
    for path in files:
        stat = path.stat()
        key.append([str(path), stat.st_mtime_ns, stat.st_size])
    return key


def load(path: Path, key: list) -> dict | None:
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return stored["match"] if stored.get("key") == key else None


def save(path: Path, key: list, match: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_files.write_text(path, json.dumps({"key": key, "match": match}) + "\n")
