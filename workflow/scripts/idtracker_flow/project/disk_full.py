"""A full disk in a step after tracking, said as a person would: which disk, how much is
free and what to do, instead of a 40-line traceback cut before "No space left on device"."""

import errno
import shutil
import sys
from contextlib import contextmanager
from pathlib import Path


def free_mb(path: Path | str) -> float | None:
    folder = Path(path)
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        return shutil.disk_usage(folder).free / 1e6
    except OSError:
        return None


def message(who: str, path: Path | str) -> str:
    free = free_mb(path)
    left = f"{free:.0f} MB free" if free is not None else "its free space cannot be read"
    return (
        f"{who}: the disk that holds {Path(path).parent} is full ({left}); nothing that was"
        " there before was changed.\nWhat to do: make room on that disk (or move the project"
        " to a larger one), then run `pixi run track` again: only the unfinished steps run."
    )


@contextmanager
def explained(who: str, path: Path | str, log=None):
    """Run the step's writing; a full disk ends it with `message` (in its log when the log
    can still be written, and on stderr, which Snakemake keeps), exit status 1."""
    try:
        yield
    except OSError as error:
        if error.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        text = message(who, path)
        for stream in (log, sys.stderr):
            if stream is None:
                continue
            try:
                print(text, file=stream, flush=True)
            except OSError:
                continue  # the log is on the full disk too
        sys.exit(1)
