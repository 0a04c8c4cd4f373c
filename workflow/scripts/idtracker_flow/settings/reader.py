"""Read idtracker.ai settings files the way idtracker.ai does, but forgiving what it does not.

idtracker.ai parses with the `toml` package (TOML 0.5), lower-cases keys and treats '' as None.
Files saved on other computers add a UTF-8 byte-order mark, CRLF line ends, mixed int/float
arrays such as `[50, inf]` and old key spellings. Here they all parse; the repaired copy that
idtracker.ai reads is written by `repair_settings.py`.
"""

import os
import re
import tomllib
from pathlib import Path

import tomlkit
from tomlkit.exceptions import ParseError

# Older spellings idtracker.ai 6 rejects, and what it calls them now.
RENAMED_KEYS = {"exclusive_roi": "exclusive_rois"}


class SettingsError(Exception):
    """A settings file that cannot be used; the message says which file and what to do."""


# A double-quoted string that starts like a Windows path (drive letter or UNC share).
DOUBLE_QUOTED_WINDOWS_PATH = re.compile(r'"((?:[A-Za-z]:|\\\\)[^"\n]*)"')
LONE_BACKSLASH = re.compile(r"(?<!\\)\\(?!\\)")


def recover_windows_paths(text: str) -> tuple[str, list[str]]:
    """Hand-typed "C:\\data\\v.avi" in double quotes: TOML reads its backslashes as escape codes
    (an error, or silently a newline or tab). Read such a string as the user meant it, with
    literal backslashes. Returns the new text and the strings recovered."""
    recovered = []

    def fix(match: re.Match) -> str:
        content = match.group(1)
        if not LONE_BACKSLASH.search(content):
            return match.group(0)  # already escaped properly ("C:\\\\data")
        recovered.append(content)
        return '"' + content.replace("\\", "\\\\") + '"'

    return DOUBLE_QUOTED_WINDOWS_PATH.sub(fix, text), recovered


# A settings file is a few kilobytes; one above this is not a settings file as a tracker
# writes it (a video or a log saved under .toml, comments pasted in), and the trackers
# would refuse it only after it had been copied and queued for the GPU.
MAX_SETTINGS_BYTES = 1_000_000


def read_bytes(path: Path) -> bytes:
    """The file's bytes; a SettingsError that says why when it cannot be read."""
    try:
        size = path.stat().st_size
        if size > MAX_SETTINGS_BYTES and path.is_file():
            raise SettingsError(
                f"Settings file {path} is {size / 1e6:.1f} MB; a settings file is a few"
                f" kilobytes (at most {MAX_SETTINGS_BYTES / 1e6:g} MB here).\nWhat to do: open"
                " it in a text editor: keep only the key = value lines (and short comments),"
                " or save the settings again from the segmentation app."
            )
        return path.read_bytes()
    except IsADirectoryError:
        raise SettingsError(
            f"Settings file {path} is a folder, not a file.\nWhat to do: move the settings"
            " files out of it into settings/<video>/, or rename it so it does not end in .toml."
        ) from None
    except PermissionError:
        raise SettingsError(
            f"Settings file {path} cannot be read: permission denied.\nWhat to do: give yourself"
            f" read access (e.g. `chmod u+r {path}`), or copy the file again."
        ) from None
    except FileNotFoundError:
        target = f" (a link to {os.readlink(path)})" if path.is_symlink() else ""
        raise SettingsError(
            f"Settings file {path}{target} does not exist any more.\nWhat to do: if it is on a"
            " share, mount the share; otherwise delete the link or save the settings again."
        ) from None
    except OSError as error:
        raise SettingsError(
            f"Settings file {path} cannot be read: {error.strerror}.\nWhat to do: copy it again."
        ) from None


def read_text(path: Path, notes: list[str] | None = None) -> str:
    """The file's text without a byte-order mark, with Unix line ends and double-quoted
    Windows paths made readable; what was changed is added to `notes` when given."""
    raw = read_bytes(Path(path))
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        # Files edited in old Windows editors: cp1252 covers the usual accented letters.
        text = raw.decode("cp1252")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text, recovered = recover_windows_paths(text)
    if notes is not None:
        notes += [
            f'read the double-quoted Windows path "{value}" with literal backslashes'
            for value in recovered
        ]
    return text


def parse_document(path: Path) -> tomlkit.TOMLDocument:
    """The settings as an editable TOML document (comments and order kept)."""
    text = read_text(path)
    try:
        return tomlkit.parse(text)
    except ParseError as error:
        hint = ""
        if "escape" in str(error).lower():
            hint = (
                " A Windows path in double quotes turns its backslashes into escape codes:"
                " put the path in single quotes ('C:\\data\\video.avi') or use forward"
                " slashes."
            )
        raise SettingsError(
            f"Settings file {path} is not valid TOML: {error}.{hint}\nWhat to do: fix that line"
            " (or save the settings again from idtracker.ai), then run `pixi run track` again."
        ) from None


def read_settings(path: Path) -> dict:
    """Plain Python values with lower-case keys, as idtracker.ai sees them.

    tomllib is about ten times faster than tomlkit, which matters when the DAG of thousands of
    jobs is built; tomlkit only reads what tomllib rejects, and words the error.
    """
    try:
        values = tomllib.loads(read_text(path))
    except tomllib.TOMLDecodeError:
        values = parse_document(path).unwrap()
    return {key.lower(): value for key, value in values.items()}


def video_paths(settings: dict) -> list[str]:
    """video_paths as a list of strings as written (one path or a list in the file)."""
    value = settings.get("video_paths")
    if value in (None, ""):
        return []
    if isinstance(value, str):
        return [value]
    return [str(item) for item in value]
