"""What a person sees of `pixi run track` and of the demo: the real launcher, Snakemake and
idtracker.ai, in a real terminal (tmux: the screen they see) and without one (a file),
and the end-of-run notice sent to a local HTTP server and a command."""

import json
import os
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from conftest import make_workspace, task_command
from terminal import foreign_lines, need_tmux, screens_of

BATCH_LINE = re.compile(r"\d+ done, \d+ failed, \d+ running, \d+ waiting of \d+ tracking jobs")
STAGES = "segmentation|crossing detection|identification|trajectories|saving|starting"
RUNNING_LINE = re.compile(rf"^  demo/positions  ({STAGES})\b.*, \d+ (s|min)$", re.MULTILINE)
RULE_BLOCK = re.compile(r"^(local)?rule \w+:", re.MULTILINE)
ANSI = re.compile(r"\x1b\[")


def test_the_demo_shows_the_console_then_the_comparison(tmp_path):
    """`pixi run demo --quick` in a 100 x 30 terminal, as a newcomer runs it first: the console
    of `pixi run track` (the batch line, the job's stage read live from idtracker.ai's log,
    nothing of any other program), then the closing note with the ground-truth comparison."""
    need_tmux()
    ws = make_workspace(tmp_path / "project")
    screens = screens_of(task_command("demo", "--quick"), ws.root, 100, 30)
    end = screens[-1]
    assert "EXIT=0" in end, end
    live = [s for s in screens if BATCH_LINE.search(s) and RUNNING_LINE.search(s)]
    assert live, "never saw the batch line with the running job and its stage:\n" + screens[-2]
    assert "0 done, 0 failed, 1 running, 0 waiting of 1 tracking jobs" in live[-1]
    seen_stages = {RUNNING_LINE.search(s).group(1) for s in live}
    assert seen_stages - {"starting"}, seen_stages  # idtracker.ai's own stage, read live
    # Calm: none of Snakemake's per-step blocks reach the screen (they are in its log file).
    assert not any(RULE_BLOCK.search(s) for s in screens)
    running = [s for s in screens if "Demo finished" not in s]
    assert not foreign_lines(running), foreign_lines(running)
    # The end of the run, then the demo's note (the end may have scrolled off by now).
    ends = [s for s in screens if "idtracker-flow run finished: 1 done, 0 failed of 1 jobs" in s]
    assert ends and "Quality table: results/qc/summary.csv" in ends[-1]
    assert "Demo finished: demo/positions tracked" in end
    assert "Compared with the ground truth" in end
    assert re.search(r"^Position error: median \d+\.\d\d px", end, re.MULTILINE), end


@pytest.fixture
def webhook():
    received = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    httpd = HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_port}/hook", received
    httpd.shutdown()
    httpd.server_close()


def test_without_a_terminal_plain_lines_and_the_notice(tmp_path, webhook):
    """A failing settings check (its video is missing) is the whole run: seconds, no
    tracking. The notice goes to a real local server; a second notifier, a command that
    exits 1, is reported in one line and the run's exit status stays that of the failure."""
    url, received = webhook
    ws = make_workspace(tmp_path / "project")
    ws.add_job("gone", "day", video_path="videos/missing.avi")
    config = ws.path("config", "config.yaml")
    config.write_text(config.read_text() + f'notify:\n  command: ["false"]\n  webhook: {url}\n')
    result = ws.track()
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert not ANSI.search(output) and "\r" not in output, "plain lines: no colours, no redraws"
    log = "results/logs/repair_settings/gone/day.log"
    failed = re.search(r"^\d\d:\d\d:\d\d FAILED gone/day: (.+) \(log: (.+)\)$", output, re.M)
    assert failed and "missing.avi" in failed.group(1) and failed.group(2) == log, output
    assert "idtracker-flow run finished with failures: 0 done, 1 failed" in output
    # The end list says what status says (its reason, with the log to read).
    ending = re.search(r"^  failed: gone/day: (.+) \(log: ([^)]+)\)", output, re.M)
    assert ending and "missing.avi" in ending.group(1) and ending.group(2) == log, output
    assert "jobs failed:" not in output, "one list at the end: the console's"
    [line] = [line for line in output.splitlines() if "notice not sent" in line]
    assert "`false` exited with status 1" in line
    [body] = received
    text = json.loads(body)["text"]
    assert text.startswith("idtracker-flow run finished with failures: 0 done, 1 failed")
    assert "  failed: gone/day: checking the settings failed: " in text and f"(log: {log})" in text
    assert "Error in rule" not in output and "RuleException" not in output


def test_status_watch_shows_the_table_again_with_the_time_left(tmp_path):
    """`pixi run status --watch 1` without a terminal: a round a second, each with the table
    and the time left from the finished job's record; Ctrl+C ends it with status 0."""
    import signal
    import subprocess

    from conftest import fake_finished

    ws = make_workspace(tmp_path / "project")
    ws.add_video("demo")
    for job in ("a", "b", "c"):
        ws.add_job("demo", job)
    fake_finished(ws, "demo", "a", time.time() + 5)  # newer than the settings and video
    record = ws.path("results", "sessions", "demo", "a.tracked.json")
    stamp = record.stat().st_mtime
    record.write_text(json.dumps({"job": "demo/a", "seconds": 150, "started": ""}))
    os.utime(record, (stamp, stamp))
    watch = subprocess.Popen(
        task_command("status", "--watch", "1"),
        cwd=ws.root,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    rounds, lines = 0, []
    deadline = time.monotonic() + 60
    while rounds < 3 and time.monotonic() < deadline:
        line = watch.stdout.readline()
        lines.append(line)
        rounds += line.startswith("--- ")
    watch.send_signal(signal.SIGINT)
    rest, _ = watch.communicate(timeout=30)
    output = "".join(lines) + rest
    assert rounds == 3, output
    assert watch.returncode == 0, output
    assert "Traceback" not in output
    progress = [line for line in output.splitlines() if "waiting of 3 jobs" in line]
    assert len(progress) >= 2, output
    # Two jobs to track, 150 s each, one at a time.
    assert progress[0] == (
        "1 done, 0 failed, 0 tracking, 2 waiting of 3 jobs | 5 min left"
        " (from 1 finished jobs, 1 at a time)"
    ), output
