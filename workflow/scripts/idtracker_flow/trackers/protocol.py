"""What the workflow asks of a tracker: one protocol, implemented by each tracker's folder.

A tracker is a module (`trackers/<name>/tracker.py`) whose names follow `Tracker` below; the
registry (`trackers/__init__.py`) lists them. The generic packages (settings, tracking, qc,
exports, console, state) only ever talk to a tracker through these names, so a new tracker
is a new folder and one line in the registry.

Heavy imports (h5py, pandas, the tracker's own package) stay inside the functions: the
registry is imported at every DAG build.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

# How CUDA says it ran out of GPU memory; trackers word theirs the same, so that the retry of
# such a failure runs alone on a GPU (tracking/retry.py).
CUDA_OUT_OF_MEMORY = "CUDA out of memory"


class RunFailed(Exception):
    """A job failed; `transient` when another attempt may well succeed (a crash, a kill,
    CUDA out of memory). The message names the job and says what to do."""

    def __init__(self, message: str, transient: bool = False):
        super().__init__(message)
        self.transient = transient


class UnknownTracker(ValueError):
    """A settings file or record names a tracker that is not registered."""


@dataclass
class RunRequest:
    """One job to run, as the runner (tracking/run.py) hands it to the tracker."""

    job_name: str  # <video>/<job>
    settings_path: Path  # the repaired settings, absolute
    settings: dict  # the same, parsed
    session: Path  # the session folder the tracker writes (absolute)
    workdir: Path  # its working directory (absolute)
    tracked: Path  # the tracking record the job ends with (for messages)
    config: dict  # the workflow's config (the tracker's own options are keys of it)
    found: dict = field(default_factory=dict)  # what check() found, for command() and judge()


@dataclass
class Resources:
    """What the runner holds for the job while it runs."""

    device: str  # config `device`: auto, cpu, cuda, cuda:N, mps
    threads: int
    visible_gpus: list[str]  # NVIDIA GPUs visible to the job (after its slot was taken)
    ram_share_mb: int | None = None  # this job's share of the RAM where jobs share a machine


@dataclass
class Command:
    """How to start the tracker: its command line, environment additions and log lines."""

    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    log_lines: list[str] = field(default_factory=list)


@dataclass
class TrackInputs:
    """A job's DAG inputs beyond its settings and videos (one input function for all)."""

    after_jobs: list[tuple[str, str]] = field(default_factory=list)  # tracked first
    files: list[str] = field(default_factory=list)  # a newer one runs the job again
    # How status words a newer file: "{what}: {path} changed {when}"; `why` per file, else
    # `files_changed`.
    files_changed: str = "input changed"
    why: dict[str, str] = field(default_factory=dict)

    def changed(self, path: str) -> str:
        """What a newer `path` means, in the user's words."""
        return self.why.get(path, self.files_changed)


@dataclass
class Stage:
    """Where one job's tracker is: a stage name and a short detail ("" when none)."""

    name: str = "starting"
    detail: str = ""
    frames: int | None = None

    def describe(self) -> str:
        return f"{self.name} ({self.detail})" if self.detail else self.name


class LogStageReader:
    """A tracker's stage reader (its `stage_reader()`): feed it a log's new text as it comes,
    in any chunks; `stage` is the latest known. A tracker subclasses it with `read_line`."""

    def __init__(self):
        self.stage = Stage()
        self._partial = ""

    def feed(self, text: str) -> Stage:
        lines = (self._partial + text).split("\n")
        self._partial = lines.pop()  # an unfinished last line waits for the rest
        for line in lines:
            self.read_line(line.rstrip())
        return self.stage

    def read_line(self, line: str) -> None:
        raise NotImplementedError


class SettingsFrame(Protocol):
    """The settings repair (settings/repair.py) as a tracker sees it."""

    settings: Path  # the user's settings file
    video: str
    job_name: str
    prefixes: dict[str, str]
    video_dirs: list[str]
    check_videos: bool
    document: object  # tomlkit document, edited in place
    notes: list[str]
    problems: list[str]
    options: dict  # the config parts the repair was given (recordings, for_workflow)
    total_frames: int | None  # of the videos together, once videos() checked them

    # `video_dirs`: False for a file never looked for in the video folders (a model)
    def failure(self, lookup, key: str, what: str, video_dirs: bool = True) -> None: ...

    def path_value(self, path: Path | str) -> object: ...  # a path as the repaired file holds it

    def videos(self) -> list[Path]: ...


@dataclass(frozen=True)
class ArenaRegion:
    """One region of a job's arena as its settings draw it: a polygon in pixels, kept (the
    animals' area) or cut out of the others (keep=False)."""

    keep: bool
    vertices: list[tuple[float, float]]


class Tracker(Protocol):
    NAME: str  # the value of `tracker = "..."` in a settings file, and in its records
    ALIASES: tuple[str, ...]  # other spellings users write
    DISPLAY_NAME: str  # how the user knows it
    PROCESS_MARKER: bytes  # in the command line of its processes: a leftover is recognised
    RESULT_IN_SESSION: str  # its result file, relative to the session folder
    # Session files the user may rewrite after tracking (a validator): the copy and the QC
    # watch them once they exist (relative to the session folder).
    EDITED_IN_SESSION: dict[str, str]  # step name -> file
    # Further results copied beside the main one when the session has them (session file ->
    # suffix of the copy in tracking/, e.g. ".filtered.h5"), never instead of it.
    RESULTS_BESIDE: dict[str, str]
    QC_COLUMNS: tuple[str, ...]  # its own columns of the QC table, in order
    QC_NUMERIC_COLUMNS: tuple[str, ...]  # those of them that are numbers
    CAPABILITIES: frozenset[str]  # e.g. "recordings" (identities matched across parts)

    # Settings
    def repair_settings(self, frame: SettingsFrame) -> None: ...  # its keys; frame finds videos
    def digest(self, settings: dict) -> dict: ...  # what track_inputs needs, cached per file
    def track_inputs(self, digest: dict, job, settings_path: str, config: dict, jobs: set,
                     cache: dict) -> TrackInputs: ...  # fmt: skip
    def with_identities(self, settings: dict) -> bool: ...
    def arena(self, settings: dict) -> list[ArenaRegion] | None: ...  # None: none drawn

    # Running (tracking/run.py calls check, then command, then judge)
    def check(self, request: RunRequest) -> None: ...  # raises RunFailed before any GPU time
    def command(self, request: RunRequest, resources: Resources) -> Command: ...
    def judge(self, request: RunRequest, status: int, log) -> dict: ...  # its record part
    def provenance_at_tracking(self, record: dict, settings_path: Path) -> dict: ...
    def failure_line(self, log_text: str) -> str | None: ...  # its own error line in a log
    def stage_reader(self) -> LogStageReader: ...

    # The result
    def result_problem(self, path: Path) -> str | None: ...
    def read_poses(self, result: Path, record: dict): ...  # -> trackers.poses.Poses
    def session_facts(self, session: Path, record: dict) -> dict: ...  # tracking_intervals...
    def qc_columns(self, trajectories, facts: dict, record: dict) -> dict: ...  # QC_COLUMNS
    def qc_notes(self, session: Path) -> list[str]: ...
    def provenance(self, record: dict, facts: dict) -> dict: ...  # its sections of the record
    def validated_on(self, session: Path) -> str | None: ...
    def device_label(self, recorded: str | None) -> str: ...
    def overlay(self, session: Path, result: Path, output: Path, config: dict) -> None: ...
    def no_overlay(self) -> str | None: ...  # why it draws no overlay video (None: it does)
