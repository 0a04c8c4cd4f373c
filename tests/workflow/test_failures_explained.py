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
    ending = output[output.rindex("jobs failed:") - 10 :]
    assert "1 of 1 jobs failed:" in ending
    assert "demo/good: tracking failed: Job demo/good: idtracker.ai was killed by SIGKILL" in (
        ending
    )
    assert f"(log: {log})" in ending
    _, rows = run_status(ws)
    assert "killed by SIGKILL" in rows["demo/good"]["reason"]


def test_a_second_run_is_refused_clearly_from_the_first_second(project):
    ws = project
    use_tracker(ws, SLEEPER)
    first = subprocess.Popen(
        task_command("track"),
        cwd=ws.root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for(lambda: ws.path(".snakemake", "idtracker-flow", "launcher.lock").exists(), 60)
        second = ws.track(timeout=120)  # before the first has built its DAG, and after
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
    output = second.stdout + second.stderr
    assert second.returncode == 1
    assert "Another tracking run" in output and "is working in this project folder" in output
    assert "LockException" not in output and "pixi run track --unlock" in output


@pytest.mark.skipif(sys.platform == "win32", reason="a terminal's Ctrl+C is POSIX here")
def test_ctrl_c_ends_with_one_calm_line_after_snakemake_stopped(project):
    ws = project
    use_tracker(ws, SLEEPER)
    run = subprocess.Popen(
        task_command("track"),
        cwd=ws.root,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    pid_file = ws.path("results", "work", "demo", "good", "tracker.pid")
    wait_for(pid_file.exists, 120)
    os.killpg(run.pid, signal.SIGINT)  # what Ctrl+C in the terminal does
    output, _ = run.communicate(timeout=120)
    assert run.returncode == 130
    assert "Traceback" not in output
    assert output.rstrip().endswith("redone by the next `pixi run track`."), output[-2000:]
    left = subprocess.run(["pgrep", "-g", str(run.pid)], capture_output=True, text=True)
    assert left.stdout.strip() == "", "the launcher returned while its Snakemake still ran"
