"""`pixi run skip`/`unskip` edit config/config.yaml without losing an entry or a comment."""

import pytest

from idtracker_flow.cli import skip
from idtracker_flow.project.config import ConfigError

CONFIG = """\
# The lab's settings
video_dirs: [videos]
skip:
  # first comment
  - v/a  # inline a
  # comment below a
  - v/b
  # comment below b
  - v/c
# about the next key
jobs_per_gpu: 1
"""


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for job in "abcd":
        (tmp_path / "settings" / "v").mkdir(parents=True, exist_ok=True)
        (tmp_path / "settings" / "v" / f"{job}.toml").write_text("number_of_animals = 2\n")
    config = tmp_path / "config" / "config.yaml"
    config.parent.mkdir()
    config.write_text(CONFIG)
    return config


def without(text: str, *lines: str) -> str:
    kept = text.splitlines(keepends=True)
    for line in lines:
        kept.remove(line)
    return "".join(kept)


@pytest.mark.parametrize(
    "job, gone",
    [("v/a", "  - v/a  # inline a\n"), ("v/b", "  - v/b\n"), ("v/c", "  - v/c\n")],
)
def test_unskip_removes_only_the_entry_line(project, job, gone):
    skip.edit([job], add=False, config=project)
    assert project.read_text() == without(CONFIG, gone)


def test_unskip_of_every_entry_keeps_every_comment(project):
    skip.edit(["v/a", "v/b", "v/c"], add=False, config=project)
    text = project.read_text()
    for comment in ("# first comment", "# comment below a", "# comment below b", "# about the"):
        assert comment in text
    assert "skip: []" in text and "jobs_per_gpu: 1" in text


def test_skip_appends_below_the_last_entry_not_below_the_next_keys_comment(project):
    skip.edit(["v/d"], add=True, config=project)
    assert project.read_text() == CONFIG.replace("  - v/c\n", "  - v/c\n  - v/d\n")


def test_a_config_the_schema_refuses_is_left_as_it_is(project):
    project.write_text("skip: v/a  # a string, not a list\n")
    with pytest.raises(ConfigError, match="skip: 'v/a' is not of type 'array'"):
        skip.edit(["v/b"], add=True, config=project)
    assert project.read_text() == "skip: v/a  # a string, not a list\n"
