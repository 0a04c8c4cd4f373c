"""Which stage a DeepLabCut job is at, from its log as it grows: analyze.py prints
`Stage: <name>` before each of its steps, and DeepLabCut prints its video's frame count."""

import re
from dataclasses import dataclass

STAGE_LINE = re.compile(r"^Stage: (?P<name>.+)$")
FRAMES = re.compile(r"(?P<frames>\d+) frames")


@dataclass
class Stage:
    name: str = "starting"
    detail: str = ""
    frames: int | None = None

    def describe(self) -> str:
        return f"{self.name} ({self.detail})" if self.detail else self.name


class StageReader:
    """Feed it a log's new text as it comes (any chunks); `stage` is the latest known."""

    def __init__(self):
        self.stage = Stage()
        self._partial = ""

    def feed(self, text: str) -> Stage:
        lines = (self._partial + text).split("\n")
        self._partial = lines.pop()  # an unfinished last line waits for the rest
        for line in lines:
            line = line.strip()
            if match := STAGE_LINE.match(line):
                self.stage.name, self.stage.detail = match["name"], ""
            elif self.stage.frames is None and (match := FRAMES.search(line)):
                self.stage.frames = int(match["frames"])
                self.stage.detail = f"{self.stage.frames} frames"
        return self.stage
