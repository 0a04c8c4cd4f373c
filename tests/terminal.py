"""A real terminal for tests: tmux runs a command at a given size while the screen is captured
every second, as a person would see it; and what the console of a run may show."""

import os
import re
import shlex
import shutil
import subprocess
import time
from pathlib import Path

import pytest

# Every line the console of `pixi run track` (and the demo's closing note) may put on the screen.
# A line of any other program (idtracker.ai, idmatcher.ai, a library's warning, a progress
# bar, Snakemake's own blocks) matches none of them.
OUR_LINES = [
    re.compile(pattern)
    for pattern in (
        r"Preparing the run\.\.\.",  # the console's first words, until Snakemake has planned
        r"No NVIDIA GPU to share: .*",
        r"Tracking jobs at once: .*",  # the launcher's sizing line on a GPU machine
        r"Tracking \d+ jobs?\. Snakemake's full output: .*",
        r"\d+ steps to run, no tracking\. Snakemake's full output: .*",
        r"\d+ done, \d+ failed, \d+ running, \d+ waiting of \d+ tracking jobs \| .+ elapsed \| .+",
        r"  \S.*, \d+ (s|min|h \d+ min)",  # a running job with its stage, or a step after it
        r"idtracker-flow run finished.*",
        r"Quality table: .*",
        r"Analysis files: .*",
        r"  recordings \(parts joined, one identity per animal\): .*",
        r"  behaviour: .*",
        r"Recordings:",
        r"  [\w.-]+: (matched|flagged|matching|waiting|pending|outdated|failed): .*",
        r"  failed: .*",
        r"Not tracked: .*",
        r"Note: .*",  # config keys naming no folder under settings/
        r"FAILED .*",
        r"retrying .*",
        r"Nothing to do: .*",
        r"Stopped while tracking .*",
        r"The run started .* was interrupted; .*",
        r"Snakemake's full log: .*",
        r"EXIT=\d+",
    )
]


def need_tmux() -> None:
    if shutil.which("tmux") is None:
        if os.environ.get("CI"):
            pytest.fail("tmux is not installed (apt-get install tmux; .ci/run does)")
        pytest.skip("tmux is not installed (apt-get install tmux)")


def _tmux(*args: str, socket: str) -> str:
    done = subprocess.run(["tmux", "-L", socket, *args], capture_output=True, text=True)
    return done.stdout


def screens_of(
    command: list[str], folder, width: int, height: int, timeout: float = 900
) -> list[str]:
    """Run `command` in `folder` in a tmux terminal of width x height; every screen seen, a
    second apart, until the command ended (the last screen ends with `EXIT=<status>`)."""
    socket = f"idtf-{time.time_ns()}"
    line = f"cd {shlex.quote(str(folder))} && {shlex.join(command)}; echo EXIT=$?; sleep 900"
    _tmux("new-session", "-d", "-x", str(width), "-y", str(height), line, socket=socket)
    screens = []
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            # -J: a line the terminal wrapped comes back as the one line it is.
            screens.append(_tmux("capture-pane", "-p", "-J", "-t", "0", socket=socket))
            if "EXIT=" in screens[-1]:
                break
            time.sleep(1)
    finally:
        _tmux("kill-server", socket=socket)
    # Every screen, for a look after a failure (tests/artifacts/ is git-ignored).
    artifacts = Path(__file__).parent / "artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / f"screens-{Path(str(folder)).name}.txt").write_text("\n=====\n".join(screens))
    return screens


def _ours(line: str) -> bool:
    return any(p.fullmatch(line) for p in OUR_LINES)


def foreign_lines(screens: list[str]) -> list[str]:
    """Lines on any screen that no pattern of OUR_LINES accounts for. A row that continues
    the row above it (the console wrapped one of its lines: rich wraps at the width it sees,
    80 columns when it cannot read the terminal's) counts as ours when the two make one of ours,
    and so does the tail of one of our lines on a row of its own (left by a redraw)."""
    seen, joined = set(), set()
    for screen in screens:
        rows = [row.rstrip() for row in screen.splitlines()]
        for above, row in zip(["", *rows], rows):
            if row.strip():
                seen.add(row)
                if above.strip() and _ours(f"{above} {row.lstrip()}"):
                    joined.add(row)
    ours = {line for line in seen if _ours(line)}
    return sorted(
        line
        for line in seen - ours - joined
        if not any(whole.endswith(" " + line.lstrip()) for whole in ours)
    )
