"""The notice at the end of a run: a command and/or a webhook, from config.yaml's `notify`.

A notice is a courtesy: whatever goes wrong with it (no such command, exit status 1, a refused
connection) is said in one line, and the run's own exit status stays what it was.
"""

import json
import subprocess
import urllib.error
import urllib.request
from dataclasses import dataclass, field

from idtracker_flow.console.estimate import clock

TIMEOUT_S = 20


@dataclass
class RunSummary:
    done: int
    # (<video>/<job>, its reason with its log, as `pixi run status` says it)
    failed: list[tuple[str, str]] = field(default_factory=list)
    planned: int = 0  # the jobs of this run (and the failed ones)
    seconds: float = 0.0
    quality_table: str = ""
    stopped: bool = False  # Ctrl+C or a Snakemake error before the end
    recordings: list[str] = field(default_factory=list)  # "  <name>: <state>: <why>", as status

    def title(self) -> str:
        how = "finished with failures" if self.failed else "finished"
        if self.stopped:
            how = "stopped before its end"
        return (
            f"idtracker-flow run {how}: {self.done} done, {len(self.failed)} failed"
            f" of {self.planned} jobs in {clock(self.seconds)}"
        )

    def failure_lines(self) -> list[str]:
        lines = [f"  failed: {name}: {reason}" for name, reason in self.failed]
        if self.recordings:
            lines += ["Recordings:", *self.recordings]
        return lines

    def text(self) -> str:
        lines = [self.title(), *self.failure_lines()]
        if self.quality_table:
            lines.append(f"Quality table: {self.quality_table}")
        return "\n".join(lines)


def send(settings: dict, summary: RunSummary) -> list[str]:
    """Send the notice; one line per notifier that failed (nothing when all worked)."""
    problems = []
    if command := settings.get("command"):
        problems += _run_command(command, summary)
    if webhook := settings.get("webhook"):
        problems += _post(webhook, summary)
    return problems


def _run_command(command: list[str], summary: RunSummary) -> list[str]:
    """`{summary}` in a word of the command is the one-line summary; the full text (failed
    jobs and their logs) goes to the command's standard input, which `mail` sends as body."""
    words = [str(word).replace("{summary}", summary.title()) for word in command]
    try:
        result = subprocess.run(
            words, input=summary.text(), text=True, capture_output=True, timeout=TIMEOUT_S
        )
    except (OSError, subprocess.SubprocessError) as error:
        return [f"End-of-run notice not sent: `{words[0]}` could not run ({error})."]
    if result.returncode != 0:
        said = (result.stderr or result.stdout).strip().splitlines()
        why = f": {said[-1]}" if said else ""
        return [
            f"End-of-run notice not sent: `{' '.join(words)}` exited with status"
            f" {result.returncode}{why} (notify: command in config/config.yaml)."
        ]
    return []


def _post(url: str, summary: RunSummary) -> list[str]:
    """Slack, Mattermost and Teams incoming webhooks take a JSON object with "text"."""
    body = json.dumps({"text": summary.text()}).encode("utf-8")
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            response.read()
    except urllib.error.HTTPError as error:
        return [f"End-of-run notice not sent: {url} answered {error.code} {error.reason}."]
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        return [
            f"End-of-run notice not sent to {url}: {reason}"
            " (notify: webhook in config/config.yaml)."
        ]
    return []
