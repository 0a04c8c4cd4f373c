"""Which jobs make one recording (cheap: the DAG calls it once per run, not per job).

By default the jobs of one settings/<video>/ folder are one recording named after the folder;
config `recordings.join` names recordings made of several folders (several days of one colony).
Whether the jobs really film the same animals (same number, same region of interest) is checked
when the recording is matched, from the settings idtracker.ai used (recordings/parts.py).
"""

from collections import defaultdict


def recordings(jobs, options: dict) -> dict[str, list[tuple[str, str]]]:
    """Recording name -> its (video, job) pairs, for recordings of two jobs or more."""
    if not options["match_identities"]:
        return {}
    folder_to_recording = {}
    for name, folders in options["join"].items():
        for folder in folders:
            folder_to_recording[folder] = name
    grouped = defaultdict(list)
    for video, job in jobs:
        grouped[folder_to_recording.get(video, video)].append((video, job))
    return {name: sorted(members) for name, members in grouped.items() if len(members) > 1}


def unknown_folders(jobs, options: dict) -> list[str]:
    """Folders named in `recordings.join` that hold no settings file (a typo, most often)."""
    folders = {video for video, _ in jobs}
    named = [folder for members in options["join"].values() for folder in members]
    return sorted(set(named) - folders)


def output_patterns(exports: dict) -> dict[str, str]:
    """The match_recording rule's outputs: the summary, the relabelled parts and the joined
    recording in the export formats of config `exports`."""
    from idtracker_flow.project import layout

    chosen = {"summary": layout.RECORDING_SUMMARY, "parts": layout.RECORDING_PARTS}
    if exports["movement"]:
        chosen["movement"] = layout.RECORDING_MOVEMENT
    for table_format in ("parquet", "csv"):
        if exports["tidy_table"] in (table_format, "both"):
            chosen[f"tidy_{table_format}"] = layout.RECORDING_TIDY.replace("{format}", table_format)
    return chosen
