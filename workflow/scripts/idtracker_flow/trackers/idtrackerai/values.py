"""Settings values idtracker.ai would reject or misread, caught before any tracking.

A value whose intent is clear is repaired (and the repair log says so); one that is not is a
problem naming the setting, the value and the fix. Paths are repair.py's; videos checks.py's.
"""

import re

NUMBER = re.compile(r"\d+(?:\.\d+)?")  # frame numbers: "-" is a separator ("0-100")


def _plain(value):
    """tomlkit items as plain Python values."""
    return value.unwrap() if hasattr(value, "unwrap") else value


def parse_intervals(text: str) -> list[list[int]] | None:
    """idtracker.ai's command-line forms ("0,100", "[0,100]", "[0,100],[200,300]") as the list
    a settings file needs; None when the text is not pairs of whole numbers."""
    numbers = NUMBER.findall(text)
    if not numbers or len(numbers) % 2 or any("." in n for n in numbers):
        return None
    if re.sub(r"[\s\[\]\(\),;-]|\d", "", text):  # anything but numbers and separators
        return None
    values = [int(n) for n in numbers]
    return [values[i : i + 2] for i in range(0, len(values), 2)]


def interval_problem(intervals) -> str | None:
    for pair in intervals:
        ok = (
            isinstance(pair, list)
            and len(pair) == 2
            and all(isinstance(v, int) and not isinstance(v, bool) for v in pair)
        )
        if not ok:
            return f"{pair!r} is not a pair of frame numbers [start, end]"
        if pair[0] < 0 or pair[0] >= pair[1]:
            return f"{pair!r} does not start before it ends (frames count from 0; end excluded)"
    return None


class ValueCheck:
    """Checks one settings document (tomlkit) in place; collects notes and problems."""

    def __init__(self, document, where: str):
        self.document = document
        self.where = where  # "Job <video>/<job>: <settings file>"
        self.notes: list[str] = []
        self.problems: list[str] = []

    def problem(self, key: str, value, what: str, fix: str) -> None:
        self.problems.append(
            f"{self.where}: {key} = {value!r}: {what}.\nWhat to do: {fix}, then run"
            " `pixi run track` again."
        )

    def run(self) -> None:
        self.tracking_intervals()
        self.roi_list()
        self.thresholds("intensity_ths", "nothing would be detected")
        self.thresholds("area_ths", "no blob would count as an animal")
        self.number_of_animals()

    def tracking_intervals(self) -> None:
        value = _plain(self.document.get("tracking_intervals"))
        if value in (None, "", []):
            return
        fix = "write the frames to track as a list, e.g. tracking_intervals = [[0, 500]]"
        if isinstance(value, str):
            parsed = parse_intervals(value)
            if parsed is None:
                self.problem("tracking_intervals", value, "not frame numbers", fix)
                return
            self.document["tracking_intervals"] = parsed
            self.notes.append(
                f"tracking_intervals: '{value}' (the command-line form) written as the list"
                f" {parsed}"
            )
            value = parsed
        elif isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value):
            value = [value]
            self.document["tracking_intervals"] = value
            self.notes.append(f"tracking_intervals: {value[0]} written as the list {value}")
        if not isinstance(value, list) or (problem := interval_problem(value)):
            what = problem if isinstance(value, list) else "not a list of [start, end] pairs"
            self.problem("tracking_intervals", value, what, fix)

    def roi_list(self) -> None:
        if _plain(self.document.get("roi_list")) == []:
            # An empty list masks the whole frame; the app writes "" for "no region".
            self.document["roi_list"] = ""
            self.notes.append('roi_list: [] (no region) written as "" as the app saves it')

    def thresholds(self, key: str, outcome: str) -> None:
        value = _plain(self.document.get(key))
        if not isinstance(value, list) or len(value) != 2:
            return
        low, high = value
        if isinstance(low, int | float) and isinstance(high, int | float) and low > high:
            self.problem(
                key,
                value,
                f"the lower bound is above the upper one, so {outcome}",
                f"write them as [{high}, {low}] if that is what you meant, or set them again in"
                " the segmentation app (`pixi run gui`)",
            )

    def number_of_animals(self) -> None:
        value = _plain(self.document.get("number_of_animals"))
        if value is None:
            return
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.problem(
                "number_of_animals", value, "not a count of animals", "write a whole number"
            )
        elif value == 0 and not _plain(self.document.get("track_wo_identities")):
            self.problem(
                "number_of_animals",
                value,
                "0 (unknown) works only without identities",
                "write how many animals the video shows, or set track_wo_identities = true",
            )
