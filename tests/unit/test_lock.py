"""The locked install: each lock agrees with the short list people read, covers every package
with hashes, and tasks.py installs from it; the provenance record names the lock."""

import re
from pathlib import Path

import pytest

import tasks
from idtracker_flow.exports import lock

ROOT = Path(__file__).resolve().parents[2]
# The workflow's own and every tracker environment's (requirements-<name>.txt, tasks.py).
TRACKER_LISTS = sorted(tasks.tracker_environments().values())
SHORT_LISTS = ["requirements.txt", "requirements-dev.txt", *(p.name for p in TRACKER_LISTS)]
LOCKS = ["requirements.lock", *(tasks.lock_of(p).name for p in TRACKER_LISTS)]


def direct_pins(requirements: Path) -> dict[str, str]:
    """name -> version of the short list's pinned packages (and those of files it includes)."""
    found = {}
    for line in requirements.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line.startswith("-r "):
            found |= direct_pins(requirements.parent / line[3:].strip())
        elif match := re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)\s*===?\s*(\S+)$", line):
            found[lock.normalized(match[1])] = match[2]
    return found


@pytest.mark.parametrize("short_list", SHORT_LISTS)
def test_the_lock_has_every_pinned_package_at_the_same_version(short_list):
    requirements = ROOT / short_list
    locked = ROOT / tasks.lock_of(requirements).name
    pins = lock.pins(locked.read_text())
    versions = {}
    for name, version, _ in pins:
        versions.setdefault(name, set()).add(version)
    direct = direct_pins(requirements)
    assert direct, short_list
    for name, version in direct.items():
        assert versions.get(name) == {version}, (short_list, name, version, versions.get(name))
    # Made from the short list tasks.py installs (uv's header names the command).
    source = "requirements-dev.txt" if short_list == "requirements.txt" else short_list
    assert f"uv pip compile {source} " in locked.read_text().splitlines()[1]


@pytest.mark.parametrize("locked", LOCKS)
def test_every_package_of_a_lock_has_a_version_and_hashes(locked):
    text = (ROOT / locked).read_text()
    entries = re.split(r"\n(?=\S)", text)
    packages = [entry for entry in entries if not entry.startswith("#")]
    assert len(packages) == len(lock.pins(text)) > 50
    for entry in packages:
        assert "--hash=sha256:" in entry, entry.splitlines()[0]


def test_tasks_installs_from_the_lock_with_hashes_by_uv_or_pip(monkeypatch):
    python = Path("/venv/bin/python")
    monkeypatch.setattr(tasks.shutil, "which", lambda name: None)
    pip = tasks.install_command(python, tasks.REQUIREMENTS)
    assert pip[:4] == [str(python), "-m", "pip", "install"]
    assert pip[-3:] == ["--require-hashes", "-r", str(ROOT / "requirements.lock")]
    monkeypatch.setattr(tasks.shutil, "which", lambda name: "/usr/bin/uv")
    uv = tasks.install_command(python, ROOT / "requirements-dlc.txt")
    assert uv[:3] == ["/usr/bin/uv", "pip", "install"] and "--python" in uv
    assert uv[-3:] == ["--require-hashes", "-r", str(ROOT / "requirements-dlc.lock")]


def test_a_changed_lock_installs_again(tmp_path, monkeypatch):
    for name in ("requirements.txt", "requirements-dev.txt", "requirements.lock"):
        (tmp_path / name).write_text(f"{name}\n")
    monkeypatch.setattr(tasks, "ROOT", tmp_path)
    monkeypatch.setattr(tasks, "REQUIREMENTS", tmp_path / "requirements-dev.txt")
    before = tasks.requirements_hash()
    (tmp_path / "requirements.lock").write_text("another lock\n")
    assert tasks.requirements_hash() != before


def test_provenance_names_the_lock_and_what_differs_from_it(tmp_path, monkeypatch):
    record = lock.record()
    assert record["file"] == "requirements.lock" and len(record["sha256"]) == 64
    fake = tmp_path / "requirements.lock"
    fake.write_text(
        "rich==0.0.1 \\\n    --hash=sha256:00\n"
        "pywin32==311 ; sys_platform == 'win32' \\\n    --hash=sha256:00\n"
    )
    monkeypatch.setattr(lock, "LOCK", fake)
    differs = lock.record()["not_as_locked"]
    assert differs["rich"]["locked"] == "0.0.1" and differs["rich"]["installed"] != "0.0.1"
    assert "pywin32" not in differs  # another platform's package
