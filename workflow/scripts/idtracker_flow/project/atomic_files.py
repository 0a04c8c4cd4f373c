"""Write a file so that readers see the old one or the new one, never half of either.

The content goes to `<name>.partial` beside the target first and then replaces it in one
rename (atomic on the same file system), so a crash, a kill or a full disk leaves the previous
file intact.
"""

import os
import shutil
from pathlib import Path


def _partial(path: Path) -> Path:
    return path.with_name(f"{path.name}.{os.getpid()}.partial")


def _replace(path: Path, write) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = _partial(path)
    try:
        write(partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def write_text(path: Path | str, text: str, encoding: str = "utf-8") -> None:
    _replace(Path(path), lambda partial: partial.write_text(text, encoding=encoding))


class BadContent(Exception):
    """The new content failed its check: the previous file was left as it was."""


def copy_file(source: Path | str, target: Path | str, check=None) -> None:
    """A copy with a fresh modification time (not copy2): Snakemake sees it as new.
    `check(path)` returns what is wrong with the copy (None: nothing); a bad copy never
    replaces the target (BadContent says why)."""

    def copy(partial: Path) -> None:
        shutil.copyfile(source, partial)
        if check is not None and (problem := check(partial)):
            raise BadContent(problem)

    _replace(Path(target), copy)


def write_with(path: Path | str, writer) -> None:
    """`writer(partial_path)` writes the content (e.g. pandas' to_parquet)."""
    _replace(Path(path), writer)
