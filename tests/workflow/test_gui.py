"""`pixi run gui`: the folders it makes, the real file dialog, and idtracker.ai's real
segmentation app opened on a virtual X display (Xvfb)."""

import re
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import cv2
import pytest
import xdisplay
from conftest import ARTIFACTS, FLOW, add_synthetic_video

from idtracker_flow.cli import gui

APP_TITLE = r"^Segmentation App \| demo\.avi"
DIALOG_TITLE = "^Choose a video to prepare for tracking$"


def test_video_name_is_the_file_stem():
    assert gui.video_name(Path("/data/exp 1/fish-00.mp4")) == "fish-00"


def test_make_folders_creates_both_and_keeps_existing_files(tmp_path):
    saved = tmp_path / "settings" / "fish" / "day.toml"
    saved.parent.mkdir(parents=True)
    saved.write_text("name = 'day'\n")
    folders = gui.make_folders(tmp_path, Path("/videos/fish.avi"))
    assert folders == (
        tmp_path / "backgrounds" / "fish",
        tmp_path / "settings" / "fish",
    )
    assert all(folder.is_dir() for folder in folders)
    assert saved.read_text() == "name = 'day'\n"


def test_next_steps_name_the_folders_and_the_track_command(tmp_path):
    text = gui.next_steps(tmp_path, Path("/videos/fish.avi"), None)
    assert str(tmp_path / "settings" / "fish") in text
    assert str(tmp_path / "backgrounds" / "fish") in text
    assert "pixi run track" in text


def test_app_errors_reads_critical_lines(tmp_path):
    log = tmp_path / "idtrackerai.log"
    assert gui.app_errors(log) == [f"idtracker.ai wrote no log ({log}): it did not start."]
    log.write_text("10:00:00 Welcome\n10:00:01 CRITICAL RuntimeError: QApplication crashed\n")
    assert gui.app_errors(log) == ["10:00:01 CRITICAL RuntimeError: QApplication crashed"]
    log.write_text("10:00:00 Welcome\n")
    assert gui.app_errors(log) == []


def test_no_display_is_a_clear_error_on_linux():
    with pytest.raises(gui.GuiError, match="DISPLAY is not set"):
        gui.check_display({}, platform="linux")
    gui.check_display({"DISPLAY": ":0"}, platform="linux")
    gui.check_display({}, platform="win32")


def test_missing_video_is_a_clear_error(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("DISPLAY", ":99")
    assert gui.main([str(tmp_path / "nope.avi"), "--project", str(tmp_path)]) == 1
    assert "Video not found" in capsys.readouterr().err
    assert not (tmp_path / "settings").exists()


@pytest.fixture
def display():
    xdisplay.require_tools()
    server, display = xdisplay.start_xvfb()
    yield display
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "project"
    add_synthetic_video(root / "videos", "demo", n_frames=40)
    return root


def start_gui(project: Path, display, *args: str) -> subprocess.Popen:
    # Output goes to a file: an unread pipe would fill up and block the app.
    with (project.parent / "gui_output.txt").open("w") as output:
        return subprocess.Popen(
            [sys.executable, str(FLOW), "gui", *args],
            cwd=project,
            env={**display.env, "IDTRACKERAI_DISABLE_ANALYTICS": "true"},
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # one process group: the app's GUI child dies with it
        )


@pytest.fixture
def started():
    """Processes a test starts; each is killed with its whole process group, pass or fail."""
    processes = []
    yield processes
    for process in processes:
        survivors = xdisplay.kill_group(process)
        assert not survivors, f"processes left running: {survivors}"


def test_gui_with_a_video_opens_the_segmentation_app(project, display, started):
    gui_process = start_gui(project, display, "videos/demo.avi", "--no-background")
    started.append(gui_process)

    _, title = display.wait_for_window(APP_TITLE, timeout=120)
    display.screenshot(ARTIFACTS / "gui_segmentation_app.png")

    assert title.startswith("Segmentation App | demo.avi")
    assert (project / "settings" / "demo").is_dir()
    assert (project / "backgrounds" / "demo").is_dir()
    # The app runs in settings/demo/ (its save dialog starts in its working directory), and
    # its log there names the video it loaded.
    log = (project / "settings" / "demo" / "idtrackerai.log").read_text()
    video = (project / "videos" / "demo.avi").resolve()
    assert re.search(rf"video_paths=\['{re.escape(str(video))}'\]", log), log
    assert gui_process.poll() is None, "gui.py exited while the app was open"


def test_dialog_cancel_exits_0_with_a_message(project, display, started):
    gui_process = start_gui(project, display)
    started.append(gui_process)

    window, _ = display.wait_for_window(DIALOG_TITLE, timeout=60)
    display.screenshot(ARTIFACTS / "gui_file_dialog.png")
    display.press(window, "Escape")
    gui_process.wait(timeout=30)
    output = (project.parent / "gui_output.txt").read_text()

    assert gui_process.returncode == 0, output
    assert "No video chosen" in output
    assert not (project / "settings").exists()


def test_dialog_choice_opens_the_app_on_that_video(project, display, started):
    gui_process = start_gui(project, display, "--no-background")
    started.append(gui_process)

    window, _ = display.wait_for_window(DIALOG_TITLE, timeout=60)
    display.xdotool("windowfocus", "--sync", window)
    display.xdotool("type", "--delay", "20", str(project / "videos" / "demo.avi"))
    display.press(window, "Return")

    _, title = display.wait_for_window(APP_TITLE, timeout=120)
    assert title.startswith("Segmentation App | demo.avi")
    assert (project / "settings" / "demo").is_dir()


def test_background_is_computed_into_the_backgrounds_folder(project):
    video = project / "videos" / "demo.avi"
    background_folder, _ = gui.make_folders(project, video)
    image = gui.compute_background(video, background_folder)

    frame = cv2.imread(str(image), cv2.IMREAD_GRAYSCALE)
    capture = cv2.VideoCapture(str(video))
    size = (
        int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT)),
        int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)),
    )
    capture.release()
    assert image == project / "backgrounds" / "demo" / "background.png"
    assert frame.shape == size
    # The animals move, so the median background is the light arena, with no dark bodies left.
    assert frame.min() > 150


def test_background_failure_is_a_clear_error(tmp_path):
    not_a_video = tmp_path / "broken.avi"
    not_a_video.write_text("not a video")
    with pytest.raises(gui.GuiError, match="could not compute a background"):
        gui.compute_background(not_a_video, tmp_path)


def test_settings_saved_in_the_app_land_in_the_settings_folder(project, display, started):
    """The point of starting the app in settings/<video>/: its save dialog starts there."""
    defaults = project / "lab_defaults.toml"
    # The app refuses to save without a number of animals; a lab's defaults can set it.
    defaults.write_text("number_of_animals = 2\nintensity_ths = [0, 130]\n")
    started.append(
        start_gui(
            project,
            display,
            "videos/demo.avi",
            "--no-background",
            "--defaults",
            defaults.name,
        )
    )
    app, _ = display.wait_for_window(APP_TITLE, timeout=120)
    display.press(app, "ctrl+s")  # the app's shortcut for "Save parameters"
    dialog, _ = display.wait_for_window("^Save parameter file$", timeout=30)
    display.screenshot(ARTIFACTS / "gui_save_dialog.png")
    display.press(dialog, "Return")  # accept the proposed file name and folder

    saved = project / "settings" / "demo" / "demo.toml"
    deadline = time.monotonic() + 30
    while not saved.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    saved_settings = tomllib.loads(saved.read_text())
    assert saved_settings["video_paths"] == [str((project / "videos" / "demo.avi").resolve())]
    assert saved_settings["number_of_animals"] == 2
