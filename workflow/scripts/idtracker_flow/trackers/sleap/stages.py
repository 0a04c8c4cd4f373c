"""Which stage a SLEAP job is at, from its log as it grows: sleap_predict.py prints `Stage: <name>`
before each of its steps, and sleap-nn's log says how many frames the video has."""

import re

from idtracker_flow.trackers.protocol import LogStageReader

STAGE_LINE = re.compile(r"^Stage: (?P<name>.+)$")
# sleap_predict.py's line before the poses; sleap-nn's own "Starting inference | ... | frames=N".
FRAMES = re.compile(r"\bframes[=: ]+(?P<frames>\d+)\b|(?P<count>\d+) frames\b")


class StageReader(LogStageReader):
    """SLEAP's stage from sleap_predict.py's `Stage:` lines and the video's frame count."""

    def read_line(self, line: str) -> None:
        line = line.strip()
        if match := STAGE_LINE.match(line):
            self.stage.name, self.stage.detail = match["name"], ""
            if self.stage.frames is not None:
                self.stage.detail = f"{self.stage.frames} frames"
        elif self.stage.frames is None and (match := FRAMES.search(line)):
            self.stage.frames = int(match["frames"] or match["count"])
            self.stage.detail = f"{self.stage.frames} frames"
