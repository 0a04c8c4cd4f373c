"""The parts of a recording: what each job's session says about itself, their time order,
and which of them can be matched with the reference part.

Read from the session's session.json, the values idtracker.ai actually used (the
identification image size it chose, the regions of interest, the tracking intervals).
"""

import re
from dataclasses import dataclass
from pathlib import Path

from idtracker_flow.project import layout
from idtracker_flow.trackers.idtrackerai.session import session_info
from idtracker_flow.trackers.idtrackerai.tracker import with_identities as tracks_identities

TRAILING_NUMBER = re.compile(r"(\d+)$")


@dataclass
class Part:
    video: str  # the settings folder
    job: str
    session: Path
    info: dict  # session.json

    @property
    def name(self) -> str:
        return layout.job_id(self.video, self.job)

    @property
    def n_animals(self) -> int:
        return int(self.info.get("number_of_animals") or 0)

    @property
    def with_identities(self) -> bool:
        return tracks_identities(self.info)  # session.json holds the settings' two keys

    @property
    def id_image_size(self) -> list[int]:
        return [int(v) for v in self.info.get("id_image_size") or []]

    @property
    def resolution_reduction(self) -> float:
        # idtracker.ai uses 1 when it is not set (crossings_detection/__init__.py).
        return float(self.info.get("resolution_reduction") or 1)

    @property
    def arena(self) -> str:
        """The region of interest, as text: jobs on different arenas film different animals."""
        rois = self.info.get("roi_list") or []
        return "; ".join(sorted(map(str, rois if isinstance(rois, list) else [rois])))

    @property
    def video_files(self) -> list[str]:
        return [
            Path(str(path).replace("\\", "/")).name for path in self.info.get("video_paths") or []
        ]

    @property
    def n_frames(self) -> int:
        return int(self.info.get("number_of_frames") or 0)

    @property
    def fps(self) -> float:
        return float(self.info.get("frames_per_second") or 0)

    @property
    def body_length(self) -> float:
        """idtracker.ai's median body length in pixels (0 when unknown)."""
        return float(self.info.get("median_body_length") or 0)

    @property
    def intervals(self) -> list[list[int]]:
        return [[int(a), int(b)] for a, b in self.info.get("tracking_intervals") or []]

    def order_key(self) -> tuple:
        """Parts by their number (fish1-00, fish1-01), then recording time in the file name,
        then intervals of one video by their first frame."""
        stem = Path(self.video_files[0]).stem if self.video_files else self.job
        part, recorded = layout.name_parts(stem)
        number = TRAILING_NUMBER.search(stem)
        first_frame = self.intervals[0][0] if self.intervals else 0
        return (recorded, int(part or (number.group(1) if number else -1)), first_frame, self.job)


def read_part(video: str, job: str) -> Part:
    session = layout.job_path(layout.SESSION, video, job)
    return Part(video, job, session, session_info(session))


def time_order(parts: list[Part]) -> list[Part]:
    return sorted(parts, key=Part.order_key)


def reference_of(parts: list[Part], chosen_job: str | None) -> Part:
    """The configured reference (a job name, or <video>/<job>), else the first part in time."""
    if chosen_job:
        for part in parts:
            if chosen_job in (part.job, part.name):
                return part
        raise ValueError(
            f"The reference job {chosen_job!r} (config recordings.reference) is not one of this"
            f" recording's jobs: {', '.join(p.name for p in parts)}. What to do: correct the"
            " name in config/config.yaml."
        )
    return time_order(parts)[0]


def why_not_comparable(part: Part, reference: Part) -> str | None:
    """Why a part cannot be matched with the reference (different animals), else None."""
    if not part.with_identities:
        return "tracked without identities (track_wo_identities, or one animal)"
    if part.n_animals != reference.n_animals:
        return (
            f"{part.n_animals} animals, the reference {reference.name} has"
            f" {reference.n_animals}: not the same animals"
        )
    if part.arena != reference.arena:
        return (
            f"another region of interest than the reference {reference.name}: a different"
            " arena, so different animals"
        )
    return None


def image_size_problem(part: Part, reference: Part, recording: str) -> str | None:
    """idmatcher.ai compares identification images: every part needs the reference's size and
    resolution reduction. The message says what to do."""
    same_size = part.id_image_size == reference.id_image_size
    if same_size and abs(part.resolution_reduction - reference.resolution_reduction) < 1e-9:
        return None
    size = reference.id_image_size[0] if reference.id_image_size else "?"
    reduction = reference.resolution_reduction
    return (
        f"{part.name} was tracked with identification images of {part.id_image_size} at"
        f" resolution reduction {part.resolution_reduction}, the reference {reference.name}"
        f" with {reference.id_image_size} at {reduction}; idmatcher.ai can only compare"
        " identical images, so this recording is not matched.\nWhat to do: fix one size for"
        " the recording in config/config.yaml (the reference's values):\n  recordings:\n"
        f"    image_size:\n      {recording}: {{id_image_size: {size}, resolution_reduction:"
        f" {reduction}}}\nthen track the parts again: touch settings/{part.video}/*.toml and"
        " run `pixi run track` (or write `id_image_size = "
        f"{size}` and `resolution_reduction = {reduction}` in each of its settings files)"
    )
