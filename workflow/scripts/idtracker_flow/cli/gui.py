"""Prepare a video for tracking: pick it, make its folders, open idtracker.ai's segmentation app.

    python workflow/scripts/flow.py gui [VIDEO] [--background | --no-background] [--defaults TOML]

Without VIDEO a file dialog (Qt, so it works on Windows, Linux and macOS) asks for one;
cancelling it is not an error. For the video <video> (the file name without extension) it makes
`backgrounds/<video>/` and `settings/<video>/`, and opens the segmentation app with the video
loaded. The app runs inside `settings/<video>/`, because that is where its "Save parameters"
dialog starts: the settings file lands where `pixi run track` looks for it.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from idtracker_flow.trackers.idtrackerai import command as idtracker_command

VIDEO_FILTER = "Videos (*.avi *.mp4 *.mov *.mkv *.mpg *.mpeg *.m4v *.wmv *.h264);;All files (*)"
BACKGROUND_FILE = "background.png"


class GuiError(Exception):
    pass


def video_name(video: Path) -> str:
    """The name of a video in the project: its file name without extension."""
    return video.stem


def video_folders(project: Path, video: Path) -> tuple[Path, Path]:
    """(backgrounds/<video>, settings/<video>) of a video."""
    name = video_name(video)
    return project / "backgrounds" / name, project / "settings" / name


def make_folders(project: Path, video: Path) -> tuple[Path, Path]:
    folders = video_folders(project, video)
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
    return folders


def installed_tool(name: str) -> str:
    """An idtracker.ai command installed next to this Python (or on PATH)."""
    try:
        return idtracker_command.installed_tool(name)
    except idtracker_command.NotInstalled as error:
        raise GuiError(str(error)) from None


def segmentation_app_command(video: Path, defaults: Path | None = None) -> list[str]:
    # Later sources win in idtracker.ai: the video given here overrides the defaults' one.
    start_from = ["--load", str(defaults)] if defaults else []
    return [installed_tool("idtrackerai"), *start_from, "--video_paths", str(video)]


def background_command(video: Path, output: Path) -> list[str]:
    return [installed_tool("idtrackerai_background"), str(video), "-o", str(output)]


def check_display(environ: dict[str, str], platform: str = sys.platform) -> None:
    """On Linux, Qt aborts the whole process without a display; say so plainly instead."""
    if platform.startswith("linux") and not (
        environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY")
    ):
        raise GuiError(
            "No screen to show windows on (DISPLAY is not set). Run `pixi run gui` on the"
            " computer's desktop, or connect with `ssh -X`."
        )


def choose_video(start_folder: Path) -> Path | None:
    """Ask for a video with a Qt file dialog; None when the user cancels."""
    from PyQt6.QtWidgets import QApplication, QFileDialog

    _app = QApplication.instance() or QApplication(sys.argv[:1])  # alive for the dialog
    chosen, _ = QFileDialog.getOpenFileName(
        None,
        "Choose a video to prepare for tracking",
        str(start_folder),
        VIDEO_FILTER,
    )
    return Path(chosen) if chosen else None


def ask_yes_no(question: str) -> bool:
    try:
        answer = input(f"{question} [y/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in {"y", "yes"}


def compute_background(video: Path, background_folder: Path) -> Path:
    """Precompute the background with idtrackerai_background (which exits 0 even on failure,
    so success is judged by the file appearing)."""
    output = background_folder / BACKGROUND_FILE
    output.unlink(missing_ok=True)  # a stale image must not pass for a new one
    print(
        f"Computing the background of {video.name} (this reads 50 frames) ...",
        flush=True,
    )
    # It writes idtrackerai.log into its working directory: keep that out of the project.
    with tempfile.TemporaryDirectory() as scratch:
        command = background_command(video.resolve(), output.resolve())
        subprocess.run(command, cwd=scratch, check=False)
    if not output.exists():
        raise GuiError(
            f"idtracker.ai could not compute a background for {video}; see the messages above."
            " You can still compute one inside the segmentation app."
        )
    return output


def app_errors(log: Path) -> list[str]:
    """The CRITICAL lines of the app's log: its exit status cannot tell a crash from success."""
    if not log.exists():
        return [f"idtracker.ai wrote no log ({log}): it did not start."]
    text = log.read_text(encoding="utf-8", errors="replace")
    return [line.strip() for line in text.splitlines() if "CRITICAL" in line]


def crash_advice(errors: list[str], log: Path) -> str:
    advice = [
        "idtracker.ai's segmentation app stopped with an error:",
        *(f"  {line}" for line in errors),
        f"Its full log: {log}",
    ]
    if sys.platform.startswith("linux"):
        advice.append(
            "On Linux a crash at start-up usually means missing Qt system libraries:"
            " sudo apt install libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1"
        )
    return "\n".join(advice)


def next_steps(project: Path, video: Path, background: Path | None) -> str:
    background_folder, settings_folder = video_folders(project, video)
    name = video_name(video)
    lines = [
        "",
        f"Next steps for {name}:",
        f"  1. In the segmentation app, save the settings (Save parameters) into {settings_folder}",
        "     (the save dialog starts there). You can save several settings files per video,",
        "     for example one per tracking interval.",
        f"  2. Save any background image you make into {background_folder}",
    ]
    if background is not None:
        lines += [
            f"     A background is ready: {background}.",
            "     To use it, put these lines in the settings:",
            "       use_bkg = true",
            f"       background_subtraction_stat = '{background.resolve().as_posix()}'",
        ]
    lines += [
        '  3. Close the app (not "Close window and track video":'
        " `pixi run track` does the tracking).",
        "  4. Run `pixi run track` to track every settings file under settings/.",
    ]
    return "\n".join(lines)


def prepare(
    project: Path, video: Path, background: bool | None, defaults: Path | None = None
) -> int:
    video = video.expanduser().resolve()
    if not video.is_file():
        raise GuiError(
            f"Video not found: {video}. Check the path, or run `pixi run gui` to pick it."
        )
    if defaults is not None:
        defaults = defaults.expanduser().resolve()  # the app runs in another folder
        if not defaults.is_file():
            raise GuiError(
                f"Settings to start from not found: {defaults}. Check the --defaults path,"
                " or leave it out to start from idtracker.ai's defaults."
            )
    background_folder, settings_folder = make_folders(project, video)
    print(f"Folders ready:\n  {settings_folder}\n  {background_folder}")

    if background is None:  # ask only a person at a terminal
        background = sys.stdin.isatty() and ask_yes_no(
            f"Precompute the background of {video.name} into {background_folder}?"
        )
    image = compute_background(video, background_folder) if background else None

    print(f"Opening idtracker.ai's segmentation app with {video.name} ...", flush=True)
    # idtracker.ai's exit status is meaningless (it exits 1 on success), so it is not checked.
    log = settings_folder / "idtrackerai.log"
    # idtracker.ai replaces this log anyway; a stale one must not be read as this run's.
    log.unlink(missing_ok=True)
    command = segmentation_app_command(video, defaults)
    subprocess.run(command, cwd=settings_folder, check=False)
    errors = app_errors(log)
    if errors:
        raise GuiError(crash_advice(errors, log))
    print(next_steps(project, video, image))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("video", nargs="?", type=Path, help="the video (a dialog asks if left out)")
    parser.add_argument(
        "--background",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="precompute the background into backgrounds/<video>/ (asked when not given)",
    )
    parser.add_argument(
        "--defaults",
        type=Path,
        metavar="TOML",
        help="settings to start from (e.g. your lab's usual ones); the video replaces theirs",
    )
    parser.add_argument("--project", type=Path, default=Path.cwd(), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    project = args.project.resolve()

    try:
        check_display(dict(os.environ))
        video = args.video
        if video is None:
            video = choose_video(project)
            if video is None:
                print("No video chosen: nothing to do. Run `pixi run gui` again to pick one.")
                return 0
        return prepare(project, video, args.background, args.defaults)
    except GuiError as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return 1
