"""Whether two consecutive parts of a recording follow each other in time with no frame
missing, so that each animal's last position in one is its first position in the next.

In order: what config `recordings.contiguous` declares; tracking intervals of one video that
abut; the camera's split files (`fish1-00`, `fish1-01`: one name, consecutive zero-padded
numbers, the earlier tracked to its last frame and the later from its first, the same frame
rate, and recording times in the names, when they differ, as far apart as the earlier part
lasts).
Anything else is not known to be contiguous: only appearance can match it.
"""

import re
from pathlib import Path

from idtracker_flow.project import layout
from idtracker_flow.recordings.parts import Part

# A camera's split files end in a zero-padded number after - or _ (fish1-00, fish1_001); a
# plain trailing number (day1, day2) is a name, not a split.
SPLIT_NUMBER = re.compile(r"[-_](\d{2,3})$")
TIMESTAMP = re.compile(r"\d{8}[-_T]?\d{6}")
# Recording times in names are to the second: allow that, and one frame.
TIME_TOLERANCE_S = 1.5


def declared(options: dict, recording: str, later: Part) -> bool | None:
    """config recordings.contiguous: per recording true/false, or per part (the part follows
    the one before it)."""
    value = options.get("contiguous", {}).get(recording)
    if isinstance(value, dict):
        value = value.get(later.job, value.get(later.name))
    return value if isinstance(value, bool) else None


def _tracked_span(part: Part) -> tuple[int, int]:
    """The first tracked frame and the frame after the last one."""
    intervals = part.intervals or [[0, part.n_frames]]
    return min(a for a, _ in intervals), max(min(b, part.n_frames) for _, b in intervals)


def _stem(part: Part) -> str:
    return Path(part.video_files[0]).stem if len(part.video_files) == 1 else ""


def _seconds(recorded: str) -> float:
    from datetime import datetime

    return datetime.strptime(recorded, "%Y-%m-%d %H:%M:%S").timestamp()


def _camera_split(earlier: Part, later: Part) -> tuple[bool, str] | None:
    """Consecutive split files of one camera, or None when the names are not such a pair."""
    stems = _stem(earlier), _stem(later)
    numbers = [SPLIT_NUMBER.search(stem) for stem in stems]
    if not all(numbers):
        return None
    prefixes = {TIMESTAMP.sub("", stem[: number.start()]) for stem, number in zip(stems, numbers)}
    if len(prefixes) != 1 or int(numbers[1].group(1)) != int(numbers[0].group(1)) + 1:
        return None
    end = _tracked_span(earlier)[1]
    if end < earlier.n_frames or _tracked_span(later)[0] > 0:
        return False, "consecutive split files, but not tracked to the cut on both sides"
    if abs(earlier.fps - later.fps) > 1e-3:
        rates = f"{earlier.fps}, {later.fps}"
        return False, f"consecutive split files at different frame rates ({rates})"
    times = [layout.name_parts(stem)[1] for stem in stems]
    if all(times) and times[0] != times[1] and earlier.fps > 0:
        gap = _seconds(times[1]) - _seconds(times[0]) - earlier.n_frames / earlier.fps
        if abs(gap) > TIME_TOLERANCE_S:
            return False, f"consecutive split files, but {gap:+.0f} s apart in the names' times"
    return True, f"{stems[1]} continues {stems[0]} (consecutive split files)"


def follows(earlier: Part, later: Part, options: dict, recording: str) -> tuple[bool, str]:
    """(contiguous, why) for two parts next to each other in time order."""
    said = declared(options, recording, later)
    if said is not None:
        return said, f"config recordings.contiguous says {'' if said else 'not '}contiguous"
    if earlier.video_files and earlier.video_files == later.video_files:
        end, start = _tracked_span(earlier)[1], _tracked_span(later)[0]
        if end == start:
            return True, f"tracking intervals of one video meet at frame {start}"
        between = f"frames {end} to {start} untracked" if start > end else "overlapping"
        return False, f"tracking intervals of one video, {between} between them"
    if (split := _camera_split(earlier, later)) is not None:
        return split
    return False, "not known to follow each other in time (config recordings.contiguous can say so)"
