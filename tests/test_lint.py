"""Formatting and lint stay clean: ruff, snakefmt and snakemake --lint."""

import subprocess
import sys

from conftest import REPO


def run(*command):
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True)


def test_ruff_check():
    result = run(sys.executable, "-m", "ruff", "check", ".")
    assert result.returncode == 0, result.stdout


def test_ruff_format():
    result = run(sys.executable, "-m", "ruff", "format", "--check", ".")
    assert result.returncode == 0, result.stdout


def test_snakefmt():
    result = run(sys.executable, "-m", "snakefmt", "--check", "Snakefile", "workflow")
    assert result.returncode == 0, result.stderr


def test_snakemake_lint(workspace):
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "--lint"],
        cwd=workspace.root,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
