"""Which stage idtracker.ai is at, and how far it got, read from its log as it grows.

idtracker.ai logs `START <step>` and `FINISH <step>, it took ...` around each step (its
py_utils.py); progress bars go to a terminal only, so in a job's log the one live progress
is the contrastive training's table (a row every 100 batches with the silhouette score).
"""

import re

from idtracker_flow.trackers.protocol import LogStageReader

# idtracker.ai's step names (6.0.14) -> the stages a user knows from its documentation.
STAGE_OF_STEP = {
    "Tracking session": "starting",
    "Animal detection": "segmentation",
    "Crossing detection": "crossing detection",
    "Fragmentation": "crossing detection",
    "Tracking": "identification",
    "Fragment identification": "identification",
    "Contrastive step": "contrastive",
    "Accumulation": "identification",
    "Identification": "identification",
    "Trajectories creation": "trajectories",
    "Impossible jumps correction": "trajectories",
    "Crossings solver": "trajectories",
}
START = re.compile(r"\bSTART (?P<step>[A-Za-z][\w /-]*?)\s{2,}|\bSTART (?P<end>[A-Za-z][\w /-]*)$")
FRAMES = re.compile(r"The session has (?P<frames>\d+) frames")
SEGMENTING = re.compile(r"Segmenting video, (?P<episodes>\d+) episodes")
# A row of the contrastive table: "   500 |    2.4    |      0.9719!     | ..."
CONTRASTIVE_ROW = re.compile(r"^\S*\s+(?P<batch>\d+) \|\s+[\d.]+\s+\|\s+(?P<score>[\d.]+)")
ACCURACY = re.compile(r"Estimated accuracy: (?P<accuracy>[\d.]+%)")


class StageReader(LogStageReader):
    """idtracker.ai's stage from its log lines (`feed` them; `stage` is the latest known)."""

    def read_line(self, line: str) -> None:
        stage = self.stage
        if (start := START.search(line)) is not None:
            step = (start["step"] or start["end"]).strip()
            if (name := STAGE_OF_STEP.get(step)) is not None and name != stage.name:
                stage.name, stage.detail = name, ""
            return
        if (match := FRAMES.search(line)) is not None:
            stage.frames = int(match["frames"])
            stage.detail = f"{stage.frames} frames"
        elif (match := SEGMENTING.search(line)) is not None and stage.frames:
            stage.detail = f"{stage.frames} frames, {match['episodes']} episodes"
        elif stage.name == "contrastive" and (match := CONTRASTIVE_ROW.match(line)):
            stage.detail = f"batch {match['batch']}, silhouette {float(match['score']):.2f}"
        elif (match := ACCURACY.search(line)) is not None:
            stage.name, stage.detail = "saving", f"estimated accuracy {match['accuracy']}"
