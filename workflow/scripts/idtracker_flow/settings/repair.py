"""A repaired copy of a settings file that its tracker can read here.

The user's file is never modified. The copy has lower-case keys and forward-slash literal
paths that exist on this machine; comments and order are kept. This is the frame every
tracker shares (reading, the videos and their pre-flight check, notes and problems, writing);
each tracker repairs and checks its own keys (`repair_settings` of trackers/<name>/tracker.py).
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

import tomlkit

from idtracker_flow import trackers
from idtracker_flow.project import atomic_files, paths
from idtracker_flow.settings import reader
from idtracker_flow.settings.video_check import VideoChecks
from idtracker_flow.trackers.protocol import UnknownTracker

UNREADABLE = (
    " (damaged, not fully copied, or a codec OpenCV cannot decode).\nWhat to do: check that it"
    " plays in a video player; copy it again, or convert it (e.g. with ffmpeg to .avi or .mp4)"
)
KEY_LINE = re.compile(r"^(\s*)([A-Za-z_][A-Za-z0-9_]*)(\s*=)", re.MULTILINE)


def normalise_keys(text: str) -> str:
    """Lower-case keys (idtracker.ai matches them case-insensitively) and rename old ones."""

    def fix(match: re.Match) -> str:
        key = match.group(2).lower()
        return match.group(1) + reader.RENAMED_KEYS.get(key, key) + match.group(3)

    return KEY_LINE.sub(fix, text)


def literal_path(path: Path | str) -> tomlkit.items.String:
    text = str(path).replace("\\", "/")
    # A literal string cannot hold a single quote; a basic string with forward slashes can.
    return tomlkit.string(text, literal="'" not in text)


class RepairError(Exception):
    pass


@dataclass
class _Repair:
    """One settings file being repaired: the document, notes on changes, problems found (the
    frame a tracker's `repair_settings` works in: trackers/protocol.py, SettingsFrame)."""

    settings: Path
    video: str
    job_name: str
    prefixes: dict[str, str]
    video_dirs: list[str]
    check_videos: bool
    document: tomlkit.TOMLDocument
    notes: list[str] = field(default_factory=list)
    truncated_videos: str = "fail"  # or "track_readable" (config/config.yaml)
    problems: list[str] = field(default_factory=list)
    options: dict = field(default_factory=dict)  # config parts a tracker may use (recordings)
    total_frames: int | None = None  # of its videos together, once they were checked

    def failure(self, lookup, key: str, what: str, video_dirs: bool = True) -> None:
        message = paths.describe_failure(
            lookup, key, self.settings, self.job_name, what, video_dirs
        )
        self.problems.append(message)

    def path_value(self, path: Path | str) -> tomlkit.items.String:
        return literal_path(path)

    def videos(self) -> list[Path]:
        written_videos = reader.video_paths(self.document.unwrap())
        if not written_videos:
            self.problems.append(
                f"Job {self.job_name}: {self.settings} has no video_paths. Save the settings"
                " again from idtracker.ai's segmentation app (pixi run gui) with the video loaded."
            )
        found_videos = []
        for written in written_videos:
            lookup = paths.locate(written, self.settings, self.prefixes, self.video_dirs)
            if lookup.found is None:
                self.failure(lookup, "video_paths", "video")
                continue
            found = lookup.found.resolve()
            found_videos.append(found)
            if str(found) != written:
                self.notes.append(f"video_paths: '{written}' -> {found}")
        if found_videos:
            self.document["video_paths"] = [literal_path(p) for p in found_videos]
            if self.check_videos:
                self.preflight(found_videos)
        return found_videos

    def preflight(self, videos: list[Path]) -> None:
        """Every video opens and decodes to its end; the parts agree; the intervals fit."""
        checks = VideoChecks()
        facts = [checks.facts(video) for video in videos]
        where = f"Job {self.job_name}: video_paths in {self.settings}"
        for video, fact in zip(videos, facts):
            if fact.problem:
                self.problems.append(
                    f"{where}: the video {video} exists but {fact.problem}{UNREADABLE}."
                )
        if any(fact.problem for fact in facts):
            return
        if len({(fact.width, fact.height) for fact in facts}) > 1:
            sizes = ", ".join(f"{v.name} {f.width}x{f.height}" for v, f in zip(videos, facts))
            self.problems.append(
                f"{where}: the parts of this job have different frame sizes ({sizes}), which"
                " idtracker.ai cannot track as one recording.\nWhat to do: make one settings"
                " file per size (one per part), or convert the parts to one size."
            )
        total = sum(fact.frames for fact in facts)
        for index, (video, fact) in enumerate(zip(videos, facts)):
            if fact.cut_short:
                last = index == len(videos) - 1
                total = self.cut_short(where, video, fact, total - fact.frames, last) or total
        self.total_frames = total

    def cut_short(self, where: str, video: Path, fact, start: int, last: bool) -> int | None:
        """A video that ends before its header says: refused, or tracked as far as it goes when
        config says so (and it is the last part). Returns the frames to track then."""
        said = (
            f"the video {video} is cut short: its frames decode only up to frame"
            f" {fact.readable - 1} of {fact.frames} (the file was not copied whole, or the"
            " recording was interrupted)"
        )
        if self.truncated_videos != "track_readable" or not last:
            self.problems.append(
                f"{where}: {said}.\nWhat to do: copy the video again from the original; or, to"
                " track the frames it has, set `truncated_videos: track_readable` in"
                " config/config.yaml (the last part of a job only)."
            )
            return None
        end = start + fact.readable
        intervals = self.document.get("tracking_intervals")
        pairs = intervals.unwrap() if isinstance(intervals, list) else [[0, end]]
        clipped = [[a, min(b, end)] for a, b in pairs if a < end]
        self.document["tracking_intervals"] = clipped
        self.notes.append(f"{said}: tracking_intervals set to {clipped} (truncated_videos)")
        return end


def parsed_with_notes(settings: Path) -> tuple[tomlkit.TOMLDocument, list[str]]:
    """The settings with lower-case, current key names, and notes on what that changed."""
    notes: list[str] = []
    raw_text = reader.read_text(settings, notes)
    notes += [
        f"{old_key}: renamed to {new_key} (its name in idtracker.ai 6)"
        for old_key, new_key in reader.RENAMED_KEYS.items()
        if re.search(rf"^\s*{old_key}\s*=", raw_text, re.IGNORECASE | re.MULTILINE)
    ]
    try:
        return tomlkit.parse(normalise_keys(raw_text)), notes
    except tomlkit.exceptions.ParseError:
        reader.parse_document(settings)  # raises the user-facing message
        raise


def repaired_document(
    settings: Path,
    video: str,
    job: str,
    prefixes: dict[str, str],
    video_dirs: list[str],
    check_videos: bool = True,
    for_workflow: bool = True,
    truncated_videos: str = "fail",
    recordings: dict | None = None,
) -> tuple[tomlkit.TOMLDocument, list[str]]:
    """The repaired settings and notes on what changed; RepairError lists every problem.

    `for_workflow` drops output_dir (the workflow places sessions); an in-place rewrite of the
    user's own file keeps it. `recordings` (config) may fix the identification image size.
    """
    settings = Path(settings)
    document, notes = parsed_with_notes(settings)
    job_name = f"{video}/{job}"
    fix = _Repair(settings, video, job_name, prefixes, video_dirs, check_videos, document, notes)
    fix.truncated_videos = truncated_videos
    fix.options = {"recordings": recordings, "for_workflow": for_workflow}
    try:
        tracker = trackers.for_settings(document)
    except UnknownTracker as error:
        raise RepairError(f"Job {job_name}: {settings}: {error}") from None
    if trackers.TRACKER_KEY in document and tracker is trackers.default():
        # tracker = "idtrackerai": the default tracker does not know the key
        del document[trackers.TRACKER_KEY]
    tracker.repair_settings(fix)
    if fix.problems:
        raise RepairError("\n\n".join(fix.problems))
    return document, notes


def repair(settings: Path, out: Path, *args, **options) -> list[str]:
    """Write the repaired copy of `settings` to `out`; return notes on what changed. The other
    arguments are those of `repaired_document` (video, job, prefixes, video_dirs, ...)."""
    document, notes = repaired_document(settings, *args, **options)
    atomic_files.write_text(out, tomlkit.dumps(document))
    return notes
