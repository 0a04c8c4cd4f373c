"""The package's layers, read from its imports (AST, nothing is imported): a lower package
never imports a higher one, a tracker's folder imports only the base and the protocol, and
nothing outside a tracker's folder decides by that tracker's name. DEVELOPERS.md, "The layer
rule", says why; `python3 ../shared/tools/package_layers.py workflow/scripts/idtracker_flow`
draws the same graph."""

import ast
import re
from pathlib import Path

import pytest
from conftest import REPO

from idtracker_flow import trackers

PACKAGE = REPO / "workflow" / "scripts" / "idtracker_flow"
SCRIPTS = REPO / "workflow" / "scripts"
# Lowest first. A package imports only packages of lower layers (and itself).
LAYERS = [
    ["project"],
    ["trackers"],
    ["settings", "tracking"],
    ["exports"],
    ["recordings", "behaviour"],
    ["qc"],
    ["state"],
    ["console"],
    ["demo"],
    ["cli"],
]
LAYER_OF = {name: level for level, names in enumerate(LAYERS) for name in names}
# Outside a tracker's folder, these may use that tracker's own modules: recordings are
# idtracker.ai's capability (idmatcher.ai), the GUI command is idtracker.ai's app.
TRACKER_USERS = {"idtrackerai": {"recordings", "cli"}, "deeplabcut": set()}
# What every tracker may use of trackers/ beside its own folder: the protocol, the poses of
# pose trackers, and the helpers of trackers in an environment of their own (none of them
# knows a tracker).
TRACKERS_BASE = ("protocol", "poses", "separate_python", "job_keys")


def modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        yield path, parts


def imported(path: Path) -> list[str]:
    """Every idtracker_flow module `path` imports (without the package prefix)."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "idtracker_flow":
                names += [alias.name for alias in node.names]
            elif node.module.startswith("idtracker_flow."):
                base = node.module.removeprefix("idtracker_flow.")
                names += [f"{base}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names += [
                alias.name.removeprefix("idtracker_flow.")
                for alias in node.names
                if alias.name.startswith("idtracker_flow.")
            ]
    return names


def package_of(parts) -> str | None:
    return parts[0] if len(parts) > 1 else None


def test_every_subpackage_has_a_layer():
    found = {path.name for path in PACKAGE.iterdir() if (path / "__init__.py").is_file()}
    assert found == set(LAYER_OF)


def test_no_package_imports_a_higher_or_a_sibling_one():
    wrong = []
    for path, parts in modules():
        own = package_of(parts)
        if own is None:
            continue
        for name in imported(path):
            other = name.split(".")[0]
            if other in LAYER_OF and other != own and LAYER_OF[other] >= LAYER_OF[own]:
                wrong.append(f"{'/'.join(parts)}.py imports {name}")
    assert wrong == []


def test_project_imports_nothing_of_the_package():
    for path, parts in modules():
        if package_of(parts) == "project":
            assert [name for name in imported(path) if not name.startswith("project")] == []


def test_a_tracker_imports_only_the_base_and_the_protocol():
    wrong = []
    for path, parts in modules():
        if parts[0] != "trackers" or len(parts) < 3:
            continue
        allowed = ("project", f"trackers.{parts[1]}", *(f"trackers.{m}" for m in TRACKERS_BASE))
        for name in imported(path):
            if not name.startswith(allowed):
                wrong.append(f"{'/'.join(parts)}.py imports {name}")
    assert wrong == []


def test_outside_a_trackers_folder_only_declared_users_import_it():
    wrong = []
    for path, parts in modules():
        for name in imported(path):
            match = re.match(r"trackers\.(\w+)", name)
            if not match or match[1] in TRACKERS_BASE:
                continue
            tracker = match[1]
            if parts[:2] == ("trackers", tracker) or parts == ("trackers", "__init__"):
                continue
            if package_of(parts) not in TRACKER_USERS.get(tracker, set()):
                wrong.append(f"{'/'.join(parts)}.py imports {name}")
    assert wrong == []


@pytest.mark.parametrize("tracker", trackers.names()[1:])
def test_no_code_outside_its_folder_names_a_tracker(tracker):
    """Every tracker but the default one (idtracker.ai, whose recordings and GUI are declared
    above): words in strings and comments are the user's (messages); names in code decide."""
    wrong = []
    for path in [*PACKAGE.rglob("*.py"), *SCRIPTS.glob("*.py")]:
        relative = path.relative_to(SCRIPTS)
        if relative.parts[:3] == ("idtracker_flow", "trackers", tracker):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            named = (
                node.id
                if isinstance(node, ast.Name)
                else node.attr
                if isinstance(node, ast.Attribute)
                else node.module or ""
                if isinstance(node, ast.ImportFrom)
                else ""
            )
            if tracker in named.lower():
                wrong.append(f"{relative}:{node.lineno} {named}")
    assert wrong == []


def test_idtracker_file_names_live_in_its_folder_and_recordings():
    """trajectories.h5 and session.json are idtracker.ai's: known only by its folder, by
    recordings (its capability) and by the demo, which scores idtracker.ai's trajectories
    against the truth of its synthetic video."""
    wrong = []
    for path, parts in modules():
        if parts[:2] == ("trackers", "idtrackerai") or parts[0] in ("recordings", "demo"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if re.search(r"(?<![\w-])(trajectories\.h5|session\.json)\b", node.value):
                    if not node.value.strip().startswith(("What", "Note")):
                        wrong.append(f"{'/'.join(parts)}.py:{node.lineno} {node.value[:60]!r}")
    assert wrong == []
