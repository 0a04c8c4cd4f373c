"""The setting names idtracker.ai accepts, read from the installed package without importing it.

idtracker.ai accepts a key when it names a `Session` annotation (lower case) or a `ConfParams`
field (upper case; keys are case-insensitive). Importing idtracker.ai pulls in torch and Qt
(seconds), so the two class bodies are read with `ast` instead.
"""

import ast
import difflib
import importlib.util
from functools import lru_cache
from pathlib import Path

# Keys idtracker.ai 6 removed, and what to do instead (its own messages, __main__.py).
PROTOCOL_3_GONE = "Protocol 3 was replaced by the contrastive protocol; delete the line"
REMOVED_KEYS = {
    "add_time_column_to_csv": "delete the line; idtracker.ai now always adds the time column",
    "convert_trajectories_to_csv_and_json": "use trajectories_formats instead",
    "protocol3_action": PROTOCOL_3_GONE,
    "threshold_acceptable_accumulation": PROTOCOL_3_GONE,
    "maximum_number_of_parachute_accumulations": PROTOCOL_3_GONE,
    "max_ratio_of_pretrained_images": PROTOCOL_3_GONE,
}


def _class_annotations(source: Path, class_name: str) -> set[str]:
    tree = ast.parse(source.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == class_name:
            return {
                item.target.id
                for item in node.body
                if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name)
            }
    return set()


@lru_cache(maxsize=1)
def accepted_keys() -> frozenset[str] | None:
    """Lower-case keys idtracker.ai accepts, or None when idtracker.ai is not installed here."""
    spec = importlib.util.find_spec("idtrackerai")  # finds the package, runs nothing
    if spec is None or not spec.submodule_search_locations:
        return None
    package = Path(next(iter(spec.submodule_search_locations)))
    session = _class_annotations(package / "session.py", "Session")
    conf = _class_annotations(package / "utils" / "confparams.py", "ConfParams")
    if not session or not conf:
        return None  # a layout this code does not know: better no check than a wrong one
    return frozenset(session | {key.lower() for key in conf})


def unknown_keys(keys) -> list[str]:
    accepted = accepted_keys()
    if accepted is None:
        return []
    return [key for key in keys if key.lower() not in accepted]


def closest_key(key: str) -> str | None:
    matches = difflib.get_close_matches(key.lower(), accepted_keys() or (), n=1, cutoff=0.6)
    return matches[0] if matches else None


def describe_unknown(key: str) -> str:
    """What to tell the user about one key idtracker.ai would reject."""
    if key.lower() in REMOVED_KEYS:
        return (
            f"'{key}' is not a setting of idtracker.ai 6 (it would stop the run).\n"
            f"What to do: {REMOVED_KEYS[key.lower()]}."
        )
    suggestion = closest_key(key)
    hint = f"Did you mean '{suggestion}'? Fix" if suggestion else "Fix"
    return (
        f"'{key}' is not a setting idtracker.ai knows (it would stop the run).\n"
        f"What to do: {hint} the name, or delete the line."
    )
