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


def test_a_docs_page_by_its_name():
    result = run_docs("troubleshooting")
    assert result.returncode == 0, result.stderr
    assert "Troubleshooting" in result.stdout and "R580" in result.stdout
    assert "##" not in result.stdout


def test_every_link_between_the_pages_leads_somewhere():
    """The README's first screen points into docs/: each relative link names a file there is,
    and a #section of a page a heading it has (as GitHub makes anchors)."""
    import re

    pages = [
        REPO / "README.md",
        REPO / "config" / "README.md",
        *sorted((REPO / "docs").glob("*.md")),
    ]
    assert len(pages) > 3
    for page in pages:
        for target in re.findall(r"\]\(([^)#\s]*)(#[^)\s]*)?\)", page.read_text()):
            path, anchor = target
            if path.startswith("http"):
                continue
            linked = (page.parent / path).resolve() if path else page
            assert linked.exists(), (page.name, path)
            if anchor and linked.suffix == ".md":
                headings = re.findall(r"^#+ (.+)$", linked.read_text(), re.MULTILINE)
                anchors = {
                    re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings
                }
                assert anchor[1:] in anchors, (page.name, path, anchor)


def test_the_first_screen_has_the_set_up_the_driver_and_five_steps():
    first = "\n".join((REPO / "README.md").read_text().splitlines()[:60])
    for needed in ("python3 tasks.py demo", "R580", "pixi run gui", "pixi run track",
                   "pixi run status", "pixi run report", ".movement.nc"):  # fmt: skip
        assert needed in first, needed
