"""The status table as the user sees it: aligned lines in the terminal, or a CSV file."""

import csv
from pathlib import Path

from idtracker_flow.project.config_names import unknown_names
from idtracker_flow.state.facts import Project
from idtracker_flow.state.verdict import STATES, JobStatus, code_changed_since, totals

CSV_COLUMNS = [
    "video", "job", "part", "recorded", "state", "reason",
    "tracked_at", "seconds", "estimated_accuracy", "peak_gpu_memory_mb", "log",
    "next_track_runs",
]  # fmt: skip


def write_csv(statuses: list[JobStatus], path: Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Plain CSV: the header is the first line and there is no byte-order mark, so pandas, R
    # and csv.DictReader read it as it is. That it is a snapshot is said when it is written.
    with open(path, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(CSV_COLUMNS)
        for s in statuses:
            accuracy = f"{s.accuracy:.4f}" if s.accuracy is not None else ""
            seconds = s.seconds if s.seconds is not None else ""
            peak = s.peak_gpu_mb if s.peak_gpu_mb is not None else ""
            out.writerow(
                [
                    s.video, s.job, s.part, s.recorded, s.state, s.reason,
                    s.tracked_at, seconds, accuracy, peak, s.log, " ".join(s.steps),
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


def notes_for(project: Project, statuses: list[JobStatus]) -> list[str]:
    """Lines under the table: what to do next, and what the table cannot show per job."""
    counts = totals(statuses)
    notes = []
    if counts["failed"]:
        notes.append(
            "Failed jobs: read the log named in their row, fix the settings or the video, then"
            " `pixi run track` retries them (nothing to reset)."
        )
    for entry in sorted(project.skip - {s.name for s in statuses}):
        notes.append(
            f"skip: in config/config.yaml lists {entry}, but there is no settings/{entry}.toml."
            f" Fix the spelling there, or `pixi run unskip {entry}` if it is gone for good."
        )
    folders = {video for video, _ in project.jobs} | {video for video, _, _ in project.unusable}
    notes += unknown_names(project.config, folders, with_join=False)  # join: with recordings
    if old := code_changed_since(statuses):
        notes.append(
            f"{old} done job(s) were tracked before the workflow's code last changed; they are"
            " kept (only settings files and videos make a job run again)."
        )
    return notes
