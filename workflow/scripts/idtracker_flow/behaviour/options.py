"""Each video's and each recording's behaviour settings, as small files the DAG watches.

The workflow reruns by file times (the profile's rerun-triggers: mtime), so a changed setting
must change a file: the main process writes `results/behaviour/options/<kind>/<name>.json`
when (and only when) its content changes. A new speed threshold then remeasures behaviour
only; a new arena for one video, that video's jobs only; tracking and exports never.
"""

from __future__ import annotations

import json
import os

from idtracker_flow.project import atomic_files

OPTIONS = "results/behaviour/options/{kind}/{name}.json"
INDEX = "results/behaviour/options/index.json"
GLOBAL_KEYS = ("moving_body_lengths_per_s", "border_width_body_lengths")


def path_of(kind: str, name: str) -> str:
    return OPTIONS.format(kind=kind, name=name)


def of(config: dict, name: str) -> dict:
    """What the behaviour of one video (or recording) depends on in config."""
    behaviour = config["behaviour"]
    return {
        **{key: behaviour[key] for key in GLOBAL_KEYS},
        "arena": behaviour["arena"].get(name),
        "body_length_px": behaviour["body_length_px"].get(name),
        "px_per_mm": config["exports"]["px_per_mm"].get(name),
    }


def write_changed(config: dict, names_by_kind: dict[str, list[str]]) -> int:
    """Write the options file of every name whose options changed (or are new); returns how
    many were written. One index file remembers the last contents, so an unchanged batch of
    10,000 videos reads one file, not 10,000."""
    try:
        with open(INDEX, encoding="utf-8") as file:
            index = json.load(file)
    except (OSError, ValueError):
        index = {}
    written = 0
    for kind, names in names_by_kind.items():
        for name in names:
            text = json.dumps(of(config, name), sort_keys=True)
            key = f"{kind}/{name}"
            path = path_of(kind, name)
            if index.get(key) == text and os.path.isfile(path):
                continue
            atomic_files.write_text(path, text + "\n")
            index[key] = text
            written += 1
    if written:
        atomic_files.write_text(INDEX, json.dumps(index, sort_keys=True) + "\n")
    return written
