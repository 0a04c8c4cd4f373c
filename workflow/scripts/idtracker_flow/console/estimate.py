"""Time left in a batch, from how long this project's finished tracking jobs took.

Tracking time grows with a video's length, so the typical (median) duration of finished jobs
stands for each job still to come; the work left is spread over the GPU slots that run jobs
side by side. Pure: the caller gives the durations, the elapsed times and the counts.
"""

import time
from statistics import median


def typical_duration(durations: list[float]) -> float | None:
    """The median of finished jobs' durations in seconds; None before any job finished."""
    known = [seconds for seconds in durations if seconds and seconds > 0]
    return median(known) if known else None


def time_left(
    durations: list[float], running_elapsed: list[float], waiting: int, slots: int
) -> float | None:
    """Seconds until the batch ends, or None while no job of this project has finished.

    Each running job needs the typical duration less what it already ran (and at least a
    tenth of it: a job past the typical time is still running); each waiting job needs the
    typical duration. `slots` jobs run at once.
    """
    typical = typical_duration(durations)
    if typical is None:
        return None
    remaining = [max(typical - elapsed, typical / 10) for elapsed in running_elapsed]
    work = sum(remaining) + waiting * typical
    # Never less than the longest single job still to do (more slots than jobs left).
    longest = max(remaining + ([typical] if waiting else []), default=0.0)
    return max(work / max(slots, 1), longest)


def left(seconds: float | None) -> str:
    """The time-left part of a progress line."""
    if seconds is None:
        return "time left not known yet"  # until a job (and each later step) has finished
    return f"{clock(seconds)} left"


def clock(seconds: float | None) -> str:
    """A duration as a person reads it: 45 s, 12 min, 3 h 05 min, 2 d 4 h."""
    if seconds is None:
        return "unknown yet"
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes:02d} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"


def time_since(started: float) -> float:
    return max(time.time() - started, 0.0)
