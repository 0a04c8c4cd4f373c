"""Which stage a DeepLabCut job is at, from its log as it grows: analyze.py prints
`Stage: <name>` before each of its steps, and DeepLabCut prints its video's frame count."""

import re

from idtracker_flow.trackers.protocol import LogStageReader

STAGE_LINE = re.compile(r"^Stage: (?P<name>.+)$")
FRAMES = re.compile(r"(?P<frames>\d+) frames")


class StageReader(LogStageReader):
    """DeepLabCut's stage from analyze.py's `Stage:` lines and its frame count."""

    def read_line(self, line: str) -> None:
        line = line.strip()
        if match := STAGE_LINE.match(line):
            self.stage.name, self.stage.detail = match["name"], ""
        elif self.stage.frames is None and (match := FRAMES.search(line)):
            self.stage.frames = int(match["frames"])
            self.stage.detail = f"{self.stage.frames} frames"
