"""A repaired copy of a settings file that idtracker.ai can read here.

The user's file is never modified. The copy has lower-case keys, forward-slash literal paths
that exist on this machine, and float-only `area_ths`; comments and order are kept.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

import tomlkit

from idtracker_flow.deeplabcut import job_settings as deeplabcut_settings
from idtracker_flow.deeplabcut import model as deeplabcut_model
from idtracker_flow.project import atomic_files
from idtracker_flow.project.layout import SESSION, SETTINGS, job_path
from idtracker_flow.recordings.image_size import fix_image_size
from idtracker_flow.settings import known_keys, paths, reader
from idtracker_flow.settings.checks import (
    check_background_size,
    check_transfer_model,
)
from idtracker_flow.settings.values import ValueCheck, interval_problem
from idtracker_flow.settings.video_check import VideoChecks

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


def floats_if_mixed(value):
    """[50, inf] -> [50.0, inf]: idtracker.ai's TOML reader rejects mixed int/float arrays."""
    if (
        isinstance(value, list)
        and any(isinstance(v, float) for v in value)
        and any(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        return [float(v) for v in value]
    return None


class RepairError(Exception):
    pass


@dataclass
class _Repair:
    """One settings file being repaired: the document, notes on changes, problems found."""

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

    def failure(self, lookup, key: str, what: str) -> None:
        message = paths.describe_failure(lookup, key, self.settings, self.job_name, what)
        self.problems.append(message)

    def keys(self) -> None:
        for key in known_keys.unknown_keys(self.document.keys()):
            describe = known_keys.describe_unknown(key)
            self.problems.append(f"Job {self.job_name}: {self.settings}: {describe}")

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
        intervals = self.document.get("tracking_intervals")
        if isinstance(intervals, list) and interval_problem(intervals) is None:
            outside = [pair for pair in intervals if pair[1] > total]
            if outside:
                self.problems.append(
                    f"{where}: tracking_intervals {outside} reach past the end of the video"
                    f" ({total} frames, numbered 0 to {total - 1}; the end of an interval is"
                    " excluded).\nWhat to do: correct the intervals, e.g. in the segmentation"
                    " app (`pixi run gui`)."
                )

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

    def transfer(self) -> None:
        transfer = self.document.get("knowledge_transfer_folder")
        if not transfer:
            return
        reference = paths.session_reference(str(transfer))
        if reference and job_path(SETTINGS, *reference).is_file():
            # Another job of this workflow, tracked first (a DAG edge): it may not exist yet.
            target = job_path(SESSION, *reference).resolve()
        else:
            lookup = paths.locate(str(transfer), self.settings, self.prefixes, [], want_dir=True)
            target = lookup.found.resolve() if lookup.found else None
            if target is None:
                self.failure(lookup, "knowledge_transfer_folder", "folder")
            elif missing_model := check_transfer_model(target):
                self.problems.append(
                    f"Job {self.job_name}: knowledge_transfer_folder '{transfer}' in"
                    f" {self.settings}: {missing_model}."
                )
        if target is not None:
            self.document["knowledge_transfer_folder"] = literal_path(target)
            if str(target) != str(transfer):
                self.notes.append(f"knowledge_transfer_folder: '{transfer}' -> {target}")

    def background(self, found_videos: list[Path]) -> None:
        background = reader.background_path(self.document.unwrap())
        if not background:
            return
        folders = [f"backgrounds/{self.video}"]
        lookup = paths.locate(background, self.settings, self.prefixes, folders)
        if not self.document.get("use_bkg"):
            # idtracker.ai ignores the image (with a warning) when use_bkg is false.
            self.notes.append("background_subtraction_stat: not checked, use_bkg is false")
            return
        if lookup.found is None:
            self.failure(lookup, "background_subtraction_stat", "background image")
            return
        image = lookup.found.resolve()
        if self.check_videos and found_videos:
            if wrong_size := check_background_size(image, found_videos[0]):
                where = f"Job {self.job_name}: background_subtraction_stat in {self.settings}"
                self.problems.append(f"{where}: {wrong_size}.")
        # idtracker.ai does not resolve this one: it must be absolute.
        self.document["background_subtraction_stat"] = literal_path(image)
        if str(image) != background:
            self.notes.append(f"background_subtraction_stat: '{background}' -> {image}")

    def deeplabcut_job(self) -> None:
        """A DeepLabCut job: its own keys, one video, a project with a trained network."""
        where = f"Job {self.job_name}: {self.settings}"
        values = self.document.unwrap()
        self.problems += [f"{where}: {p}" for p in deeplabcut_settings.problems(values)]
        if not reader.video_paths(values):
            self.problems.append(
                f"{where} has no video_paths.\nWhat to do: add the video to analyse, e.g."
                ' video_paths = ["D:/videos/arena1.mp4"].'
            )
        elif len(found_videos := self.videos()) > 1:
            self.problems.append(
                f"{where}: a DeepLabCut job analyses one video; this one lists"
                f" {len(found_videos)}.\nWhat to do: make one settings file per video."
            )
        written = values.get("project")
        if not written:
            return
        lookup = paths.locate(str(written), self.settings, self.prefixes, [])
        if lookup.found is None:
            lookup = paths.locate(str(written), self.settings, self.prefixes, [], want_dir=True)
        if lookup.found is None:
            self.failure(lookup, "project", "DeepLabCut project")
            return
        config_yaml = deeplabcut_model.project_config_path(lookup.found.resolve())
        options = deeplabcut_settings.options(values)
        try:
            deeplabcut_model.snapshot(
                config_yaml,
                options["shuffle"],
                options["snapshot_index"],
                options["trainingsetindex"],
            )
        except deeplabcut_model.ModelMissing as error:
            self.problems.append(f"{where}: project '{written}': {error}")
        self.document["project"] = literal_path(config_yaml)
        if str(config_yaml) != str(written):
            self.notes.append(f"project: '{written}' -> {config_yaml}")

    def arrays(self) -> None:
        for key, value in self.document.unwrap().items():
            if (fixed := floats_if_mixed(value)) is not None:
                self.document[key] = fixed
                self.notes.append(
                    f"{key}: written as floats {fixed} (idtracker.ai rejects mixed arrays)"
                )


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
    if problem := deeplabcut_settings.tracker_problem(document):
        raise RepairError(f"Job {job_name}: {settings}: {problem}")
    if deeplabcut_settings.is_deeplabcut(document):
        fix.deeplabcut_job()
        if fix.problems:
            raise RepairError("\n\n".join(fix.problems))
        return document, notes
    if deeplabcut_settings.TRACKER_KEY in document:  # tracker = "idtrackerai": not its key
        del document[deeplabcut_settings.TRACKER_KEY]
    fix.keys()
    values = ValueCheck(document, f"Job {job_name}: {settings}")
    values.run()
    fix.notes += values.notes
    fix.problems += values.problems
    found_videos = fix.videos()
    fix.transfer()
    fix.background(found_videos)
    fix.arrays()
    if recordings and (note := fix_image_size(document, video, recordings)):
        notes.append(note)
    if for_workflow and "output_dir" in document:
        # The workflow decides where sessions go, so that every job's session is found.
        del document["output_dir"]
        notes.append("output_dir: ignored; sessions go to results/sessions/<video>/")
    if fix.problems:
        raise RepairError("\n\n".join(fix.problems))
    return document, notes


def repair(settings: Path, out: Path, *args, **options) -> list[str]:
    """Write the repaired copy of `settings` to `out`; return notes on what changed. The other
    arguments are those of `repaired_document` (video, job, prefixes, video_dirs, ...)."""
    document, notes = repaired_document(settings, *args, **options)
    atomic_files.write_text(out, tomlkit.dumps(document))
    return notes
