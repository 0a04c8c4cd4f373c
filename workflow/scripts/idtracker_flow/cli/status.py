"""`pixi run status`: where every job stands, computed from the files, never stored.

Usage: python workflow/scripts/flow.py status [--csv FILE] [--state STATE ...] [--watch [S]]
Run it in the project folder. The verdict mirrors what Snakemake decides under the project's
profile (rerun-triggers mtime, no checksums): a step runs again when its output is missing or
older than one of its inputs, and everything after it runs too. The logs tell a failed attempt
from one never made; Snakemake's lock tells what a live run is doing.

Fast on purpose (10,000 jobs in a few seconds): no heavy imports, one directory listing per
folder, settings read with the standard library's TOML reader.
"""

import argparse
import time
from pathlib import Path

from idtracker_flow.console.progress import progress_lines
from idtracker_flow.recordings.state import recording_lines
from idtracker_flow.state.facts import Project
from idtracker_flow.state.table import notes_for, print_table, write_csv
from idtracker_flow.state.verdict import STATES, collect

WATCH_SECONDS = 5.0


def watch(states: list[str] | None, seconds: float) -> int:
    """The table again and again (for a second window or a login node): in a terminal the
    screen is redrawn, elsewhere each round is printed after the last."""
    from rich.console import Console

    console = Console(highlight=False)
    try:
        while True:
            project = Project()  # the files again: facts are read once per Project
            statuses = collect(project)
            shown = [s for s in statuses if not states or s.state in states]
            if console.is_terminal:
                console.clear()
            else:
                print(f"--- {time.strftime('%Y-%m-%d %H:%M:%S')}")
            print_table(shown, statuses, notes_for(project, statuses))
            for line in recording_lines(project, statuses):  # as plain status prints them
                print(line)
            print("\n".join(progress_lines(statuses)), flush=True)
            if console.is_terminal:
                print(f"(again every {seconds:g} s; Ctrl+C stops watching, not the run)")
            time.sleep(seconds)
    except KeyboardInterrupt:
        return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description="Show where every tracking job stands (run in the project folder)."
    )
    parser.add_argument("--csv", type=Path, help="also write the table to this CSV file")
    parser.add_argument(
        "--state", choices=STATES, action="append", help="show only jobs in this state"
    )
    parser.add_argument(
        "--watch",
        type=float,
        nargs="?",
        const=WATCH_SECONDS,
        metavar="SECONDS",
        help=f"show it again every few seconds ({WATCH_SECONDS:g} unless given) until Ctrl+C,"
        " with the time left of the batch",
    )
    args = parser.parse_args(argv)
    if not Path("workflow/Snakefile").is_file():
        print(
            f"{Path.cwd()} is not an idtracker-flow project folder (no workflow/Snakefile):"
            " run this there."
        )
        return 1
    if args.watch:
        return watch(args.state, max(args.watch, 1.0))
    project = Project()
    statuses = collect(project)
    if not statuses:
        print("No settings files yet: save them as settings/<video>/<job>.toml.")
        return 0
    if args.csv:
        write_csv(statuses, args.csv)
    shown = [s for s in statuses if not args.state or s.state in args.state]
    print_table(shown, statuses, notes_for(project, statuses))
    for line in recording_lines(project, statuses):
        print(line)
    if args.csv:
        print(f"Written to {args.csv} (a snapshot: run status again for the latest).")
    return 0
