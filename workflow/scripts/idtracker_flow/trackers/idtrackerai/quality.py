"""idtracker.ai's own columns of the QC table: its version, its estimated accuracy, the
contrastive step's silhouette score and how long each of its stages took.

Facts they rely on (idtracker.ai 6):
- trajectories.h5 covers the whole video, NaN where an animal has no position, and frames
  outside the tracking intervals are NaN too; its own `fraction_identified` counts the whole
  video, so the QC row's is computed within the tracked interval instead (session facts:
  session.json's tracking_intervals);
- `estimated_accuracy` is hard-set to 1.0 when tracked without identities (or with one
  animal), so it is reported as missing ("n/a") there;
- session.json holds tracking_intervals, version, track_wo_identities, number_of_animals and
  last_validated (set by the validator).
"""

import math

from idtracker_flow.trackers.idtrackerai import timers

COLUMNS = ("idtrackerai_version", "estimated_accuracy", "silhouette_score", *timers.COLUMNS)
NUMERIC_COLUMNS = ("estimated_accuracy", "silhouette_score", *timers.COLUMNS)


def _number(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _round(value, digits: int):
    return None if value is None else round(float(value), digits)


def meaningful_accuracy(trajectories, session_info: dict) -> float | None:
    """idtracker.ai's estimated accuracy, or None where it is a placeholder 1.0 (tracked
    without identities, or a single animal)."""
    if session_info.get("track_wo_identities"):
        return None
    if trajectories.positions.shape[1] < 2:
        return None
    value = trajectories.estimated_accuracy
    if value is None:
        value = _number(session_info.get("estimated_accuracy"))
    return _round(value, 4)


def silhouette(trajectories, session_info: dict) -> float | None:
    """The contrastive step's silhouette score (None when it did not run: tracked without
    identities, or with disable_contrastive)."""
    if session_info.get("track_wo_identities"):
        return None
    value = trajectories.silhouette_score
    if value is None:
        value = _number(session_info.get("silhouette_score"))
    return _round(value, 4)


def qc_columns(trajectories, session_info: dict, record: dict) -> dict:
    return {
        "idtrackerai_version": trajectories.version or session_info.get("version"),
        "estimated_accuracy": meaningful_accuracy(trajectories, session_info),
        "silhouette_score": silhouette(trajectories, session_info),
        **timers.stage_columns(timers.stage_seconds(session_info)),
    }
