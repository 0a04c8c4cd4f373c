"""Reading the workflow's small JSON files (records, notes, caches): one reader for all."""

import json
from pathlib import Path


def read_json(path) -> dict:
    """The file's object, or {} when it is missing, unreadable or not an object. (idtracker.ai
    writes Infinity, which json reads.)"""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
