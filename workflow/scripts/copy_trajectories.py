"""Snakemake script: copy a session's trajectories.h5 to tracking/<video>/<job>.h5.

The copy gets a fresh modification time (not copy2) so Snakemake sees it as newer than the
session; when idtracker.ai's validator rewrites the session's file, it becomes newer again
and the copy is made anew.
"""

import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))  # sibling modules, also when run by hand

from layout import session_trajectories


def copy_trajectories(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    shutil.copyfile(source, partial)
    partial.replace(target)


def main(smk) -> None:
    with open(smk.log[0], "w", encoding="utf-8") as log:
        source = session_trajectories(smk.wildcards.video, smk.wildcards.job)
        if not source.is_file():
            message = (
                f"Job {smk.wildcards.video}/{smk.wildcards.job}: {source} is missing although the"
                " job was tracked. Run `pixi run track` again to re-track it."
            )
            print(message, file=log)
            sys.exit(1)
        copy_trajectories(source, Path(smk.output.trajectories))
        print(f"Copied {source} -> {smk.output.trajectories}", file=log)


if __name__ == "__main__" and "snakemake" in globals():
    main(snakemake)  # noqa: F821
