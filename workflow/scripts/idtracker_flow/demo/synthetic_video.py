"""Deterministic synthetic video of a few "animals", with ground truth.

Used for tests and for the demo run of the workflow: a small grey video with
dark elongated blobs on a light, slightly noisy background. Each animal carries
its own marking (a paler pattern inside the body) so that idtracker.ai can
learn identities, and the animals are steered to cross each other's paths a
few times, because crossings are what a tracker has to resolve.

Outputs (``make_video``):

* ``<name>.avi``: FFV1 (lossless) in AVI; MJPG is the fallback if the local
  OpenCV cannot write FFV1. Every written video is read back and its frame
  count checked.
* ``<name>.groundtruth.csv``: ``frame, animal, x, y``. ``frame`` starts at 0,
  ``animal`` at 1 (like idtracker.ai's identity labels; animal k is column
  k-1 of the trajectories array), x = column, y = row in pixels (pixel centres
  at integer coordinates, the same convention as idtracker.ai).

``write_settings`` writes an idtracker.ai settings TOML whose thresholds
segment exactly one blob per animal on this video (except during crossings).

CLI::

    python workflow/scripts/synthetic_video.py OUTDIR [--animals 2]
        [--frames 200] [--seed 0] [--width W --height H] [--name demo]
        [--settings]
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

# Grey levels. idtracker.ai segments pixels with intensity in INTENSITY_THS;
# the marking is paler than the body but still well inside that range, so it
# changes the identification images and not the blob outline.
BACKGROUND = 205
BODY = 45
MARKING = 105
NOISE_SD = 3.0
GRADIENT = 8.0  # uneven lighting, +-GRADIENT grey levels across the frame

# Thresholds for idtracker.ai. 130 is about halfway between body and
# background, so the anti-aliased outline is cut at the true body edge.
INTENSITY_THS = (0, 130)
AREA_THS = (100.0, math.inf)  # smallest body is ~190 px; noise never segments

FPS = 25


@dataclass(frozen=True)
class Light:
    """Grey levels of one lighting, and the intensity thresholds that segment it."""

    background: int
    body: int
    marking: int
    noise_sd: float
    intensity_ths: tuple[int, int]


DAY = Light(BACKGROUND, BODY, MARKING, NOISE_SD, INTENSITY_THS)
# Filmed at night: half the contrast, twice the sensor noise, so another threshold (halfway
# between body and background again).
NIGHT = Light(165, 85, 115, 6.0, (0, 125))
MAX_ANIMALS = 6

# Body length and width in px, per animal (slightly different on purpose).
BODY_SIZES = [(30, 10), (28, 9), (32, 10), (27, 10), (34, 9), (29, 11)]


@dataclass
class Animal:
    """State of one animal during the random walk."""

    pos: np.ndarray  # (x, y)
    heading: float  # radians, image coordinates (y points down)
    speed: float
    target: np.ndarray


# --------------------------------------------------------------------------
# Paths
# --------------------------------------------------------------------------


def _wrap(angle: float) -> float:
    """Wrap an angle to (-pi, pi]."""
    return math.atan2(math.sin(angle), math.cos(angle))


def _random_point(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray):
    return lo + rng.random(2) * (hi - lo)


def _initial_animals(rng, n_animals, lo, hi, min_sep) -> list[Animal]:
    """Start positions far enough apart that no animal starts in a crossing."""
    animals: list[Animal] = []
    for attempt in range(100_000):
        if len(animals) == n_animals:
            break
        pos = _random_point(rng, lo, hi)
        # relax the spacing in crowded frames instead of looping forever
        if all(np.hypot(*(pos - a.pos)) > min_sep / (1 + attempt // 1000) for a in animals):
            heading = rng.uniform(-math.pi, math.pi)
            target = _random_point(rng, lo, hi)
            animals.append(Animal(pos, heading, rng.uniform(2.0, 3.5), target))
    return animals


def _step(animal: Animal, rng, lo, hi, turn_sd: float) -> None:
    """Move one animal by one frame: steer to its target, wobble, bounce."""
    desired = math.atan2(*(animal.target - animal.pos)[::-1])
    turn = float(np.clip(0.3 * _wrap(desired - animal.heading), -0.3, 0.3))
    animal.heading = _wrap(animal.heading + turn + rng.normal(0, turn_sd))
    step = animal.speed * np.array([math.cos(animal.heading), math.sin(animal.heading)])
    new = animal.pos + step
    # Bounce off the arena walls so the whole body stays in the frame.
    for axis in (0, 1):
        if not lo[axis] <= new[axis] <= hi[axis]:
            step[axis] = -step[axis]
            new[axis] = np.clip(animal.pos[axis] + step[axis], lo[axis], hi[axis])
    if animal.speed > 0:
        animal.heading = math.atan2(step[1], step[0])
    animal.pos = new


def _distance(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.hypot(*(a - b)))


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.hypot(*vector))
    return vector / norm if norm > 0 else np.array([1.0, 0.0])


def _meeting_point(rng, pos_a: np.ndarray, pos_b: np.ndarray) -> np.ndarray:
    """A point near the segment between two animals.

    Close to the segment means the approach lines are at least ~130 degrees
    apart: the animals meet nearly head-on and then part again, instead of
    walking side by side for many frames.
    """
    along = pos_b - pos_a
    across = np.array([-along[1], along[0]])
    return (pos_a + pos_b) / 2 + along * rng.uniform(-0.2, 0.2) + across * rng.uniform(-0.2, 0.2)


class _Meeting:
    """Two animals steered to one point so that they arrive together.

    Approach: each frame both speeds are set so that both animals need the
    same time to the meeting point. Once they overlap, both go straight on
    for a while, so they pass through each other (a real crossing).
    """

    SPEED = 4.0  # px/frame of the animal farther from the meeting point

    def __init__(self, pair, point, animals):
        self.pair, self.point = pair, point
        self.age, self.leaving_for = 0, 0  # frames since start / since overlap
        # Each animal leaves along its own approach line, on the far side.
        self.away = [_unit(point - animals[i].pos) for i in pair]

    def steer(self, animals, lo, hi) -> None:
        a, b = (animals[i] for i in self.pair)
        self.age += 1
        if self.leaving_for:
            self.leaving_for += 1
            return
        dists = [_distance(x.pos, self.point) for x in (a, b)]
        if max(dists) < 6 or _distance(a.pos, b.pos) < 6:
            self.leaving_for = 1
            for x, away in zip((a, b), self.away):
                x.target, x.speed = np.clip(x.pos + 60 * away, lo, hi), self.SPEED
            return
        frames_left = max(max(dists) / self.SPEED, 1.0)
        for x, dist in zip((a, b), dists):
            x.target, x.speed = self.point, dist / frames_left

    def finished(self) -> bool:
        # 15 frames of going straight on takes them apart; 150 is a safety net
        return self.leaving_for > 15 or self.age > 150


def make_paths(
    n_animals: int, n_frames: int, width: int, height: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Smooth random walks, with a crossing of two animals every so often.

    Returns positions (n_frames, n_animals, 2) as (x, y) and headings
    (n_frames, n_animals) in radians.
    """
    rng = np.random.default_rng([seed, 1])  # independent of the pixel noise
    margin = max(size[0] for size in BODY_SIZES[:n_animals]) / 2 + 4
    lo = np.array([margin, margin])
    hi = np.array([width - 1 - margin, height - 1 - margin])
    animals = _initial_animals(rng, n_animals, lo, hi, min_sep=60)
    pairs = [(i, j) for i in range(n_animals) for j in range(i + 1, n_animals)]
    meeting, n_meetings, next_meeting = None, 0, 10
    positions = np.empty((n_frames, n_animals, 2))
    headings = np.empty((n_frames, n_animals))
    for frame in range(n_frames):
        positions[frame] = [a.pos for a in animals]
        headings[frame] = [a.heading for a in animals]
        if meeting is None and frame >= next_meeting and pairs:
            pair = pairs[n_meetings % len(pairs)]
            point = _meeting_point(rng, *(animals[i].pos for i in pair))
            meeting = _Meeting(pair, np.clip(point, lo, hi), animals)
            n_meetings += 1
        if meeting is not None:
            meeting.steer(animals, lo, hi)
        for index, animal in enumerate(animals):
            in_meeting = meeting is not None and index in meeting.pair
            speed_noise = rng.normal(0, 0.3)  # drawn always: keeps rng in step
            if not in_meeting:
                animal.speed = float(np.clip(animal.speed + speed_noise, 1.5, 4.0))
                if _distance(animal.pos, animal.target) < 8:
                    animal.target = _random_point(rng, lo, hi)
            _step(animal, rng, lo, hi, turn_sd=0.02 if in_meeting else 0.12)
        if meeting is not None and meeting.finished():
            for i in meeting.pair:
                animals[i].target = _random_point(rng, lo, hi)
            meeting, next_meeting = None, frame + int(rng.integers(10, 30))
    return positions, headings


# --------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------

_SHIFT = 4  # cv2 drawing with 4 fractional bits = 1/16 px precision
_SCALE = 1 << _SHIFT


def _ellipse(img, center, axes, angle_deg, colour) -> None:
    """Filled anti-aliased ellipse with sub-pixel centre and axes."""
    c = (round(center[0] * _SCALE), round(center[1] * _SCALE))
    ax = (round(axes[0] * _SCALE), round(axes[1] * _SCALE))
    cv2.ellipse(img, c, ax, angle_deg, 0, 360, colour, -1, cv2.LINE_AA, _SHIFT)


def _draw_marking(img, kind, center, heading, length, width, marking=MARKING) -> None:
    """Identity marking: a pale pattern inside the body, inset from its edge."""
    u = np.array([math.cos(heading), math.sin(heading)])  # along the body
    deg = math.degrees(heading)
    if kind == 1:  # one spot at the head
        _ellipse(img, center + 0.25 * length * u, (3, 2.5), deg, marking)
    elif kind == 2:  # a band across the middle
        _ellipse(img, center, (2, width / 2 - 2.5), deg, marking)
    elif kind == 3:  # a stripe along the body
        _ellipse(img, center, (length / 2 - 7, 1.5), deg, marking)
    elif kind == 4:  # two spots, head and tail
        for sign in (-1, 1):
            _ellipse(img, center + sign * 0.25 * length * u, (2.5, 2), deg, marking)
    elif kind == 5:  # three small spots
        for offset in (-0.25, 0.0, 0.25):
            _ellipse(img, center + offset * length * u, (1.5, 1.5), deg, marking)
    # kind 0: plain body, no marking


def _background(width: int, height: int, level: int = BACKGROUND) -> np.ndarray:
    """Light background (uint8) with a gentle diagonal lighting gradient."""
    yy, xx = np.mgrid[0:height, 0:width]
    ramp = (xx / max(width - 1, 1) + yy / max(height - 1, 1)) - 1.0
    return np.rint(level + GRADIENT * ramp).astype(np.uint8)


def render_frame(background, positions, headings, rng, light: Light = DAY) -> np.ndarray:
    """Draw all animals of one frame and add pixel noise (uint8, grey)."""
    # Draw on uint8: OpenCV anti-aliases only 8-bit images, and the soft
    # edge is what puts the segmented outline at the sub-pixel body edge.
    canvas = background.copy()
    for index, (center, heading) in enumerate(zip(positions, headings)):
        length, width = BODY_SIZES[index]
        deg = math.degrees(heading)
        _ellipse(canvas, center, (length / 2, width / 2), deg, light.body)
        _draw_marking(canvas, index, center, heading, length, width, light.marking)
    noisy = canvas + rng.normal(0, light.noise_sd, canvas.shape)
    return np.clip(np.rint(noisy), 0, 255).astype(np.uint8)


def count_blobs(frame: np.ndarray, intensity_ths=INTENSITY_THS) -> int:
    """Blobs idtracker.ai would segment with our thresholds (same recipe)."""
    mask = cv2.inRange(frame, *intensity_ths)
    contours = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)[0]
    return sum(AREA_THS[0] <= cv2.contourArea(c) <= AREA_THS[1] for c in contours)


# --------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------

# (fourcc, suffix) in order of preference. FFV1 is lossless and intra-only
# (exact seeks); MJPG is lossy but readable everywhere.
CODECS = [("FFV1", ".avi"), ("MJPG", ".avi")]


def count_frames(path: Path) -> int:
    """Frames that OpenCV can actually grab (not the header's claim)."""
    cap = cv2.VideoCapture(str(path))
    n = 0
    while cap.grab():
        n += 1
    cap.release()
    return n


def _write_with(path: Path, fourcc: str, frames, size) -> bool:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), FPS, size, isColor=False)
    if not writer.isOpened():
        return False
    for frame in frames:
        writer.write(frame)
    writer.release()
    return True


def write_video(outdir: Path, name: str, frames: list[np.ndarray]) -> tuple[Path, str]:
    """Write frames with the first codec that reads back the same frame count."""
    size = (frames[0].shape[1], frames[0].shape[0])
    for fourcc, suffix in CODECS:
        path = outdir / f"{name}{suffix}"
        if _write_with(path, fourcc, frames, size) and count_frames(path) == len(frames):
            return path, fourcc
        path.unlink(missing_ok=True)
    raise RuntimeError(f"OpenCV could not write a readable video in {outdir}")


def write_groundtruth(path: Path, positions: np.ndarray) -> None:
    """CSV frame,animal,x,y with fixed decimals (byte-identical per seed)."""
    lines = ["frame,animal,x,y"]
    for frame, points in enumerate(positions):
        for animal, (x, y) in enumerate(points, start=1):
            lines.append(f"{frame},{animal},{x:.3f},{y:.3f}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")


def _toml_value(value) -> str:
    """Format a value the way idtracker.ai's segmentation app saves it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    text = str(value)
    if "'" in text or "\n" in text:  # a literal string cannot hold these
        escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return f'"{escaped}"'
    return f"'{text}'"  # literal string: Windows backslashes stay single


def write_settings(
    path, video_path, n_animals: int, track_wo_identities: bool = True, **extra
) -> Path:
    """Write an idtracker.ai settings TOML for a video made by this module.

    ``extra`` adds or overrides keys, e.g. ``disable_contrastive=True``.
    Area thresholds are floats (``[100.0, inf]``) because the TOML reader of
    idtracker.ai rejects arrays mixing ints and floats.
    """
    settings = {
        "video_paths": [str(Path(video_path).resolve())],
        "intensity_ths": list(INTENSITY_THS),
        "area_ths": [float(a) for a in AREA_THS],
        "tracking_intervals": "",
        "number_of_animals": int(n_animals),
        "use_bkg": False,
        "check_segmentation": False,
        "track_wo_identities": bool(track_wo_identities),
        "roi_list": "",
    }
    settings.update(extra)
    lines = []
    for key, value in settings.items():
        # idtracker.ai reads '' as "not set"; the app writes it as ""
        text = '""' if value == "" else _toml_value(value)
        lines.append(f"{key} = {text}")
    path = Path(path)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")
    return path


def default_size(n_animals: int) -> int:
    """Frame side in px: small to keep tracking fast, roomier for crowds."""
    return 320 if n_animals <= 3 else 400


def make_video(
    outdir,
    n_animals: int = 2,
    n_frames: int = 200,
    seed: int = 0,
    name: str = "demo",
    width: int | None = None,
    height: int | None = None,
) -> dict:
    """Write ``<name>.avi`` and ``<name>.groundtruth.csv`` into ``outdir``.

    Frames are 320x320 for up to 3 animals and 400x400 for more (fewer
    accidental encounters), unless width/height are given. Returns a dict
    with the paths and the facts a caller needs (codec, frame size,
    thresholds, true positions, and ``crossing_frames``: the frames where
    animals touch, so fewer than n_animals blobs segment).
    """
    width = width or default_size(n_animals)
    height = height or default_size(n_animals)
    if not 1 <= n_animals <= MAX_ANIMALS:
        raise ValueError(f"n_animals must be between 1 and {MAX_ANIMALS}")
    if n_frames < 1 or min(width, height) < 100:
        raise ValueError("need at least 1 frame and a frame of at least 100x100")
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    positions, headings = make_paths(n_animals, n_frames, width, height, seed)
    noise_rng = np.random.default_rng([seed, 2])
    background = _background(width, height)
    frames = [render_frame(background, p, h, noise_rng) for p, h in zip(positions, headings)]
    video, codec = write_video(outdir, name, frames)
    groundtruth = outdir / f"{name}.groundtruth.csv"
    write_groundtruth(groundtruth, positions)
    return {
        "video": video,
        "groundtruth": groundtruth,
        "codec": codec,
        "n_animals": n_animals,
        "n_frames": n_frames,
        "width": width,
        "height": height,
        "fps": FPS,
        "intensity_ths": list(INTENSITY_THS),
        "area_ths": list(AREA_THS),
        "positions": positions,
        "headings": headings,
        "crossing_frames": [i for i, f in enumerate(frames) if count_blobs(f) < n_animals],
    }


def make_recording(
    outdir,
    n_parts: int = 2,
    frames_per_part: int = 150,
    n_animals: int = 2,
    seed: int = 0,
    name: str = "fish1",
    night_parts=(),
) -> list[dict]:
    """A recording split into parts as camera software does (``<name>-00.avi``,
    ``<name>-01.avi``, ...): the same animals with the same markings, moving on across the part
    boundaries. Each part has its own ``<name>-NN.groundtruth.csv`` (frames from 0, animal k
    is the same animal in every part), so the truth across parts is known. The parts whose
    index is in ``night_parts`` are filmed under other light (``NIGHT``: less contrast, more
    noise); each part's dict gives the ``intensity_ths`` its settings need."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    size = default_size(n_animals)
    positions, headings = make_paths(n_animals, n_parts * frames_per_part, size, size, seed)
    noise_rng = np.random.default_rng([seed, 2])
    made = []
    for part in range(n_parts):
        light = NIGHT if part in night_parts else DAY
        background = _background(size, size, light.background)
        frames = range(part * frames_per_part, (part + 1) * frames_per_part)
        images = [
            render_frame(background, positions[f], headings[f], noise_rng, light) for f in frames
        ]
        video, codec = write_video(outdir, f"{name}-{part:02d}", images)
        groundtruth = outdir / f"{name}-{part:02d}.groundtruth.csv"
        write_groundtruth(groundtruth, positions[frames.start : frames.stop])
        made.append(
            {
                "video": video,
                "groundtruth": groundtruth,
                "codec": codec,
                "intensity_ths": list(light.intensity_ths),
                "crossing_frames": [
                    i for i, image in enumerate(images)
                    if count_blobs(image, light.intensity_ths) < n_animals
                ],
            }
        )  # fmt: skip
    return made


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--animals", type=int, default=2)
    parser.add_argument("--frames", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--width", type=int, help="px (default 320, 400 if >3 animals)")
    parser.add_argument("--height", type=int, help="px (default 320, 400 if >3 animals)")
    parser.add_argument("--name", default="demo")
    parser.add_argument(
        "--settings",
        action="store_true",
        help="also write OUTDIR/<name>.toml (idtracker.ai settings, no identities)",
    )
    args = parser.parse_args(argv)
    result = make_video(
        args.outdir,
        n_animals=args.animals,
        n_frames=args.frames,
        seed=args.seed,
        name=args.name,
        width=args.width,
        height=args.height,
    )
    print(f"video:        {result['video']} ({result['codec']})")
    print(f"ground truth: {result['groundtruth']}")
    n_crossing = len(result["crossing_frames"])
    print(f"frames with touching animals: {n_crossing} of {args.frames}")
    if args.settings:
        toml = write_settings(args.outdir / f"{args.name}.toml", result["video"], args.animals)
        print(f"settings:     {toml}")


if __name__ == "__main__":
    main()
