"""Reading idtracker.ai's log: its CRITICAL lines, its final Success and the device it used.

idtracker.ai logs through rich: a line is an optional time, the level, the message, and (when
the terminal is wide enough) the source file and line number at the right edge, e.g.
`10:01:02 INFO     Using Cuda backend with "NVIDIA H200"          device.py:31`.
"""

import re

SUCCESS_LINE = re.compile(r"^(\d\d:\d\d:\d\d)?\s*Success\b", re.MULTILINE)
CRITICAL_LINE = re.compile(r"^.*\bCRITICAL\b.*$", re.MULTILINE)
# The start of a CRITICAL line (an optional time), and rich's source column at its end.
CRITICAL_MESSAGE = re.compile(r"^(?:\d\d:\d\d:\d\d\s+)?(CRITICAL\b.*)$")
SOURCE_COLUMN = re.compile(r"\s+[\w.]+\.py:\d+\s*$")
# idtracker.ai's device.py: the three ways it says where its networks run.
CUDA_DEVICE = re.compile(r'Using Cuda backend with "([^"]+)"')
USER_DEVICE = re.compile(r'Using user stated device "([^"]+)"')
NO_GPU = "No graphic device was found available"
APPLE_GPU = "Using MacOS Metal backend"


def without_source_column(line: str) -> str:
    return SOURCE_COLUMN.sub("", line).rstrip()


def critical_lines(log_text: str) -> list[str]:
    """Every CRITICAL line, as written."""
    return [line.strip() for line in CRITICAL_LINE.findall(log_text)]


def first_critical(log_text: str) -> str | None:
    """The first CRITICAL message, whole (rich wraps long messages onto indented lines without
    a source column), without the time and the source column."""
    lines = log_text.splitlines()
    for index, line in enumerate(lines):
        if match := CRITICAL_MESSAGE.match(line.strip()):
            message = [without_source_column(match[1])]
            if not SOURCE_COLUMN.search(line):
                return message[0]  # not rich's layout: continuation lines cannot be told apart
            for following in lines[index + 1 :]:
                if not following[:1].isspace() or not following.strip():
                    break
                if SOURCE_COLUMN.search(following) or following.strip().startswith("CRITICAL"):
                    break
                message.append(following.strip())
            return " ".join(message)
    return None


def ends_in_success(log_text: str) -> bool:
    return bool(SUCCESS_LINE.search(log_text))


def device_used(log_text: str) -> str:
    """Where idtracker.ai ran its networks: 'cuda (NVIDIA H200)', 'cpu', 'mps', a device the
    user named ('cuda:1'), or 'unknown' when the log does not say (e.g. tracking without
    identities on some versions)."""
    for line in log_text.splitlines():
        if match := CUDA_DEVICE.search(line):
            return f"cuda ({match[1]})"
        if match := USER_DEVICE.search(line):
            return match[1]
        if NO_GPU in line:
            return "cpu"
        if APPLE_GPU in line:
            return "mps"
    return "unknown"


DEVICE_LABELS = re.compile(r"^(cpu|mps|unknown|cuda(:\d+)?( \(.+\))?)$")


def device_label(recorded: str | None) -> str:
    """A tracking record's device as 'cuda (NVIDIA H200)' or 'cpu', also for records written
    before this parser existed (they hold idtracker.ai's log line itself)."""
    if not recorded:
        return ""
    if DEVICE_LABELS.match(recorded):
        return recorded
    parsed = device_used(recorded)
    return recorded if parsed == "unknown" else parsed
