"""OS file locks that die with their process (flock on POSIX, msvcrt on Windows)."""

import os
from pathlib import Path


def try_lock(path: Path):
    """An exclusive OS lock on `path` (created), or None when another process holds it. The
    OS drops the lock when the holder's process ends in any way: it can never go stale."""
    handle = open(path, "a+")
    try:
        if os.name == "nt":
            import msvcrt

            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    return handle
