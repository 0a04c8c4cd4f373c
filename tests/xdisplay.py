"""A virtual X display (Xvfb) for GUI tests, and helpers to look at and drive its windows.

Windows are found and keys pressed with xdotool; screenshots are taken with Qt (PyQt6 comes
with idtracker.ai), in a separate process so the test process never holds a Qt application.
Every process a test starts runs in its own process group, killed whole at the end, because
idtracker.ai runs its GUI in a child process and starts multiprocessing helpers.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

TOOLS = ("Xvfb", "xdotool")

GRAB = """
import sys
from PyQt6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
image = app.primaryScreen().grabWindow(0).toImage()
sys.exit(0 if image.save(sys.argv[1]) else 1)
"""


def require_tools() -> None:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        message = f"GUI test needs {', '.join(missing)} (apt-get install xvfb xdotool)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


class Display:
    def __init__(self, number: str):
        self.name = f":{number}"
        self.env = {**os.environ, "DISPLAY": self.name, "QT_QPA_PLATFORM": "xcb"}

    def xdotool(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["xdotool", *args],
            check=False,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=30,
        )

    def wait_for_window(self, title_regex: str, timeout: float) -> tuple[str, str]:
        """(window id, full title) of the first window whose title matches; fails on timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.xdotool("search", "--onlyvisible", "--name", title_regex).stdout.split()
            if found:
                return found[0], self.xdotool("getwindowname", found[0]).stdout.strip()
            time.sleep(0.5)
        pytest.fail(f"no window titled like {title_regex!r} within {timeout} s")

    def screenshot(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-c", GRAB, str(path)],
            env=self.env,
            check=True,
            timeout=60,
        )
        return path

    def press(self, window: str, key: str) -> None:
        # No window manager runs here, so give the window the keyboard focus explicitly.
        self.xdotool("windowfocus", "--sync", window)
        self.xdotool("key", key)


def start_xvfb() -> tuple[subprocess.Popen, Display]:
    read_end, write_end = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
        pass_fds=(write_end,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    os.close(write_end)
    # Xvfb writes the display number it chose, then a newline.
    with os.fdopen(read_end) as pipe:
        number = pipe.readline().strip()
    if not number:
        server.kill()
        pytest.fail("Xvfb did not start")
    return server, Display(number)


def process_group_members(pgid: int) -> list[int]:
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(stat.parent.name))
    return members


def kill_group(process: subprocess.Popen, grace: float = 5) -> list[int]:
    """Kill a process started with start_new_session=True and everything in its group.
    Returns the pids still alive afterwards (should be none)."""
    pgid = process.pid
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and process_group_members(pgid):
            time.sleep(0.2)
            process.poll()  # reap the direct child so it does not linger as a zombie
    process.poll()
    return process_group_members(pgid)
