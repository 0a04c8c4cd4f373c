"""`pixi run status`: where every job stands, computed from the files, never stored.

Usage: python workflow/scripts/status.py [--csv FILE] [--state STATE ...]
Run it in the project folder. The verdict mirrors what Snakemake decides under the project's
profile (rerun-triggers mtime, no checksums): a step runs again when its output is missing or
older than one of its inputs, and everything after it runs too. The logs tell a failed attempt
from one never made; Snakemake's lock tells what a live run is doing.

Fast on purpose (10,000 jobs in a few seconds): no heavy imports, one directory listing per
folder, settings read with the standard library's TOML reader.
"""

import argparse
import csv
import json
import os
import re
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))  # sibling modules, also when run by hand

import job_inputs
import layout
import run_lock
import settings_file
from jobs import discover_jobs
from project_config import read_config

STEPS = ("repair_settings", "track", "copy_trajectories")
STEP_OUTPUT = {
    "repair_settings": layout.REPAIRED_SETTINGS,
    "track": layout.TRACKED,
    "copy_trajectories": layout.TRAJECTORIES,
}
ALL = ("all", "", "")  # the workflow's final target
STATES = ("done", "pending", "outdated", "running", "failed", "skipped")
INCOMPLETE = Path(".snakemake/incomplete")
# What each step's log says when the step succeeded (see the step's script).
SUCCESS_MARK = {
    "repair_settings": "Repaired ",
    "track": "Success: session",
    "copy_trajectories": "Copied ",
}
# idtracker.ai's log lines: an optional time, the level, the message.
CRITICAL_LINE = re.compile(r"^(?:\d\d:\d\d:\d\d\s+)?(CRITICAL\b.*)$")
# e.g. 20260204-180700-H264-01: recorded 2026-02-04 18:07:00, part 01.
VIDEO_NAME = re.compile(r"(?P<date>\d{8})[-_T]?(?P<time>\d{6})(?:.*?[-_](?P<part>\d{1,3}))?$")


class Folders:
    """File times from one listing per folder: a missing file costs no failed stat."""

    def __init__(self):
        self._listings: dict[str, dict[str, os.DirEntry]] = {}

    def _entry(self, path: Path | str) -> os.DirEntry | None:
        folder, name = os.path.split(str(path))
        listing = self._listings.get(folder)
        if listing is None:
            try:
                with os.scandir(folder or ".") as entries:
                    listing = {entry.name: entry for entry in entries}
            except OSError:
                listing = {}
            self._listings[folder] = listing
        return listing.get(name)

    def exists(self, path) -> bool:
        return self._entry(path) is not None

    def output_mtime(self, path) -> float | None:
        """An output's time as Snakemake takes it (the link itself, not its target)."""
        entry = self._entry(path)
        return entry.stat(follow_symlinks=False).st_mtime if entry else None

    def input_mtime(self, path) -> float | None:
        """An input's time as Snakemake takes it: the newer of a link and its target."""
        entry = self._entry(path)
        if entry is None:
            return None
        mtime = entry.stat(follow_symlinks=False).st_mtime
        if entry.is_symlink():
            try:
                mtime = max(mtime, entry.stat().st_mtime)
            except OSError:
                return None
        return mtime


def incomplete_outputs() -> set[str]:
    """Outputs Snakemake marked incomplete: being made now, or when a run was cut off."""
    import base64

    found = set()
    if not INCOMPLETE.is_dir():
        return found
    for root, _, files in os.walk(INCOMPLETE):
        for name in files:
            relative = os.path.relpath(os.path.join(root, name), INCOMPLETE)
            # Long names are split into folders whose names start with "@".
            key = "".join(part.lstrip("@") for part in relative.split(os.sep))
            try:
                found.add(base64.urlsafe_b64decode(key).decode())
            except ValueError:
                continue
    return found


def quick_settings(path: Path) -> dict | None:
    """The settings as the workflow reads them; None when the file cannot be read."""
    try:
        return settings_file.read_settings(path)
    except Exception:
        return None


def name_parts(video: str) -> tuple[str, str]:
    """(part, recorded) from a video name like 20260204-180700-H264-01, else ('', '')."""
    match = VIDEO_NAME.search(video)
    if not match:
        return "", ""
    d, t = match["date"], match["time"]
    recorded = f"{d[:4]}-{d[4:6]}-{d[6:]} {t[:2]}:{t[2:4]}:{t[4:]}"
    return match["part"] or "", recorded


def when(stamp: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(stamp))


def local_time(iso: str) -> str:
    """An ISO time with zone (as the tracking record writes it) in this computer's time."""
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")
    except (TypeError, ValueError):
        return ""


def first_problem(log_path: Path) -> str:
    """The line of a failed step's log that says what went wrong."""
    try:
        text = log_path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in lines:
        if match := CRITICAL_LINE.match(line):
            # rich pads the line to the terminal width and may end it with the source file.
            return re.sub(r"\s+\S+\.py:\d+$", "", match[1]).strip()
    for line in lines:
        if line.startswith("Job ") or "Error" in line:
            return line
    return "interrupted before it finished (no error message)"


@dataclass
class JobStatus:
    video: str
    job: str
    state: str = "done"
    reason: str = ""
    part: str = ""
    recorded: str = ""
    tracked_at: str = ""
    seconds: float | None = None
    accuracy: float | None = None
    log: str = ""
    # Steps (rule names) `snakemake -n` would run for this job now.
    steps: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return layout.job_id(self.video, self.job)


@dataclass
class Plan:
    """The per-job facts the verdict needs, gathered once."""

    settings: dict | None
    videos: list[str]
    transfer: tuple[str, str] | None
    mtimes: dict[str, float | None]


class Workspace:
    """Every job of the project folder (the current directory) and what Snakemake would do."""

    def __init__(self, config: dict | None = None):
        self.config = read_config() if config is None else config
        self.jobs = discover_jobs("settings")
        self.job_set = set(self.jobs)
        self.skip = set(self.config.get("skip") or [])
        self.files = Folders()
        self.incomplete = incomplete_outputs()
        self._plans: dict[tuple[str, str], Plan] = {}
        self._needrun: set[tuple[str, str, str]] | None = None

    # --- what Snakemake sees -------------------------------------------------------------
    def plan(self, video: str, job: str) -> Plan:
        key = (video, job)
        if key in self._plans:
            return self._plans[key]
        settings_path = layout.job_file(layout.SETTINGS, video, job)
        settings = quick_settings(settings_path)
        videos, transfer = [], None
        if settings is not None:
            written = settings_file.video_paths(settings)
            videos = job_inputs.found_videos(written, settings_path, self.config)
            folder = settings.get("knowledge_transfer_folder")
            transfer = job_inputs.transfer_source(folder, key, self.job_set)
        mtimes = {
            pattern: self.files.output_mtime(layout.job_file(pattern, video, job))
            for pattern in (
                layout.REPAIRED_SETTINGS,
                layout.TRACKED,
                layout.TRAJECTORIES,
            )
        }
        plan = Plan(settings, videos, transfer, mtimes)
        self._plans[key] = plan
        return plan

    def _is_incomplete(self, pattern: str, video: str, job: str, mtime) -> bool:
        return mtime is not None and layout.job_file(pattern, video, job) in self.incomplete

    def steps(self, video: str, job: str) -> list[str]:
        """The steps Snakemake would run for this job, in order."""
        if self._needrun is None:
            self._needrun = self._plan_dag()
        return [step for step in STEPS if (step, video, job) in self._needrun]

    def would_run(self) -> dict[tuple[str, str], list[str]]:
        """Job -> steps, for every job `snakemake -n` lists (a skipped job only when another
        job learns identities from it, and then without its copy step)."""
        return {key: steps for key in self.jobs if (steps := self.steps(*key))}

    # --- Snakemake's decision (snakemake/dag.py, update_needrun), on this workflow's DAG ----
    def _plan_dag(self) -> set[tuple[str, str, str]]:
        """The steps (step, video, job) Snakemake runs, decided as it decides:

        1. A step's reference time is its output's time; a step whose output is missing
           borrows the reference time of the step that uses it (so a deleted intermediate file
           alone makes nothing run).
        2. A step runs when one of its inputs that exists is newer than its reference time,
           or when its output is marked incomplete (a run was cut off).
        3. Everything after a running step runs; a step before it runs when the file it
           needs from that step is missing. The final target asks for every job's copy.
        """
        targets = [key for key in self.jobs if layout.job_id(*key) not in self.skip]
        # The DAG: every target job's three steps, plus the jobs they learn identities from.
        nodes: list[tuple[str, str, str]] = []
        depending: dict[tuple, list[tuple]] = {}
        producers: dict[tuple, list[tuple[tuple, float | None]]] = {}
        queue = [(key, True) for key in targets]
        added = set()

        def add(node) -> None:
            if node not in depending:
                depending[node] = []
                nodes.append(node)

        while queue:
            key, with_copy = queue.pop()
            if (key, with_copy) in added:
                continue
            added.add((key, with_copy))
            repair, track, copy = ((step, *key) for step in STEPS)
            add(repair)
            add(track)
            producers[track] = [(repair, self._output(repair))]
            depending[repair].append(track)
            if with_copy:
                add(copy)
                producers[copy] = [(track, self._output(track))]
                depending[track].insert(0, copy)
                depending[copy].append(ALL)
            if (source := self.plan(*key).transfer) is not None:
                source_track = ("track", *source)
                producers[track].append((source_track, self._output(source_track)))
                add(source_track)
                depending[source_track].append(track)
                queue.append((source, False))

        reference: dict[tuple, float | None] = {ALL: None}

        def reference_time(node) -> float | None:
            if node in reference:
                return reference[node]
            reference[node] = None  # a cycle: Snakemake refuses it anyway
            own = self._output(node)
            if own is None:
                for user in depending.get(node, []):
                    if (own := reference_time(user)) is not None:
                        break
            reference[node] = own
            return own

        needrun: set[tuple] = set()
        todo = [ALL] if targets else []
        for node in nodes:
            stamp = reference_time(node)
            forced = self._output(node) is not None and self._output_path(node) in self.incomplete
            newer = stamp is not None and any(
                t is not None and t > stamp for t in self._inputs(node)
            )
            if forced or newer:
                todo.append(node)
        while todo:
            node = todo.pop()
            if node in needrun:
                continue
            needrun.add(node)
            for producer, produced in producers.get(node, []) if node != ALL else []:
                if produced is None:
                    todo.append(producer)
            if node == ALL:
                todo += [
                    ("copy_trajectories", *key)
                    for key in targets
                    if self._output(("copy_trajectories", *key)) is None
                ]
            todo += depending.get(node, [])
        needrun.discard(ALL)
        return needrun

    def _output_path(self, node) -> str:
        step, video, job = node
        return layout.job_file(STEP_OUTPUT[step], video, job)

    def _output(self, node) -> float | None:
        step, video, job = node
        return self.plan(video, job).mtimes[STEP_OUTPUT[step]]

    def _inputs(self, node) -> list[float | None]:
        """The times of a step's inputs, as Snakemake takes them (None: missing)."""
        step, video, job = node
        plan = self.plan(video, job)
        inputs = self.files.input_mtime
        if step == "repair_settings":
            videos = [inputs(path) for path in plan.videos]
            return [inputs(layout.job_file(layout.SETTINGS, video, job)), *videos]
        if step == "track":
            transfer = []
            if plan.transfer is not None:
                transfer = [inputs(layout.job_file(layout.TRACKED, *plan.transfer))]
            return [inputs(layout.job_file(layout.REPAIRED_SETTINGS, video, job)), *transfer]
        return [
            inputs(layout.job_file(layout.TRACKED, video, job)),
            inputs(layout.job_file(layout.SESSION_TRAJECTORIES_FILE, video, job)),
        ]


def _reason_outdated(ws: Workspace, video: str, job: str, steps: list[str]) -> str:
    """Why a job that was tracked before runs again, in the user's words."""
    plan = ws.plan(video, job)
    m = plan.mtimes
    repaired, tracked, copy = (
        m[p] for p in (layout.REPAIRED_SETTINGS, layout.TRACKED, layout.TRAJECTORIES)
    )
    inputs = ws.files.input_mtime
    reasons = []
    settings = inputs(layout.job_file(layout.SETTINGS, video, job))
    if settings is not None and settings > min(t for t in (repaired, tracked) if t is not None):
        reasons.append(f"settings file changed {when(settings)}")
    for path in plan.videos:
        stamp = inputs(path)
        if stamp is not None and stamp > min(t for t in (repaired, tracked) if t is not None):
            reasons.append(f"video {path} changed {when(stamp)}")
    if plan.transfer is not None and "track" in ws.steps(*plan.transfer):
        reasons.append(
            f"learns identities from {layout.job_id(*plan.transfer)}, which is tracked again"
        )
    elif plan.transfer is not None and "track" in steps:
        stamp = inputs(layout.job_file(layout.TRACKED, *plan.transfer))
        if stamp is not None and stamp > tracked:
            reasons.append(
                f"learns identities from {layout.job_id(*plan.transfer)}, tracked again since"
            )
    for pattern, what in ((layout.REPAIRED_SETTINGS, "repaired settings"),):
        if ws._is_incomplete(pattern, video, job, m[pattern]):
            reasons.append(f"{what} were being written when a run was cut off")
    if ws._is_incomplete(layout.TRACKED, video, job, tracked):
        reasons.append("a run was cut off while it finished this job")
    if not reasons and repaired is None and "repair_settings" in steps:
        reasons.append("repaired settings are missing: made again")
    if not reasons and "track" in steps and repaired is not None and repaired > tracked:
        reasons.append("repaired settings changed since it was tracked")
    if steps == ["copy_trajectories"]:
        session = layout.job_file(layout.SESSION, video, job)
        session_h5 = inputs(layout.job_file(layout.SESSION_TRAJECTORIES_FILE, video, job))
        if copy is None:
            target = layout.job_file(layout.TRAJECTORIES, video, job)
            reasons.append(f"copy in {target} is missing: copy pending")
        elif session_h5 is not None and session_h5 > copy:
            import session_check

            validated = session_check.validated_on(Path(session))
            reasons.append(
                f"validated {validated}: copy pending"
                if validated
                else "session trajectories changed: copy pending"
            )
        else:
            reasons.append("tracked again: copy pending")
    return "; ".join(reasons) or "inputs changed since it was tracked"


def _failed_step(ws: Workspace, video: str, job: str) -> tuple[str, Path] | None:
    """The step whose last attempt failed (its output is missing, its log says no success)."""
    plan = ws.plan(video, job)
    for step, pattern in (
        ("repair_settings", layout.REPAIRED_SETTINGS),
        ("track", layout.TRACKED),
        ("copy_trajectories", layout.TRAJECTORIES),
    ):
        if plan.mtimes[pattern] is not None:
            continue
        log = Path(layout.job_file(layout.log(step), video, job))
        if not ws.files.exists(log):
            return None
        try:
            text = log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
        return None if SUCCESS_MARK[step] in text else (step, log)
    return None


def _fill_done(ws: Workspace, status: JobStatus) -> None:
    tracked = layout.job_file(layout.TRACKED, status.video, status.job)
    try:
        with open(tracked, encoding="utf-8") as handle:
            record = json.load(handle)
    except (OSError, ValueError):
        record = {}
    started = record.get("started", "")
    status.tracked_at = local_time(started)
    status.seconds = record.get("seconds")
    settings = ws.plan(status.video, status.job).settings or {}
    identities = not settings.get("track_wo_identities") and settings.get(
        "number_of_animals"
    ) not in (1, None)
    accuracy = record.get("estimated_accuracy")
    status.accuracy = float(accuracy) if identities and accuracy is not None else None
    parts = [f"tracked {status.tracked_at}" if status.tracked_at else "tracked"]
    if status.seconds is not None:
        parts.append(f"in {duration(status.seconds)}")
    if status.accuracy is not None:
        parts.append(f"estimated accuracy {status.accuracy:.1%}")
    status.reason = ", ".join(parts)


def duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


def collect(ws: Workspace | None = None) -> list[JobStatus]:
    """One status per settings file, in the order of the settings folders."""
    ws = ws or Workspace()
    planned = ws.would_run()
    run = run_lock.running_run()
    running_outputs = _running_outputs() if run else set()
    statuses = []
    for video, job in ws.jobs:
        part, recorded = name_parts(video)
        status = JobStatus(video, job, part=part, recorded=recorded)
        status.steps = planned.get((video, job), [])
        statuses.append(status)
        if status.name in ws.skip:
            status.state = "skipped"
            status.reason = "listed under skip: in config/config.yaml"
            if status.steps:
                learners = [
                    layout.job_id(*key) for key in planned if ws.plan(*key).transfer == (video, job)
                ]
                status.reason += (
                    f"; still tracked, because {', '.join(learners) or 'another job'}"
                    " learns identities from it"
                )
            continue
        if not status.steps:
            status.state = "done"
            _fill_done(ws, status)
            continue
        failed = _failed_step(ws, video, job)
        outputs = {
            layout.job_file(p, video, job)
            for p in (layout.REPAIRED_SETTINGS, layout.TRACKED, layout.TRAJECTORIES)
        }
        if run is not None and outputs & running_outputs:
            # Snakemake marks a step's output incomplete while the step works; a step that
            # failed in this run is unmarked and keeps its log.
            working = [
                step
                for step in STEPS
                if layout.job_file(STEP_OUTPUT[step], video, job) in ws.incomplete
            ]
            failed_now = failed is not None and os.stat(failed[1]).st_mtime >= run.get("started", 0)
            if working or not failed_now:
                status.state = "running"
                status.reason = _running_reason(video, job, run, working)
                continue
        if failed is not None:
            step, log = failed
            status.state = "failed"
            status.log = str(log)
            what = {
                "repair_settings": "checking the settings",
                "track": "tracking",
            }.get(step, "copying the trajectories")
            status.reason = f"{what} failed: {first_problem(log)} (log: {log})"
            changed = _changed_since(ws, video, job, log.stat().st_mtime)
            if changed:
                status.reason += f"; {changed} changed since, retried by the next track"
            else:
                status.reason += "; retried by the next track"
            continue
        if ws.plan(video, job).mtimes[layout.TRACKED] is None:
            status.state = "pending"
            status.reason = (
                "never tracked"
                if status.steps[0] == "repair_settings"
                else ("settings checked, not tracked yet")
            )
            if ws.plan(video, job).mtimes[layout.TRAJECTORIES] is not None:
                status.reason = "tracking record is missing: tracked again"
            continue
        status.state = "outdated"
        status.reason = _reason_outdated(ws, video, job, status.steps)
    return statuses


def _changed_since(ws: Workspace, video: str, job: str, stamp: float) -> str:
    settings = ws.files.input_mtime(layout.job_file(layout.SETTINGS, video, job))
    changed = ["settings"] if settings is not None and settings > stamp else []
    if any(
        (m := ws.files.input_mtime(v)) is not None and m > stamp for v in ws.plan(video, job).videos
    ):
        changed.append("video")
    return " and ".join(changed)


def _running_outputs() -> set[str]:
    """The files the live run will write (Snakemake's output lock lists them)."""
    outputs = set()
    for lock in run_lock.LOCKS.glob("*.output.lock"):
        try:
            outputs.update(line.strip() for line in lock.read_text().splitlines())
        except OSError:
            continue
    return outputs


def _running_reason(video: str, job: str, run: dict, working: list[str]) -> str:
    started = run.get("started", 0)
    who = f"Snakemake process {run.get('pid')} on {run.get('host')}, started {when(started)}"
    if not working:
        return f"waiting its turn in the run ({who})"
    step = working[-1]
    what = {"repair_settings": "checking the settings", "track": "tracking"}.get(step, "copying")
    return f"{what} now ({who}); log: {layout.job_file(layout.log(step), video, job)}"


def code_changed_since(statuses: list[JobStatus]) -> int:
    """How many done jobs were tracked before the workflow's code last changed (kept as they
    are: settings and videos decide re-tracking)."""
    code = [Path("Snakefile"), *Path("workflow").glob("rules/*.smk")]
    code += Path("workflow").glob("scripts/*.py")
    newest = max((p.stat().st_mtime for p in code if p.is_file()), default=0)
    count = 0
    for status in statuses:
        if status.state == "done":
            tracked = layout.job_file(layout.TRACKED, status.video, status.job)
            try:
                count += os.stat(tracked).st_mtime < newest
            except OSError:
                continue
    return count


def totals(statuses: list[JobStatus]) -> dict[str, int]:
    counts = dict.fromkeys(STATES, 0)
    for status in statuses:
        counts[status.state] += 1
    return counts


CSV_COLUMNS = [
    "video", "job", "part", "recorded", "state", "reason",
    "tracked_at", "seconds", "estimated_accuracy", "log", "next_track_runs",
]  # fmt: skip


def write_csv(statuses: list[JobStatus], path: Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8-sig") as handle:
        out = csv.writer(handle)
        out.writerow(
            [
                f"# Generated by `pixi run status` on {when(time.time())}."
                " Editing this file changes nothing: skip jobs with `pixi run skip <video>/<job>`."
            ]
        )
        out.writerow(CSV_COLUMNS)
        for s in statuses:
            accuracy = f"{s.accuracy:.4f}" if s.accuracy is not None else ""
            seconds = s.seconds if s.seconds is not None else ""
            out.writerow(
                [
                    s.video, s.job, s.part, s.recorded, s.state, s.reason,
                    s.tracked_at, seconds, accuracy, s.log, " ".join(s.steps),
                ]
            )  # fmt: skip


STYLE = {
    "done": "green",
    "pending": "cyan",
    "outdated": "yellow",
    "running": "bold blue",
    "failed": "bold red",
    "skipped": "dim",
}


COLUMNS = ("video", "job", "part", "recorded", "state", "reason")


def print_table(shown: list[JobStatus], statuses: list[JobStatus], notes: list[str]) -> None:
    """One line per job, columns aligned, the reason last (the terminal wraps it); then the
    totals over all jobs.

    Laid out here rather than with rich's Table, which takes minutes for 10,000 rows; rich
    still picks the colours, and leaves them out when the output is not a terminal.
    """
    from rich.console import Console
    from rich.markup import escape
    from rich.style import Style

    console = Console(highlight=False)
    # Colour codes made once per state: rendering 10,000 rows cell by cell is slow.
    colour = console.is_terminal and not console.no_color and console.color_system
    rows = [(s.video, s.job, s.part, s.recorded, s.state, s.reason) for s in shown]
    widths = [max([len(COLUMNS[i])] + [len(row[i]) for row in rows]) for i in range(5)]
    state_cell = {}
    for state in STATES:
        cell = state.ljust(widths[4])
        state_cell[state] = Style.parse(STYLE[state]).render(cell) if colour else cell
    lines = ["  ".join(c.ljust(w) for c, w in zip(COLUMNS, widths)) + "  reason"]
    if colour:
        lines[0] = Style.parse("bold").render(lines[0])
    for row in rows:
        cells = [cell.ljust(w) for cell, w in zip(row[:4], widths)]
        lines.append("  ".join([*cells, state_cell[row[4]], row[5]]))
    console.file.write("\n".join(lines) + "\n")
    counts = totals(statuses)
    console.print(
        "Totals: "
        + ", ".join(f"[{STYLE[state]}]{state} {n}[/]" for state, n in counts.items())
        + f" (of {len(statuses)} jobs)"
    )
    for note in notes:
        console.print(escape(note))


def notes_for(ws: Workspace, statuses: list[JobStatus]) -> list[str]:
    """Lines under the table: what to do next, and what the table cannot show per job."""
    counts = totals(statuses)
    notes = []
    if counts["failed"]:
        notes.append(
            "Failed jobs: read the log named in their row, fix the settings or the video, then"
            " `pixi run track` retries them (nothing to reset)."
        )
    for entry in sorted(ws.skip - {s.name for s in statuses}):
        notes.append(
            f"skip: in config/config.yaml lists {entry}, but there is no settings/{entry}.toml."
            f" Fix the spelling there, or `pixi run unskip {entry}` if it is gone for good."
        )
    if old := code_changed_since(statuses):
        notes.append(
            f"{old} done job(s) were tracked before the workflow's code last changed; they are"
            " kept (only settings files and videos make a job run again)."
        )
    return notes


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description="Show where every tracking job stands (run in the project folder)."
    )
    parser.add_argument("--csv", type=Path, help="also write the table to this CSV file")
    parser.add_argument(
        "--state", choices=STATES, action="append", help="show only jobs in this state"
    )
    args = parser.parse_args(argv)
    if not Path("Snakefile").is_file():
        print(
            f"{Path.cwd()} is not an idtracker-flow project folder (no Snakefile): run this there."
        )
        return 1
    ws = Workspace()
    statuses = collect(ws)
    if not statuses:
        print("No settings files yet: save them as settings/<video>/<job>.toml.")
        return 0
    if args.csv:
        write_csv(statuses, args.csv)
    shown = [s for s in statuses if not args.state or s.state in args.state]
    print_table(shown, statuses, notes_for(ws, statuses))
    if args.csv:
        print(f"Written to {args.csv} (a snapshot: run status again for the latest).")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
