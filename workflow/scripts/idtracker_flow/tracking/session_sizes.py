"""How large this project's sessions get: a job starts only with room for the largest so far."""

import json
import os
from pathlib import Path

from idtracker_flow.project import atomic_files

RECORD = Path(".snakemake") / "idtracker-flow" / "largest-session.json"


def size_of(folder: Path) -> int:
    total = 0
    for root, _, files in os.walk(folder):
        for name in files:
            try:
                total += os.stat(os.path.join(root, name)).st_size
            except OSError:
                continue
    return total


def largest(record: Path = RECORD) -> int:
    try:
        return int(json.loads(record.read_text())["bytes"])
    except (OSError, ValueError, KeyError, TypeError):
        return 0


def remember(session: Path, record: Path = RECORD) -> None:
    """Keep the size of `session` when it is the largest yet (a lost race costs nothing)."""
    size = size_of(session)
    if size > largest(record):
        try:
            atomic_files.write_text(record, json.dumps({"bytes": size, "session": str(session)}))
        except OSError:
            pass
