"""The pre-flight check of a video file, before any tracking: it opens, its frames decode to the
last one, and its frame count, frame rate and size are known.

idtracker.ai itself only notices a damaged or cut-short video deep into tracking, or not at all
(a video copied only in part is "tracked" as far as it goes). The check costs a seek and a
decode at the end of the file, and is remembered per file version (path, time, size) in
.snakemake/idtracker-flow/video-checks.json, so a batch of 10,000 jobs reads each video once.
"""

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from idtracker_flow.project import atomic_files

# FFmpeg's own complaints about a damaged file would reach the terminal; the check says it.
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")
CACHE = Path(".snakemake") / "idtracker-flow" / "video-checks.json"
FORMAT = 1


@dataclass
class VideoFacts:
    frames: int  # as the file's header says
    fps: float
    width: int
    height: int
    readable: int  # frames that decode, counted from 0 (== frames when the file is whole)
    problem: str = ""  # why it cannot be used at all ("" when it can)

    @property
    def cut_short(self) -> bool:
        return not self.problem and self.readable < self.frames


def _decodes(capture, frame: int) -> bool:
    import cv2

    capture.set(cv2.CAP_PROP_POS_FRAMES, frame)
    ok, image = capture.read()
    return bool(ok) and image is not None


def inspect(path: Path) -> VideoFacts:
    """Open the video and decode its last frame; find the last readable one when that fails."""
    import cv2  # heavy import, only when a video is checked

    capture = cv2.VideoCapture(str(path))
    try:
        if not capture.isOpened() or not capture.grab():
            return VideoFacts(0, 0.0, 0, 0, 0, "cannot be read as a video")
        frames = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
        fps = float(capture.get(cv2.CAP_PROP_FPS))
        width = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH))
        height = int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT))
        if frames <= 0:
            return VideoFacts(frames, fps, width, height, 0, "its number of frames is unknown")
        if _decodes(capture, frames - 1):
            return VideoFacts(frames, fps, width, height, frames)
        # Cut short: the last frame that decodes, by bisection (frame 0 did, above).
        good, bad = 0, frames - 1
        while bad - good > 1:
            middle = (good + bad) // 2
            good, bad = (middle, bad) if _decodes(capture, middle) else (good, middle)
        return VideoFacts(frames, fps, width, height, good + 1)
    finally:
        capture.release()


class VideoChecks:
    """`inspect` results remembered per file version between runs and jobs."""

    def __init__(self, cache: Path = CACHE):
        self.cache = Path.cwd() / cache
        try:
            data = json.loads(self.cache.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        ok = isinstance(data, dict) and data.get("format") == FORMAT
        self.entries = data.get("entries", {}) if ok else {}

    def facts(self, path: Path) -> VideoFacts:
        key = str(Path(path).resolve())
        stat = os.stat(key)
        stamp = [stat.st_mtime_ns, stat.st_size]
        entry = self.entries.get(key)
        if entry is not None and entry[0] == stamp:
            return VideoFacts(**entry[1])
        facts = inspect(Path(key))
        self.entries[key] = [stamp, asdict(facts)]
        self._save()
        return facts

    def _save(self) -> None:
        """Replaced whole: a job beside this one reads the old or the new file; losing an
        entry to a job that saved at the same moment costs only a check."""
        try:
            text = json.dumps({"format": FORMAT, "entries": self.entries})
            atomic_files.write_text(self.cache, text)
        except OSError:
            pass
