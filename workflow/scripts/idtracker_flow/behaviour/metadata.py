"""The lab's own sheet (config `metadata: metadata.csv`): one row per video or recording with
whatever the lab keeps (genotype, treatment, date...), joined onto the behaviour table.

A sheet row that names nothing of this batch, a video or recording the sheet lacks, or a name
given twice is reported, never dropped silently.
"""

from __future__ import annotations

from pathlib import Path

KEYS = ("video", "recording")


class MetadataError(ValueError):
    """A sheet that cannot be read or has no key column (named with what to do)."""


def read(path: Path):
    import pandas as pd

    try:
        if path.suffix.lower() in (".xlsx", ".xls"):
            sheet = pd.read_excel(path, dtype=str)
        else:
            sheet = pd.read_csv(path, dtype=str, sep=None, engine="python")
    except (OSError, ValueError, ImportError) as error:
        raise MetadataError(f"The metadata sheet {path} cannot be read: {error}") from error
    sheet.columns = [str(c).strip() for c in sheet.columns]
    if not any(key in sheet.columns for key in KEYS):
        raise MetadataError(
            f"The metadata sheet {path} has no `video` or `recording` column (its columns:"
            f" {', '.join(sheet.columns)}). What to do: name the column that holds the folder"
            " names under settings/ `video` (or the recording names `recording`)."
        )
    return sheet


def join(table, sheet, path: str) -> tuple[object, list[str]]:
    """The table with the sheet's columns, and the problems found (in the user's words)."""
    problems = []
    key = "recording" if "recording" in sheet.columns else "video"
    sheet = sheet.copy()
    sheet[key] = sheet[key].fillna("").str.strip()
    twice = sorted(set(sheet[key][sheet[key].duplicated()]) - {""})
    if twice:
        problems.append(f"{path} names {', '.join(twice)} more than once: the first row is used.")
    sheet = sheet.drop_duplicates(key)
    names = _names(table, key)
    unknown = sorted(set(sheet[key]) - set(names) - {""})
    if unknown:
        problems.append(
            f"{path} names {', '.join(unknown)}, which this batch has no {key} of"
            " (a typo, or a video not tracked yet?)."
        )
    missing = sorted(set(names) - set(sheet[key]) - {""})
    if missing:
        problems.append(f"{path} has no row for {key} {', '.join(missing)}: its columns are empty.")
    others = [c for c in sheet.columns if c not in KEYS]
    clashes = [c for c in others if c in table.columns]
    if clashes:
        problems.append(
            f"{path}: the columns {', '.join(clashes)} are names of measures; they are"
            " kept as metadata_<name>."
        )
    sheet = sheet.rename(columns={c: f"metadata_{c}" for c in clashes})
    others = [c if c not in clashes else f"metadata_{c}" for c in others]
    table = table.copy()
    table["_key"] = names
    joined = table.merge(sheet[[key, *others]].rename(columns={key: "_key"}), on="_key", how="left")
    return joined.drop(columns="_key"), problems


def _names(table, key: str) -> list[str]:
    """Each row's name in the sheet's key: by recording, or by video (a recording's pooled
    row by its recording name, which is its folder's by default)."""
    if key == "recording":
        return list(table["recording"].fillna(""))
    return [
        video if video else recording
        for video, recording in zip(
            table["video"].fillna(""), table["recording"].fillna(""), strict=True
        )
    ]
