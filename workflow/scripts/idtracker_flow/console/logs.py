"""Following the logs of running tracking jobs: only the text added since the last look,
read by the stage reader of the job's own tracker."""

import re
from pathlib import Path

from idtracker_flow import trackers
from idtracker_flow.project import layout
from idtracker_flow.project.steps import REPAIR
from idtracker_flow.recordings.state import PART_LINE

PART = re.compile(PART_LINE.format(number=r"(\d+)", count=r"(\d+)", name=".*"))

MAX_READ = 1 << 20  # a look reads at most 1 MB (a log that grew fast is skimmed, not reread)


class JobLogs:
    def __init__(self):
        self._readers: dict[str, object] = {}
        self._offsets: dict[str, int] = {}

    def stage(self, log: str, job: tuple[str, str] | None = None):
        """The stage of the job writing `log` (a `Stage`: name, detail, describe()), after
        reading what it wrote since last time; `job`: (video, job), whose tracker reads it."""
        if log not in self._readers:
            self._readers[log] = stage_reader(job)
        reader = self._readers[log]
        offset = self._offsets.get(log, 0)
        try:
            with open(Path(log), "rb") as handle:
                handle.seek(offset)
                chunk = handle.read(MAX_READ)
        except OSError:
            return reader.stage  # not written yet
        self._offsets[log] = offset + len(chunk)
        return reader.feed(chunk.decode("utf-8", errors="replace"))

    def forget(self, log: str) -> None:
        self._readers.pop(log, None)
        self._offsets.pop(log, None)


def stage_reader(job: tuple[str, str] | None):
    """The stage reader of the job's tracker (from its repaired settings; the default one
    before they exist)."""
    if job is None:
        return trackers.default().stage_reader()
    settings = layout.job_file(REPAIR.output, *job)
    return trackers.for_settings_file(settings).stage_reader()


def recording_part(log: str) -> str:
    """ " (part 2 of 3)" while a recording's parts are matched, from its log; "" before."""
    try:
        with open(Path(log), "rb") as handle:
            handle.seek(max(handle.seek(0, 2) - MAX_READ, 0))
            text = handle.read().decode("utf-8", errors="replace")
    except OSError:
        return ""
    found = PART.findall(text)
    return f" (part {found[-1][0]} of {found[-1][1]})" if found else ""
