"""The set-up files agree: pixi.toml, requirements*.txt, the conda env and the task commands.

Pixi cannot be installed on our machines, so pixi.toml is checked here by reading it.
"""

import re
import shlex
import shutil
import sys
import tomllib
from pathlib import Path

import yaml
from conftest import REPO

SEED_COMMANDS = {"track", "track-dryrun", "copy", "demo", "test"}


def pins(lines) -> dict[str, str]:
    found = {}
    for line in lines:
        line = line.split("#")[0].strip()
        if match := re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*={2,3}\s*([^\s;]+)", line):
            found[match.group(1).lower()] = match.group(2)
    return found


def pixi() -> dict:
    return tomllib.loads((REPO / "pixi.toml").read_text())


def test_pixi_pins_match_requirements():
    manifest = pixi()
    declared = {
        name.lower(): spec.lstrip("=")
        for table in (
            manifest["pypi-dependencies"],
            *[f.get("pypi-dependencies", {}) for f in manifest.get("feature", {}).values()],
        )
        for name, spec in table.items()
    }
    required = pins((REPO / "requirements.txt").read_text().splitlines())
    required |= pins((REPO / "requirements-dev.txt").read_text().splitlines())
    import tasks

    # Each tracker's own environment (requirements-<name>.txt, the Pixi feature <name>).
    environments = tasks.tracker_environments()
    assert environments  # DeepLabCut's at least
    for name, requirements in environments.items():
        own = pins(requirements.read_text().splitlines())
        # One torch for every environment: each pins the same versions as the workflow's.
        assert all(required.get(package, pin) == pin for package, pin in own.items()), name
        feature = manifest["feature"][name]["pypi-dependencies"]
        assert {n.lower(): spec.lstrip("=") for n, spec in feature.items()} == own, name
        required |= own
    assert declared == required


def test_conda_env_matches_requirements():
    env = yaml.safe_load((REPO / "workflow" / "envs" / "idtracker-flow.yaml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    required = pins((REPO / "requirements.txt").read_text().splitlines())
    required.pop("snakemake-executor-plugin-slurm")  # runs on the login node, not in rules
    assert pins(pip_section) == required


def test_every_task_command_exists():
    tasks = pixi()["tasks"]
    assert SEED_COMMANDS <= set(tasks)
    bin_dir = Path(sys.executable).parent
    for name, task in tasks.items():
        assert task.get("description"), f"task {name} has no description"
        words = shlex.split(task["cmd"])
        assert shutil.which(words[0], path=str(bin_dir)) or shutil.which(words[0]), name
        if words[0] == "python" and words[1] != "-m":
            assert (REPO / words[1]).is_file(), f"task {name}: {words[1]} is missing"
        if words[:2] == ["python", "-m"]:
            __import__(words[2])


def test_tasks_py_runs_pixi_tasks(monkeypatch):
    import tasks

    assert set(tasks.read_tasks()) == set(pixi()["tasks"])
    command = tasks.command_for({"cmd": "python workflow/scripts/flow.py track -n"}, ["--quiet"])
    assert command[0] == str(tasks.PYTHON)
    assert command[1:] == ["workflow/scripts/flow.py", "track", "-n", "--quiet"]


def test_one_version_everywhere():
    from idtracker_flow import __version__
    from idtracker_flow.cli import versions

    citation = yaml.safe_load((REPO / "CITATION.cff").read_text())
    assert str(citation["version"]) == __version__
    assert f"## [{__version__}]" in (REPO / "CHANGELOG.md").read_text()
    assert versions().startswith(f"idtracker-flow {__version__} (idtrackerai ")


def test_test_files_have_unique_names():
    """pytest imports test files by their base name (no __init__.py): two files of one name in
    tests/unit/ and tests/workflow/ stop the whole run at collection."""
    names = [path.name for path in (REPO / "tests").rglob("test_*.py")]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)


def test_the_workflow_catalog_file_says_how_to_run_it():
    """.snakemake-workflow-catalog.yml as the catalog reads it (usage: mandatory-flags,
    software-stack-deployment, report), with a profile that is there."""
    usage = yaml.safe_load((REPO / ".snakemake-workflow-catalog.yml").read_text())["usage"]
    flags = usage["mandatory-flags"]["flags"].split()
    assert flags[0] == "--workflow-profile" and (REPO / flags[1] / "config.yaml").is_file()
    assert set(usage["software-stack-deployment"]) == {"conda", "apptainer", "apptainer+conda"}
    assert usage["report"] is False
    assert (REPO / "config" / "README.md").is_file()  # the catalog shows it as the configuration
