"""Following the logs of running tracking jobs: only the text added since the last look."""

from pathlib import Path

from idtracker_flow.console.stages import Stage, StageReader

MAX_READ = 1 << 20  # a look reads at most 1 MB (a log that grew fast is skimmed, not reread)


class JobLogs:
    def __init__(self):
        self._readers: dict[str, StageReader] = {}
        self._offsets: dict[str, int] = {}

    def stage(self, log: str) -> Stage:
        """The stage of the job writing `log`, after reading what it wrote since last time."""
        reader = self._readers.setdefault(log, StageReader())
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
