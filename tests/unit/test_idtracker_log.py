"""idtracker.ai's log read by one parser: the device, the CRITICAL lines, the final Success."""

from pathlib import Path

import pytest

from idtracker_flow.trackers.idtrackerai import log

LOGS = Path(__file__).resolve().parents[1] / "data" / "idtrackerai_logs"


@pytest.mark.parametrize(
    "name, device",
    [("cpu.log", "cpu"), ("gpu.log", "cuda (NVIDIA H200)"), ("user_device.log", "cuda:1")],
)
def test_device_from_stored_logs(name, device):
    text = (LOGS / name).read_text()
    assert log.device_used(text) == device
    assert log.ends_in_success(text)
    assert log.critical_lines(text) == []


def test_device_unknown_when_the_log_does_not_say():
    assert log.device_used("10:00:00 Welcome to idtracker.ai 6.0.14   logging_utils.py:194") == (
        "unknown"
    )


@pytest.mark.parametrize(
    "recorded, label",
    [
        ("cuda (NVIDIA H200)", "cuda (NVIDIA H200)"),
        ("cpu", "cpu"),
        ("cuda:1", "cuda:1"),
        # What a first-round record held on the H200 (the log line, rich's column cut off).
        ('Using Cuda backend with "NVIDIA H200" :31', "cuda (NVIDIA H200)"),
        (None, ""),
    ],
)
def test_device_label_of_tracking_records(recorded, label):
    assert log.device_label(recorded) == label


def test_first_critical_without_time_and_source_column():
    text = (
        "10:00:01 INFO     Starting   run.py:10\n"
        "10:00:02 CRITICAL IdtrackeraiError: No animals detected                 run.py:88\n"
        "         CRITICAL second one   run.py:90\n"
    )
    assert log.first_critical(text) == "CRITICAL IdtrackeraiError: No animals detected"
    assert len(log.critical_lines(text)) == 2
    assert not log.ends_in_success(text)
