"""Snakemake script: write a repaired copy of a settings file that idtracker.ai can read here.

The user's file is never modified. The copy has lower-case keys, forward-slash literal paths
that exist on this machine, and float-only `area_ths`; comments and order are kept.
Plain-Python entry point: `repair(...)`.
"""

import re
import sys
from pathlib import Path

import tomlkit

sys.path.insert(0, str(Path(__file__).parent))  # sibling modules, also when run by hand

import known_keys
import path_repair
import settings_file
from layout import SESSION, SETTINGS, job_path

KEY_LINE = re.compile(r"^(\s*)([A-Za-z_][A-Za-z0-9_]*)(\s*=)", re.MULTILINE)


def normalise_keys(text: str) -> str:
    """Lower-case keys (idtracker.ai matches them case-insensitively) and rename old ones."""

    def fix(match: re.Match) -> str:
        key = match.group(2).lower()
        return match.group(1) + settings_file.RENAMED_KEYS.get(key, key) + match.group(3)

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


def check_video_opens(path: Path) -> str | None:
    """What idtracker.ai will check later, before a GPU is spent: the video has frames."""
    import cv2  # heavy import, only when a video is checked

    capture = cv2.VideoCapture(str(path))
    try:
        if not capture.isOpened() or not capture.grab():
            return (
                f"the video {path} exists but cannot be read (damaged, not fully copied,"
                " or a codec OpenCV cannot decode).\nWhat to do: check that it plays in a"
                " video player; copy it again, or convert it (e.g. with ffmpeg to .avi or .mp4)"
            )
    finally:
        capture.release()
    return None


def check_background_size(image: Path, video: Path) -> str | None:
    """idtracker.ai stops when the background image is not exactly the video's frame size."""
    import cv2  # heavy import, only when a background image is checked
    import numpy as np

    picture = cv2.imdecode(np.fromfile(str(image), dtype=np.uint8), cv2.IMREAD_GRAYSCALE)
    if picture is None:
        return (
            f"the background image {image} cannot be read as an image.\nWhat to do: save"
            " the background again as PNG, or set background_subtraction_stat = 'median'"
        )
    capture = cv2.VideoCapture(str(video))
    frame = (
        int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT)),
        int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)),
    )
    capture.release()
    if picture.shape != frame:
        return (
            f"the background image {image} is {picture.shape[1]}x{picture.shape[0]} pixels but"
            f" the video {video.name} is {frame[1]}x{frame[0]}; idtracker.ai would stop.\nWhat to"
            " do: use a background saved from this video, or set"
            " background_subtraction_stat = 'median' to compute one"
        )
    return None


# File names of an identification model in an accumulation folder (idtracker.ai's
# IdentifierBase.load, v5 names included).
MODEL_FILES = (
    "identifier_cnn.model.pt",
    "identification_network.model.pth",
    "identification_network_.model.pth",
    "supervised_identification_network.model.pth",
    "supervised_identification_network_.model.pth",
)


def model_folder(folder: Path) -> Path:
    """Where idtracker.ai looks for the model: a session folder means its accumulation folder."""
    if folder.name.startswith("session_"):
        if (folder / "accumulation_0").is_dir():
            return folder / "accumulation_0"
        return folder / "accumulation"
    return folder


def check_transfer_model(folder: Path) -> str | None:
    models = model_folder(folder)
    if any((models / name).is_file() for name in MODEL_FILES):
        return None
    return (
        f"the knowledge-transfer folder {folder} holds no identification model (looked for"
        f" {MODEL_FILES[0]} in {models}).\nWhat to do: point knowledge_transfer_folder at a"
        " session that was"
        " tracked with identities (not track_wo_identities) and kept its accumulation folder"
        " (data_policy knowledge_transfer or higher)"
    )


class RepairError(Exception):
    pass


def repaired_document(
    settings: Path,
    video: str,
    job: str,
    prefixes: dict[str, str],
    video_dirs: list[str],
    check_videos: bool = True,
    for_workflow: bool = True,
) -> tuple[tomlkit.TOMLDocument, list[str]]:
    """The repaired settings and notes on what changed; RepairError lists every problem.

    `for_workflow` drops output_dir (the workflow places sessions); an in-place rewrite of the
    user's own file keeps it.
    """
    settings = Path(settings)
    job_name = f"{video}/{job}"
    notes: list[str] = []
    raw_text = settings_file.read_text(settings, notes)
    text = normalise_keys(raw_text)
    notes += [
        f"{old_key}: renamed to {new_key} (its name in idtracker.ai 6)"
        for old_key, new_key in settings_file.RENAMED_KEYS.items()
        if re.search(rf"^\s*{old_key}\s*=", raw_text, re.IGNORECASE | re.MULTILINE)
    ]
    try:
        document = tomlkit.parse(text)
    except tomlkit.exceptions.ParseError:
        settings_file.parse_document(settings)  # raises the user-facing message
        raise
    problems: list[str] = []

    for key in known_keys.unknown_keys(document.keys()):
        problems.append(f"Job {job_name}: {settings}: {known_keys.describe_unknown(key)}")

    written_videos = settings_file.video_paths(document.unwrap())
    if not written_videos:
        problems.append(
            f"Job {job_name}: {settings} has no video_paths. Save the settings again from"
            " idtracker.ai's segmentation app (pixi run gui) with the video loaded."
        )
    found_videos = []
    for written in written_videos:
        lookup = path_repair.locate(written, settings, prefixes, video_dirs)
        if lookup.found is None:
            problems.append(
                path_repair.describe_failure(lookup, "video_paths", settings, job_name, "video")
            )
            continue
        found = lookup.found.resolve()
        if check_videos and (unreadable := check_video_opens(found)):
            problems.append(f"Job {job_name}: video_paths in {settings}: {unreadable}.")
        found_videos.append(found)
        if str(found) != written:
            notes.append(f"video_paths: '{written}' -> {found}")
    if found_videos:
        document["video_paths"] = [literal_path(p) for p in found_videos]

    transfer = document.get("knowledge_transfer_folder")
    if transfer:
        reference = path_repair.session_reference(str(transfer))
        if reference and job_path(SETTINGS, *reference).is_file():
            # Another job of this workflow, tracked first (a DAG edge): it may not exist yet.
            target = job_path(SESSION, *reference).resolve()
        else:
            lookup = path_repair.locate(str(transfer), settings, prefixes, [], want_dir=True)
            target = lookup.found.resolve() if lookup.found else None
            if target is None:
                problems.append(
                    path_repair.describe_failure(
                        lookup,
                        "knowledge_transfer_folder",
                        settings,
                        job_name,
                        "folder",
                    )
                )
            elif missing_model := check_transfer_model(target):
                problems.append(
                    f"Job {job_name}: knowledge_transfer_folder '{transfer}' in"
                    f" {settings}: {missing_model}."
                )
        if target is not None:
            document["knowledge_transfer_folder"] = literal_path(target)
            if str(target) != str(transfer):
                notes.append(f"knowledge_transfer_folder: '{transfer}' -> {target}")

    background = settings_file.background_path(document.unwrap())
    if background:
        lookup = path_repair.locate(background, settings, prefixes, [f"backgrounds/{video}"])
        if not document.get("use_bkg"):
            # idtracker.ai ignores the image (with a warning) when use_bkg is false.
            notes.append("background_subtraction_stat: not checked, use_bkg is false")
        elif lookup.found is None:
            problems.append(
                path_repair.describe_failure(
                    lookup,
                    "background_subtraction_stat",
                    settings,
                    job_name,
                    "background image",
                )
            )
        else:
            image = lookup.found.resolve()
            wrong_size = (
                check_background_size(image, found_videos[0])
                if check_videos and found_videos
                else None
            )
            if wrong_size:
                problems.append(
                    f"Job {job_name}: background_subtraction_stat in {settings}: {wrong_size}."
                )
            # idtracker.ai does not resolve this one: it must be absolute.
            document["background_subtraction_stat"] = literal_path(image)
            if str(image) != background:
                notes.append(f"background_subtraction_stat: '{background}' -> {image}")

    for key, value in document.unwrap().items():
        if (fixed := floats_if_mixed(value)) is not None:
            document[key] = fixed
            notes.append(f"{key}: written as floats {fixed} (idtracker.ai rejects mixed arrays)")
    if for_workflow and "output_dir" in document:
        # The workflow decides where sessions go, so that every job's session is found.
        del document["output_dir"]
        notes.append("output_dir: ignored; sessions go to results/sessions/<video>/")

    if problems:
        raise RepairError("\n\n".join(problems))
    return document, notes


def repair(
    settings: Path,
    out: Path,
    video: str,
    job: str,
    prefixes: dict[str, str],
    video_dirs: list[str],
    check_videos: bool = True,
) -> list[str]:
    """Write the repaired copy of `settings` to `out`; return notes on what changed."""
    document, notes = repaired_document(settings, video, job, prefixes, video_dirs, check_videos)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_suffix(".partial")
    partial.write_text(tomlkit.dumps(document), encoding="utf-8")
    partial.replace(out)
    return notes


def main(smk) -> None:
    with open(smk.log[0], "w", encoding="utf-8") as log:
        video, job = smk.wildcards.video, smk.wildcards.job
        try:
            notes = repair(
                Path(smk.input.settings),
                Path(smk.output.settings),
                video,
                job,
                smk.config["path_prefixes"],
                smk.config["video_dirs"],
            )
        except (RepairError, settings_file.SettingsError) as error:
            message = f"{error}\n\nNothing was tracked for job {video}/{job}; the other jobs go on."
            print(message, file=log)
            sys.exit(1)
        print(f"Repaired {smk.input.settings} -> {smk.output.settings}", file=log)
        for note in notes:
            print(f"  {note}", file=log)


if __name__ == "__main__" and "snakemake" in globals():
    main(snakemake)  # noqa: F821
