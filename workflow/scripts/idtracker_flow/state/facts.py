"""What `pixi run status` needs to know about every job, gathered from the disk once.

File times are taken as Snakemake takes them (an output's own time; an input's time follows a
link to its target), from one directory listing per folder, so 10,000 jobs cost seconds.
Nothing here decides anything: decision.py does, from these facts alone.
"""

import base64
import os
from dataclasses import dataclass, field
from pathlib import Path

from idtracker_flow import trackers
from idtracker_flow.project import layout
from idtracker_flow.project.config import read_config
from idtracker_flow.project.jobs import discover_jobs, unusable_settings
from idtracker_flow.project.steps import COPY, REPAIR, STEPS, TRACK
from idtracker_flow.settings import digest, job_inputs, reader
from idtracker_flow.tracking import run_lock

INCOMPLETE = Path(".snakemake/incomplete")


class Folders:
    """File times from one listing per folder: a missing file costs no failed stat."""

    def __init__(self):
        self._listings: dict[str, dict[str, os.DirEntry]] = {}

    def _entry(self, path: Path | str) -> os.DirEntry | None:
        folder, name = os.path.split(str(path))
        listing = self._listings.get(folder)
        if listing is None:
            try:
                with os.scandir(folder or ".") as entries:
                    listing = {entry.name: entry for entry in entries}
            except OSError:
                listing = {}
            self._listings[folder] = listing
        return listing.get(name)

    def exists(self, path) -> bool:
        return self._entry(path) is not None

    def output_mtime(self, path) -> float | None:
        """An output's time as Snakemake takes it (the link itself, not its target)."""
        entry = self._entry(path)
        return entry.stat(follow_symlinks=False).st_mtime if entry else None

    def input_mtime(self, path) -> float | None:
        """An input's time as Snakemake takes it: the newer of a link and its target."""
        entry = self._entry(path)
        if entry is None:
            return None
        mtime = entry.stat(follow_symlinks=False).st_mtime
        if entry.is_symlink():
            try:
                mtime = max(mtime, entry.stat().st_mtime)
            except OSError:
                return None
        return mtime


def incomplete_outputs() -> set[str]:
    """Outputs Snakemake marked incomplete: being made now, or when a run was cut off."""
    found = set()
    if not INCOMPLETE.is_dir():
        return found
    for root, _, files in os.walk(INCOMPLETE):
        for name in files:
            relative = os.path.relpath(os.path.join(root, name), INCOMPLETE)
            # Long names are split into folders whose names start with "@".
            key = "".join(part.lstrip("@") for part in relative.split(os.sep))
            try:
                found.add(base64.urlsafe_b64decode(key).decode())
            except ValueError:
                continue
    return found


def running_outputs() -> set[str]:
    """The files the live run will write (Snakemake's output lock lists them)."""
    outputs = set()
    for lock in run_lock.LOCKS.glob("*.output.lock"):
        try:
            outputs.update(line.strip() for line in lock.read_text().splitlines())
        except OSError:
            continue
    return outputs


def quick_settings(path: str) -> dict | None:
    """The settings as the workflow reads them; None when the file cannot be read."""
    try:
        return reader.read_settings(Path(path))
    except Exception:
        return None


@dataclass
class JobFacts:
    """One job as Snakemake sees it: its inputs, and each step's output (None: missing)."""

    settings: dict | None
    videos: list[str]  # found on this machine
    transfer: tuple[str, str] | None  # the job its tracker needs first (knowledge transfer)
    settings_time: float | None
    video_times: list[float | None]
    session_trajectories_time: float | None  # the session file the copy follows, if any
    model: list[str]  # files its tracker needs (a trained model), newer: run again
    model_times: list[float | None]
    output_time: dict[str, float | None]  # step -> its output's time as an output
    input_time: dict[str, float | None]  # step -> its output's time as the next step's input
    # Steps whose output Snakemake marked incomplete: being made now (the output may not exist
    # yet), or, when it exists and no run is working, left half-made by a run cut off.
    incomplete: set[str]
    model_changed: list[str] = field(default_factory=list)  # per file: what a newer one means

    def cut_off(self, step: str) -> bool:
        """The step's output exists but is marked incomplete: Snakemake makes it again."""
        return step in self.incomplete and self.output_time[step] is not None


class Project:
    """The project folder (the current directory): its jobs, and the facts about each."""

    def __init__(self, config: dict | None = None):
        self.config = read_config() if config is None else config
        self.jobs = discover_jobs("settings")
        self.unusable = unusable_settings("settings")
        self.job_set = set(self.jobs)
        self.skip = set(self.config.get("skip") or [])
        self.targets = [key for key in self.jobs if layout.job_id(*key) not in self.skip]
        self.files = Folders()
        self.incomplete = incomplete_outputs()
        self._facts: dict[tuple[str, str], JobFacts] = {}
        self._inputs_cache: dict = {}  # trackers' lookups (a model), once per project
        self._copy_watches = trackers.edited_in_session(COPY.name)

    def facts(self, video: str, job: str) -> JobFacts:
        key = (video, job)
        if key not in self._facts:
            self._facts[key] = self._gather(video, job)
        return self._facts[key]

    def all_facts(self) -> dict[tuple[str, str], JobFacts]:
        return {key: self.facts(*key) for key in self.jobs}

    def _gather(self, video: str, job: str) -> JobFacts:
        settings_path = layout.job_file(layout.SETTINGS, video, job)
        settings = quick_settings(settings_path)
        videos, inputs = [], job_inputs.TrackInputs()
        if settings is not None:
            written = reader.video_paths(settings)
            videos = job_inputs.found_videos(written, settings_path, self.config)
            inputs = job_inputs.track_inputs(
                digest.digest_of(settings), (video, job), settings_path, self.config,
                self.job_set, self._inputs_cache,
            )  # fmt: skip
        outputs = {step.name: step.output_of(video, job) for step in STEPS}
        output_time = {name: self.files.output_mtime(path) for name, path in outputs.items()}
        watched = [layout.session_file(video, job, name) for name in self._copy_watches]
        watched_times = [t for t in map(self.files.input_mtime, watched) if t is not None]
        return JobFacts(
            settings=settings,
            videos=videos,
            transfer=inputs.after_jobs[0] if inputs.after_jobs else None,
            settings_time=self.files.input_mtime(settings_path),
            video_times=[self.files.input_mtime(path) for path in videos],
            session_trajectories_time=max(watched_times, default=None),
            model=inputs.files,
            model_times=[self.files.input_mtime(path) for path in inputs.files],
            output_time=output_time,
            input_time={
                name: self.files.input_mtime(outputs[name]) for name in (REPAIR.name, TRACK.name)
            },
            incomplete={name for name, path in outputs.items() if path in self.incomplete},
            model_changed=[inputs.changed(path) for path in inputs.files],
        )
