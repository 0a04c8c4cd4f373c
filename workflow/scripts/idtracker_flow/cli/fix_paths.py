"""Check every job's settings file and show what the repair changes; optionally rewrite them.

    python workflow/scripts/flow.py fix-paths            # report only: nothing is written
    python workflow/scripts/flow.py fix-paths --in-place # rewrite the user's files, with backups

Run it from the project folder. The workflow itself never needs --in-place: it tracks from a
repaired copy (results/settings/) and leaves the user's files alone. --in-place is for users who
want their files fixed for good; each changed file keeps a backup next to it
(<job>.toml.bak, or .bak.1, .bak.2, ... when a backup already exists: none is overwritten).
"""

import argparse
import difflib
from pathlib import Path

import tomlkit

from idtracker_flow.project import atomic_files
from idtracker_flow.project.config import CONFIG, read_config
from idtracker_flow.project.jobs import discover_jobs
from idtracker_flow.project.layout import SETTINGS, job_id, job_path
from idtracker_flow.settings.reader import SettingsError
from idtracker_flow.settings.repair import RepairError, repaired_document


def free_backup_path(settings: Path) -> Path:
    """<job>.toml.bak, or the first free .bak.N: an existing backup is never overwritten."""
    backup = settings.with_name(settings.name + ".bak")
    number = 1
    while backup.exists():
        backup = settings.with_name(f"{settings.name}.bak.{number}")
        number += 1
    return backup


def diff_lines(before: str, after: str, path: Path) -> list[str]:
    return [
        line.rstrip("\n")
        for line in difflib.unified_diff(
            before.splitlines(),
            after.splitlines(),
            fromfile=f"{path} (as saved)",
            tofile=f"{path} (repaired)",
            lineterm="",
            n=0,
        )
    ]


def fix_job(video: str, job: str, config: dict, in_place: bool) -> bool:
    """Report (and with in_place, rewrite) one job's settings; False when it cannot be fixed."""
    path = job_path(SETTINGS, video, job)
    try:
        document, notes = repaired_document(
            path,
            video,
            job,
            config["path_prefixes"],
            config["video_dirs"],
            for_workflow=False,
            truncated_videos=config["truncated_videos"],
        )
    except (RepairError, SettingsError) as error:
        print(f"FAILED {job_id(video, job)}\n{error}\n")
        return False
    before = path.read_bytes().decode("utf-8", errors="replace")
    after = tomlkit.dumps(document)
    if before == after:
        print(f"ok     {job_id(video, job)}: nothing to change")
        return True
    verb = "fixed " if in_place else "fixable"
    print(f"{verb} {job_id(video, job)}")
    for note in notes:
        print(f"    {note}")
    for line in diff_lines(before, after, path):
        print(f"    {line}")
    if in_place:
        # A settings file that is a link (to a shared folder, say) is written through the
        # link: the link stays a link, its target gets the repair, the backup sits beside it.
        target = path.resolve() if path.is_symlink() else path
        backup = free_backup_path(target)
        backup.write_bytes(target.read_bytes())
        atomic_files.write_text(target, after)
        if target != path:
            print(f"    {path} is a link: its target {target} was rewritten (the link is kept)")
        print(f"    backup of the file as it was: {backup}")
    print()
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--in-place",
        action="store_true",
        help="rewrite each fixable settings file (a .bak backup is kept next to it)",
    )
    parser.add_argument("--config", type=Path, default=CONFIG)
    args = parser.parse_args(argv)
    config = read_config(args.config)
    jobs = discover_jobs("settings")
    if not jobs:
        print(
            "No settings files found at settings/<video>/<job>.toml (run from the project folder)."
        )
        return 1
    failed = [job for job in jobs if not fix_job(*job, config, args.in_place)]
    print(f"{len(jobs) - len(failed)} of {len(jobs)} settings files usable here.")
    if failed:
        print("Cannot be fixed automatically: " + ", ".join(job_id(*j) for j in failed))
    if args.in_place and len(failed) < len(jobs):
        print("Rewritten files count as changed: their jobs are tracked again next run.")
    elif not args.in_place:
        print("Nothing was written. Add --in-place to rewrite the files (backups are kept).")
    return 1 if failed else 0
