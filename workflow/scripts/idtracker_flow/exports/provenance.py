"""The provenance record of a job: what produced its files, to be read months later.

Most of it was captured by the tracking step on the machine that tracked (the record
results/sessions/<video>/<job>.tracked.json, key "provenance"); the export step adds the
tracker's own section (idtracker.ai: its verdict and stage timers; DeepLabCut: the model),
the settings used and digests of the files it describes.
"""

import json
import math
from datetime import UTC, datetime
from pathlib import Path

from idtracker_flow import trackers
from idtracker_flow.exports import environment
from idtracker_flow.project import fingerprint

NOT_RECORDED = "not recorded (tracked by an earlier idtracker-flow, which did not record it)"


def capture_at_tracking(settings: Path, repaired_settings: Path, device: str | None) -> dict:
    """What the tracking step records right after a success, on the machine that tracked:
    software, GPU, the user's settings file's digest and the videos it read. Never fails a
    job that tracked well: what cannot be read is said in the record instead."""
    from idtracker_flow.settings import reader

    try:
        videos = reader.video_paths(reader.read_settings(repaired_settings))
        return {
            **environment.capture(device),
            "settings_sha256": fingerprint.sha256(settings) if settings.is_file() else None,
            "videos": [fingerprint.file_facts(path) for path in videos],
        }
    except Exception as error:
        return {"not_recorded": f"the facts could not be read: {error}"}


def _finished(record: dict) -> str | None:
    try:
        started = datetime.fromisoformat(record["started"])
        return datetime.fromtimestamp(started.timestamp() + record["seconds"], UTC).isoformat(
            timespec="seconds"
        )
    except (KeyError, TypeError, ValueError):
        return None


def build(
    job_name: str,
    tracked_record: dict,
    session_info: dict,
    settings: Path,
    repaired_settings: Path,
    repaired_values: dict,
    results: dict[str, Path],
) -> dict:
    """`session_info`: the tracker's session facts (trackers/<name>/tracker.py)."""
    captured = tracked_record.get("provenance") or {}
    missing = captured.get("not_recorded", NOT_RECORDED)
    tracker = trackers.for_record(tracked_record)
    facts = _record(
        job_name, tracked_record, session_info, settings, repaired_settings, repaired_values,
        results, captured, missing, tracker,
    )  # fmt: skip
    for section, values in tracker.provenance(tracked_record, session_info).items():
        if isinstance(values, dict) and isinstance(facts.get(section), dict):
            facts[section].update(values)
        else:
            facts[section] = missing if values is None else values
    return facts


def _record(
    job_name, tracked_record, session_info, settings, repaired_settings, repaired_values,
    results, captured, missing, tracker,
) -> dict:  # fmt: skip
    return {
        "job": job_name,
        "written": datetime.now(UTC).isoformat(timespec="seconds"),
        "workflow": captured.get("workflow", missing),
        "software": captured.get("software", missing),
        "machine": {
            "host": captured.get("host", missing),
            "platform": captured.get("platform", missing),
            "device": tracker.device_label(tracked_record.get("device")),
            "gpu": captured.get("gpu", missing),
            "peak_gpu_memory_mb": tracked_record.get("peak_gpu_memory_mb"),
        },
        "tracking": {
            "started": tracked_record.get("started"),
            "finished": _finished(tracked_record),
            "seconds": tracked_record.get("seconds"),
            "tracker": tracker.DISPLAY_NAME,
            "validated": session_info.get("last_validated") or None,
            "session": tracked_record.get("session"),
        },
        "settings": {
            "file": str(settings),
            "sha256": captured.get("settings_sha256", missing),
            "repaired_file": str(repaired_settings),
            "repaired": repaired_values,
        },
        "videos": captured.get("videos", missing),
        "results": {
            name: {"path": str(path), "sha256": fingerprint.sha256(path)}
            for name, path in results.items()
        },
        "exported_by": {
            "workflow": environment.workflow_source(),
            "software": environment.package_versions(),
        },
    }


def to_json(record: dict) -> str:
    # idtracker.ai's settings hold inf (area_ths): written as the string "inf", which every
    # JSON reader accepts.
    return json.dumps(_finite(record), indent=2) + "\n"


def _finite(value):
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {str(key): _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value
