"""Every failure is explained where the user looks, with the real launcher and Snakemake.

Stand-ins for idtracker.ai (through config `idtrackerai_command`, the documented test hook) are
used only for what the real one cannot do on demand: die from a signal, or sit still long
enough for a second run or a Ctrl+C to meet it.
"""

import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import run_status, task_command

SLEEPER = f'["{sys.executable}", "-c", "import time; time.sleep(300)"]'
SELF_KILLER = (
    f'["{sys.executable}", "-c", "import os, signal; os.kill(os.getpid(), signal.SIGKILL)"]'
)


def use_tracker(ws, command: str) -> None:
    config = ws.path("config", "config.yaml")
    config.write_text(config.read_text() + f"idtrackerai_command: {command}\nthreads: 1\n")


def wait_for(condition, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.3)


def start_track(ws, stdout) -> subprocess.Popen:
    """`pixi run track` in its own process group, as a terminal's foreground job."""
    return subprocess.Popen(
        task_command("track"),
        cwd=ws.root,
        stdout=stdout,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


@pytest.fixture
def project(workspace):
    workspace.add_video("demo", n_frames=40)
    workspace.add_job("demo", "good")
    return workspace


def test_settings_names_that_are_no_file_fail_and_are_listed(project):
    ws = project
    ws.path("settings", "demo", "folder.toml").mkdir()
    ws.path("settings", "demo", "share.toml").symlink_to("/mnt/unmounted/share.toml")
    result = ws.track("fix_paths")
    output = result.stdout + result.stderr
    assert result.returncode == 1, "those jobs did not run: the run must not look clean"
    assert "Not tracked: settings/demo/folder.toml is a folder" in output
    assert "Not tracked: settings/demo/share.toml is a link to /mnt/unmounted" in output
    _, rows = run_status(ws)
    assert rows["demo/folder"]["state"] == rows["demo/share"]["state"] == "failed"
    assert "a share that is not mounted?" in rows["demo/share"]["reason"]


def test_a_killed_tracker_says_so_and_the_run_ends_with_the_failed_jobs(project):
    ws = project
    use_tracker(ws, SELF_KILLER)
    result = ws.track()
    output = result.stdout + result.stderr
    assert result.returncode != 0
    log = "results/logs/track/demo/good.log"
    assert (
        "killed by SIGKILL: most often the system's out-of-memory killer"
        in ws.path(log).read_text()
    )
    assert "Fix what the CRITICAL lines say" not in ws.path(log).read_text()
    ending = output[output.rindex("idtracker-flow run finished with failures") :]
    assert "0 done, 1 failed" in ending
    said = "  failed: demo/good: tracking failed: Job demo/good: idtracker.ai was killed by"
    assert said in ending
    assert f"(log: {log})" in ending
    _, rows = run_status(ws)
    assert "killed by SIGKILL" in rows["demo/good"]["reason"]
    assert f"  failed: demo/good: {rows['demo/good']['reason']}" in ending  # status's words


def test_a_second_run_is_refused_clearly_from_the_first_second(project):
    ws = project
    use_tracker(ws, SLEEPER)
    first = start_track(ws, stdout=subprocess.DEVNULL)
    try:
        wait_for(lambda: ws.path(".snakemake", "idtracker-flow", "launcher.lock").exists(), 60)
        second = ws.track(timeout=120)  # before the first has built its DAG, and after
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
        tracker = ws.path("results", "work", "demo", "good", "tracker.pid")
        if tracker.exists():  # the stand-in runs in a process group of its own
            os.killpg(int(tracker.read_text()), signal.SIGKILL)
    output = second.stdout + second.stderr
    assert second.returncode == 1
    assert "Another tracking run" in output and "is working in this project folder" in output
    assert "LockException" not in output and "pixi run track --unlock" in output


@pytest.mark.skipif(sys.platform == "win32", reason="a terminal's Ctrl+C is POSIX here")
def test_ctrl_c_ends_with_one_calm_line_after_snakemake_stopped(project):
    ws = project
    use_tracker(ws, SLEEPER)
    run = start_track(ws, stdout=subprocess.PIPE)
    pid_file = ws.path("results", "work", "demo", "good", "tracker.pid")
    wait_for(pid_file.exists, 120)
    os.killpg(run.pid, signal.SIGINT)  # what Ctrl+C in the terminal does
    output, _ = run.communicate(timeout=120)
    assert run.returncode == 130
    assert "Traceback" not in output
    assert output.rstrip().endswith("redone by the next `pixi run track`."), output[-2000:]
    left = subprocess.run(["pgrep", "-g", str(run.pid)], capture_output=True, text=True)
    assert left.stdout.strip() == "", "the launcher returned while its Snakemake still ran"


def test_a_stuck_tracker_is_stopped_and_the_batch_goes_on(project):
    """Two jobs whose tracker hangs idle (a stand-in: the real one hangs so only on a full
    disk): each is stopped after the stall time, one after the other, and the run ends."""
    ws = project
    ws.add_job("demo", "second")
    use_tracker(ws, SLEEPER)
    config = ws.path("config", "config.yaml")
    config.write_text(config.read_text() + "stall_minutes: 0.1\n")  # 6 s
    started = time.monotonic()
    result = ws.track(timeout=240)
    assert result.returncode != 0
    assert time.monotonic() - started < 150, "a stuck job must not hold up the batch"
    _, rows = run_status(ws)
    for job in ("good", "second"):
        assert rows[f"demo/{job}"]["state"] == "failed"
        assert "idtracker.ai made no progress for" in rows[f"demo/{job}"]["reason"]
        log = ws.path("results", "logs", "track", "demo", f"{job}.log").read_text()
        assert "raise `stall_minutes`" in log


def test_no_job_starts_without_room_for_its_session(project):
    ws = project
    config = ws.path("config", "config.yaml")
    config.write_text(config.read_text() + "min_free_space_mb: 1.0e+12\n")  # more than any disk
    result = ws.track()
    assert result.returncode != 0
    log = ws.path("results", "logs", "track", "demo", "good.log").read_text()
    assert "Job demo/good: not started: disk full in results/sessions/demo:" in log
    assert "What to do: free space on that disk" in log
    assert not ws.path("results", "work", "demo", "good").exists(), "nothing was started"


KILLED_ONCE = """\
import argparse, os, signal, sys
from pathlib import Path
import h5py, numpy as np
parser = argparse.ArgumentParser()
for name in ("--load", "--name", "--output_dir"):
    parser.add_argument(name)
args, _ = parser.parse_known_args()
first = Path(args.output_dir) / f"{args.name}.first-attempt"
if not first.exists():
    first.write_text("")
    os.kill(os.getpid(), signal.SIGKILL)  # as the out-of-memory killer does
session = Path(args.output_dir) / f"session_{args.name}"
(session / "trajectories").mkdir(parents=True)
with h5py.File(session / "trajectories" / "trajectories.h5", "w") as h5:
    h5["trajectories"] = np.zeros((40, 2, 2))
(session / "idtrackerai.log").write_text("Success\\n")
sys.exit(1)  # idtracker.ai's exit status on success
"""


def test_a_killed_tracker_is_tried_again_within_the_run(project):
    """A stand-in killed by SIGKILL on its first attempt (the real one cannot be made to run
    out of memory on demand) succeeds on the second, in the same run."""
    ws = project
    fake = ws.path("killed_once.py")
    fake.write_text(KILLED_ONCE)
    use_tracker(ws, f'["{sys.executable}", "{fake}"]')
    result = ws.track("trajectories")
    assert result.returncode == 0, result.stdout + result.stderr
    assert ws.path("tracking", "demo", "good.h5").is_file()
    log = ws.path("results", "logs", "track", "demo", "good.log").read_text()
    assert log.startswith("Attempt 2 of 2. The previous attempt failed:\nJob demo/good:")
    assert "killed by SIGKILL" in log and "This can pass: trying again." in log
    assert log.rstrip().endswith("Success: session results/sessions/demo/session_good")
    output = result.stdout + result.stderr
    assert "retrying demo/good: " in output and "FAILED" not in output
    assert "1 done, 0 failed of 1 jobs" in output  # done on its retry: no failure
    # The first attempt's log is kept whole beside it (Snakemake deletes it before a retry).
    first = ws.path("results", "logs", "track", "demo", "good.log.attempt1.log")
    assert "Its whole log: results/logs/track/demo/good.log.attempt1.log" in log, log
    kept = first.read_text()
    assert "Running: " in kept and "killed by SIGKILL" in kept and "Success" not in kept


def test_a_failure_another_attempt_cannot_fix_is_not_tried_again(project):
    """The real idtracker.ai finds no animal (thresholds that keep no pixel): the second
    attempt stops at once instead of tracking again."""
    ws = project
    ws.add_job("demo", "good", intensity_ths=[0, 1])
    result = ws.track("trajectories")
    assert result.returncode != 0
    log = ws.path("results", "logs", "track", "demo", "good.log").read_text()
    assert log.startswith("Attempt 2 of 2. The previous attempt failed:\nJob demo/good:")
    assert "CRITICAL" in log and "Not tried again: another attempt cannot fix that" in log
    assert "Running: " not in log, "the second attempt ran no idtracker.ai"
    output = result.stdout + result.stderr
    # Said once, not once per attempt; and the title counts this job, not tracking steps.
    assert output.count("FAILED demo/good") == 1 and output.count("started demo/good") == 1
    assert "0 done, 1 failed of 1 jobs" in output
