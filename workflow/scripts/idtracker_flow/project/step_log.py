"""A rule script's log: the step's own lines, and everything else its process prints.

A step runs in its own Python process, which writes to the terminal of the run unless told
otherwise: libraries' warnings (`logging`, `warnings`), progress bars (rich's, tqdm's) and the
text of C code all go to the process's stdout and stderr. Those two are pointed at the step's
log here, so the console of `pixi run track` shows only its own lines; a traceback lands in the
log too, where `pixi run status` and the console read why a step failed.
"""

import os
import sys
from typing import TextIO


def open_log(path, mode: str = "w") -> TextIO:
    """The step's log, opened for text (line by line); stdout and stderr now write to it too.
    They share its position in the file, so nothing written by either is overwritten."""
    log = open(path, mode, encoding="utf-8", buffering=1)
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:
            stream.flush()
    for descriptor in (1, 2):
        os.dup2(log.fileno(), descriptor)
    return log
