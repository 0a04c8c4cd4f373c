"""The lock a job's environment was installed from (requirements.lock, every package of the
pip set-up with its exact version), for the provenance record: the lock's digest, and the
installed packages whose version is not the locked one (none when installed from it)."""

import hashlib
import importlib.metadata
import re

from idtracker_flow.project import layout

LOCK = layout.REPOSITORY / "requirements.lock"
PINNED = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")


def normalized(name: str) -> str:
    """A package's name as the index compares names (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(text: str) -> list[tuple[str, str, str]]:
    """(name, version, environment marker or "") of every package line of a lock."""
    found = (PINNED.match(line) for line in text.splitlines())
    return [(normalized(m[1]), m[2], (m[3] or "").strip()) for m in found if m]


def differences(text: str) -> dict[str, dict]:
    """Packages of this platform installed at another version than the lock's, or missing."""
    from packaging.markers import Marker

    differ = {}
    for name, version, marker in pins(text):
        if marker and not Marker(marker).evaluate():
            continue  # another platform's or Python's package
        try:
            installed = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            installed = None
        if installed != version:
            differ[name] = {"installed": installed, "locked": version}
    return differ


def record() -> dict:
    try:
        text = LOCK.read_text(encoding="utf-8")
    except OSError:
        return {"file": LOCK.name, "sha256": None, "note": "no lock beside the workflow"}
    return {
        "file": LOCK.name,
        "sha256": hashlib.sha256(text.encode()).hexdigest(),
        "not_as_locked": differences(text),
    }
