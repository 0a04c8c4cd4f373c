"""The end-of-run notice against a real local HTTP server and real commands, and what a
notifier that fails says (one line; the caller's exit status is its own business)."""

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from idtracker_flow.console import notify

SUMMARY = notify.RunSummary(
    done=3,
    failed=[("fish1/day", "tracking failed: it stopped (log: results/logs/track/fish1/day.log)")],
    planned=4,
    seconds=3 * 3600 + 300,
    quality_table="results/qc/summary.csv",
)


@pytest.fixture
def server():
    """A webhook on localhost that keeps what it was sent (and answers `status`)."""
    received = []

    class Hook(BaseHTTPRequestHandler):
        status = 200

        def do_POST(self):
            length = int(self.headers["Content-Length"])
            received.append((self.headers["Content-Type"], self.rfile.read(length)))
            self.send_response(Hook.status)
            self.end_headers()

        def log_message(self, *args):
            pass

    httpd = HTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}/hook", received, Hook
    httpd.shutdown()
    httpd.server_close()


def test_webhook_gets_the_summary_as_json(server):
    url, received, _ = server
    assert notify.send({"webhook": url}, SUMMARY) == []
    [(kind, body)] = received
    assert kind == "application/json"
    text = json.loads(body)["text"]
    assert text.startswith(
        "idtracker-flow run finished with failures: 3 done, 1 failed of 4 jobs in 3 h 05 min"
    )
    assert (
        "  failed: fish1/day: tracking failed: it stopped (log: results/logs/track/fish1/day.log)"
        in text
    )
    assert "Quality table: results/qc/summary.csv" in text


def test_a_webhook_that_refuses_is_one_line(server):
    url, _, hook = server
    hook.status = 500
    [line] = notify.send({"webhook": url}, SUMMARY)
    assert line.startswith("End-of-run notice not sent:") and "500" in line
    [line] = notify.send({"webhook": "http://127.0.0.1:9/nobody-listens"}, SUMMARY)
    assert "refused" in line.lower() and "\n" not in line


def test_command_gets_the_title_and_the_text(tmp_path):
    out = tmp_path / "notice.txt"
    script = f"import sys; open({str(out)!r}, 'w').write(sys.argv[1] + '|' + sys.stdin.read())"
    assert notify.send({"command": [sys.executable, "-c", script, "{summary}"]}, SUMMARY) == []
    title, body = out.read_text().split("|", 1)
    assert title == SUMMARY.title()
    assert "fish1/day" in body


def test_a_failing_command_is_one_line():
    [line] = notify.send({"command": [sys.executable, "-c", "import sys; sys.exit('no mail')"]},
                         SUMMARY)  # fmt: skip
    assert "exited with status 1: no mail" in line and "\n" not in line
    [line] = notify.send({"command": ["no-such-notifier-command"]}, SUMMARY)
    assert "could not run" in line


def test_nothing_configured_sends_nothing():
    assert notify.send({"command": [], "webhook": ""}, SUMMARY) == []
