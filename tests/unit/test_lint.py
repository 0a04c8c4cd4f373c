"""Formatting and lint stay clean (ruff with a complexity limit, snakefmt, snakemake --lint),
and the package's layout rules hold."""

import re
import subprocess
import sys

from conftest import REPO

from idtracker_flow.project import steps


def run(*command):
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True)


def test_ruff_check():
    result = run(sys.executable, "-m", "ruff", "check", ".")
    assert result.returncode == 0, result.stdout


def test_ruff_format():
    result = run(sys.executable, "-m", "ruff", "format", "--check", ".")
    assert result.returncode == 0, result.stdout


def test_snakefmt():
    result = run(sys.executable, "-m", "snakefmt", "--check", "workflow")
    assert result.returncode == 0, result.stderr


def test_snakemake_lint(workspace):
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "--lint"],
        cwd=workspace.root,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_one_import_path_edit_in_one_place():
    """The package is found by Python itself (flow.py, rule scripts, pytest.ini); only the
    Snakefile adds workflow/scripts/ to the path, for itself."""
    edits = []
    for path in [*REPO.glob("workflow/**/*.py"), *REPO.glob("workflow/**/*.smk")]:
        edits += [path for line in path.read_text().splitlines() if "sys.path." in line]
    tests = [p for p in REPO.glob("tests/**/*.py") if p.name != "test_lint.py"]
    edits += [p for p in tests if "sys.path." in p.read_text()]
    snakefile = REPO / "workflow" / "Snakefile"
    assert edits == [], edits
    assert snakefile.read_text().count("sys.path.insert") == 1


def test_every_step_is_a_rule_with_the_steps_output_and_log():
    """The rules take each step's output and log from the step table (project/steps.py)."""
    rules = (REPO / "workflow" / "rules" / "tracking.smk").read_text()
    constants = {step: name for name, step in vars(steps).items() if isinstance(step, steps.Step)}
    for step in steps.STEPS:
        body = re.search(rf"^rule {step.name}:\n((?:[ \t].*\n|\n)*)", rules, re.MULTILINE)
        assert body, f"no rule {step.name}"
        constant = constants[step]
        assert re.search(rf"=(update\()?steps\.{constant}\.output", body[1]), step.name
        assert f"steps.{constant}.log" in body[1], step.name
