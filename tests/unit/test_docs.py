"""`pixi run docs`: markdown rendered for the terminal, not printed raw."""

import subprocess

import pytest
from conftest import REPO, run_task

SAMPLE = REPO / "tests" / "fixtures" / "docs_sample.md"


def run_docs(*args) -> subprocess.CompletedProcess:
    return run_task(REPO, "docs", *args, "--width", "80", timeout=60)


def test_renders_headings_tables_and_code_without_markdown_syntax():
    result = run_docs(str(SAMPLE))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Sample project" in out and "Commands" in out
    assert "pixi run gui" in out and "Open a video" in out and "pixi run track" in out
    for raw in ("# Sample", "**bold**", "|---|", "```"):
        assert raw not in out
    assert any(c in out for c in "─━│┃"), "the table should be drawn with rules"


def test_missing_file_is_a_clear_error(tmp_path):
    result = run_docs(str(tmp_path / "README.md"))
    assert result.returncode == 1
    assert "not found" in result.stderr


@pytest.mark.skipif(not (REPO / "README.md").exists(), reason="no README.md in this checkout")
def test_renders_the_real_readme():
    result = run_docs()
    assert result.returncode == 0, result.stderr
    first_heading = next(
        line.lstrip("# ").strip()
        for line in (REPO / "README.md").read_text().splitlines()
        if line.startswith("#")
    )
    assert first_heading in result.stdout
    assert "```" not in result.stdout
