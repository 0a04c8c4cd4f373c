"""Bad input found before tracking: cut-short videos, settings that cannot be read, settings
names that are no file, and failures worded where the user looks (status, job log)."""

import os
import signal
from pathlib import Path

import pytest

from idtracker_flow.demo import synthetic_video
from idtracker_flow.project.jobs import discover_jobs, unusable_settings
from idtracker_flow.project.steps import REPAIR, TRACK
from idtracker_flow.settings import reader, video_check
from idtracker_flow.state.failures import first_problem
from idtracker_flow.tracking.run import killed_by


@pytest.fixture(scope="module")
def videos(tmp_path_factory):
    folder = tmp_path_factory.mktemp("videos")
    whole = synthetic_video.make_video(folder, 2, 60, name="whole")["video"]
    cut = folder / "cut.avi"
    data = whole.read_bytes()
    cut.write_bytes(data[: len(data) * 3 // 10])  # the first 30 % of the file, as a bad copy
    return whole, cut


def test_a_whole_video_decodes_to_its_end(videos):
    facts = video_check.inspect(videos[0])
    assert (facts.frames, facts.readable, facts.problem) == (60, 60, "")
    assert facts.fps > 0 and facts.width > 0 and not facts.cut_short


def test_a_cut_short_video_says_where_its_frames_stop(videos):
    facts = video_check.inspect(videos[1])
    assert facts.frames == 60 and facts.cut_short
    assert 5 < facts.readable < 30  # about 30 % of the frames
    import cv2  # the bisection found the same frame as reading every frame in turn

    capture, count = cv2.VideoCapture(str(videos[1])), 0
    while capture.grab():
        count += 1
    assert facts.readable == count


def test_a_text_file_named_avi_is_no_video(tmp_path):
    fake = tmp_path / "fake.avi"
    fake.write_text("not a video\n" * 100)
    assert video_check.inspect(fake).problem == "cannot be read as a video"


def test_checks_are_remembered_per_file_version(videos, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    first = video_check.VideoChecks().facts(videos[0])
    monkeypatch.setattr(video_check, "inspect", lambda path: pytest.fail("read again"))
    assert video_check.VideoChecks().facts(videos[0]) == first  # another job, same file
    os.utime(videos[0])  # a new version of the file is checked again
    with pytest.raises(pytest.fail.Exception, match="read again"):
        video_check.VideoChecks().facts(videos[0])


def test_settings_that_cannot_be_read_say_why(tmp_path, monkeypatch):
    folder = tmp_path / "settings" / "vid"
    (folder / "folder.toml").mkdir(parents=True)
    (folder / "gone.toml").symlink_to(tmp_path / "unmounted" / "gone.toml")
    (folder / "good.toml").write_text("number_of_animals = 2\n")
    assert discover_jobs(tmp_path / "settings") == [("vid", "good")]
    unusable = unusable_settings(tmp_path / "settings")
    assert [(video, job) for video, job, _ in unusable] == [("vid", "folder"), ("vid", "gone")]
    assert "is a folder, not a settings file" in unusable[0][2]
    assert "which is not there (a share that is not mounted?)" in unusable[1][2]
    with pytest.raises(reader.SettingsError, match="does not exist any more"):
        reader.read_settings(folder / "gone.toml")
    with pytest.raises(reader.SettingsError, match="is a folder"):
        reader.read_settings(folder / "folder.toml")

    # Root reads any file, so a permission problem is injected (a stand-in for the OS's refusal).
    def refuse(self):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", refuse)
    with pytest.raises(reader.SettingsError, match="(?s)permission denied.*chmod u\\+r"):
        reader.read_settings(folder / "good.toml")


def test_status_shows_the_workflows_own_message_of_a_failed_step(tmp_path):
    log = tmp_path / "repair.log"
    log.write_text(
        "Settings file settings/v/j.toml is not valid TOML: Unexpected end of file at line 3 col"
        " 21. Fix the line above (or save the settings again from idtracker.ai) and rerun.\n\n"
        "Nothing was tracked for job v/j; the other jobs go on.\n"
    )
    assert first_problem(log, REPAIR).startswith("Settings file settings/v/j.toml is not valid")
    log.write_text("")
    assert first_problem(log, REPAIR) == "interrupted before it finished (no error message)"


def test_a_wrapped_critical_message_is_shown_whole(tmp_path):
    log = tmp_path / "track.log"
    log.write_text(
        "10:00:01 Welcome to idtracker.ai                                     run.py:12\n"
        "10:00:02 CRITICAL IdtrackeraiError: The number of animals is 0, which only"
        " works when   run.py:88\n"
        "         tracking without identities; set number_of_animals or"
        " track_wo_identities.\n"
        "         Log file copied to session/idtrackerai.log                  run.py:90\n"
    )
    assert first_problem(log, TRACK) == (
        "CRITICAL IdtrackeraiError: The number of animals is 0, which only works when tracking"
        " without identities; set number_of_animals or track_wo_identities."
    )


def test_a_killed_tracker_says_by_what_and_the_likely_cause():
    said = killed_by(signal.SIGKILL)
    assert said.startswith("idtracker.ai was killed by SIGKILL: most often the system's out-of")
    assert "lower `threads`" in said and "CRITICAL" not in said
    assert "asked it to stop" in killed_by(signal.SIGTERM)


def test_a_cut_short_video_is_refused_or_tracked_as_far_as_it_goes(videos, tmp_path, monkeypatch):
    from idtracker_flow.settings.repair import RepairError, repaired_document

    monkeypatch.chdir(tmp_path)
    settings = tmp_path / "settings" / "v" / "j.toml"
    settings.parent.mkdir(parents=True)
    synthetic_video.write_settings(settings, videos[1], 2, tracking_intervals=[[0, 50]])
    with pytest.raises(RepairError, match="is cut short: its frames decode only up to frame"):
        repaired_document(settings, "v", "j", {}, [])
    document, notes = repaired_document(
        settings, "v", "j", {}, [], truncated_videos="track_readable"
    )
    readable = video_check.inspect(videos[1]).readable
    assert document["tracking_intervals"] == [[0, readable]]
    assert any("tracking_intervals set to" in note for note in notes)
