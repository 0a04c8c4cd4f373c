"""The tracking watchdog: a full disk or a tracker that stopped making progress is named.

The disk's free space is a stand-in here (a disk cannot be filled on demand on a test machine);
the idle tracker is a real sleeping process, the clock a fake one so no test waits minutes.
"""

import shutil
import subprocess
import sys
from collections import namedtuple

import pytest

from idtracker_flow.tracking import session_sizes, watchdog
from idtracker_flow.tracking.watchdog import Limits, Watchdog

Usage = namedtuple("Usage", "total used free")


@pytest.fixture
def sleeper():
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield process
    process.kill()
    process.wait()


def test_a_disk_under_the_limit_is_named_with_its_free_space(tmp_path, monkeypatch):
    limits = Limits(min_free_bytes=500_000_000, disks=[tmp_path / "results" / "sessions"])
    assert watchdog.free_space_problem(limits) is None or shutil.disk_usage(tmp_path).free < 5e8
    monkeypatch.setattr(shutil, "disk_usage", lambda path: Usage(10**10, 10**10, 400_000))
    problem = watchdog.free_space_problem(limits)
    assert problem == (
        f"disk full in {tmp_path / 'results' / 'sessions'}: 0.4 MB free, jobs need at least"
        " 500.0 MB"
    )


def test_an_idle_tracker_is_stopped_after_the_stall_time_and_not_before(tmp_path, sleeper):
    now = [0.0]
    limits = Limits(stall_seconds=600, progress=[tmp_path])
    dog = Watchdog(limits, sleeper.pid, clock=lambda: now[0])
    now[0] = 300
    assert dog.check() is None
    (tmp_path / "idtrackerai.log").write_text("a new line\n")  # progress: the clock restarts
    assert dog.check() is None
    now[0] = 899
    assert dog.check() is None
    now[0] = 901
    said = dog.check()
    assert said.startswith("idtracker.ai made no progress for 601 s")


def test_the_largest_session_is_remembered(tmp_path):
    record = tmp_path / "largest.json"
    small, large = tmp_path / "small", tmp_path / "large"
    small.mkdir(), large.mkdir()
    (small / "a.h5").write_bytes(b"x" * 10)
    (large / "a.h5").write_bytes(b"x" * 1000)
    assert session_sizes.largest(record) == 0
    session_sizes.remember(large, record)
    session_sizes.remember(small, record)
    assert session_sizes.largest(record) == 1000
