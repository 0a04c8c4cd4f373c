"""Why a job stands where it stands, in the user's words (from the facts, nothing decided)."""

import time
from datetime import datetime

from idtracker_flow import trackers
from idtracker_flow.project import layout
from idtracker_flow.project.json_files import read_json
from idtracker_flow.project.steps import BEHAVIOUR, BY_NAME, COPY, EXPORT, REPAIR, TRACK
from idtracker_flow.settings import digest


def when(stamp: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(stamp))


def local_time(iso: str) -> str:
    """An ISO time with zone (as the tracking record writes it) in this computer's time."""
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")
    except (TypeError, ValueError):
        return ""


def duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


def tracking_record(video: str, job: str) -> dict:
    return read_json(TRACK.output_of(video, job))


def _changed_inputs(facts, since: float | None) -> list[str]:
    reasons = []
    if since is None:
        return reasons
    if facts.settings_time is not None and facts.settings_time > since:
        reasons.append(f"settings file changed {when(facts.settings_time)}")
    for path, stamp in zip(facts.videos, facts.video_times):
        if stamp is not None and stamp > since:
            reasons.append(f"video {path} changed {when(stamp)}")
    for path, stamp, what in zip(facts.model, facts.model_times, facts.model_changed):
        if stamp is not None and stamp > since:
            reasons.append(f"{what}: {path} changed {when(stamp)}")
    return reasons


def _transfer_reason(facts, all_facts, steps: list[str], transfer_steps: list[str]) -> list[str]:
    if facts.transfer is None:
        return []
    source = layout.job_id(*facts.transfer)
    if TRACK.name in transfer_steps:
        return [f"learns identities from {source}, which is tracked again"]
    stamp = all_facts[facts.transfer].input_time[TRACK.name]
    tracked = facts.output_time[TRACK.name]
    if TRACK.name in steps and stamp is not None and tracked is not None and stamp > tracked:
        return [f"learns identities from {source}, tracked again since"]
    return []


def _copy_reason(facts, video: str, job: str) -> str:
    copy = facts.output_time[COPY.name]
    if copy is None:
        return f"copy in {COPY.output_of(video, job)} is missing: copy pending"
    session_h5 = facts.session_trajectories_time
    if session_h5 is not None and session_h5 > copy:
        session = layout.job_path(layout.SESSION, video, job)
        validated = trackers.for_settings_file(REPAIR.output_of(video, job)).validated_on(session)
        if validated:
            return f"validated {validated}: copy pending"
        return "session trajectories changed: copy pending"
    return "tracked again: copy pending"


def outdated(facts, all_facts, video, job, steps: list[str], transfer_steps: list[str]) -> str:
    """Why a job that was tracked before runs again."""
    repaired, tracked = facts.output_time[REPAIR.name], facts.output_time[TRACK.name]
    since = min((t for t in (repaired, tracked) if t is not None), default=None)
    reasons = _changed_inputs(facts, since)
    reasons += _transfer_reason(facts, all_facts, steps, transfer_steps)
    if facts.cut_off(REPAIR.name):
        reasons.append("repaired settings were being written when a run was cut off")
    if facts.cut_off(TRACK.name):
        reasons.append("a run was cut off while it finished this job")
    if not reasons and repaired is None and REPAIR.name in steps:
        reasons.append("repaired settings are missing: made again")
    if not reasons and TRACK.name in steps and repaired is not None and repaired > tracked:
        reasons.append("repaired settings changed since it was tracked")
    if steps == [COPY.name]:
        reasons.append(_copy_reason(facts, video, job))
    return "; ".join(reasons) or "inputs changed since it was tracked"


def changed_since(facts, stamp: float) -> str:
    """Which of the job's inputs changed after `stamp` ('settings and video')."""
    changed = []
    if facts.settings_time is not None and facts.settings_time > stamp:
        changed.append("settings")
    if any(t is not None and t > stamp for t in facts.video_times):
        changed.append("video")
    return " and ".join(changed)


def running(video: str, job: str, run: dict, working: list[str]) -> str:
    started = run.get("started", 0)
    who = f"Snakemake process {run.get('pid')} on {run.get('host')}, started {when(started)}"
    if not working:
        return f"waiting its turn in the run ({who})"
    step = BY_NAME[working[-1]]
    what = "copying" if step is COPY else step.doing
    return f"{what} now ({who}); log: {step.log_of(video, job)}"


def done(status, facts) -> None:
    """Fill in when a done job was tracked, how long it took and its tracker's estimate."""
    record = tracking_record(status.video, status.job)
    status.tracked_at = local_time(record.get("started", ""))
    status.seconds = record.get("seconds")
    accuracy = record.get("estimated_accuracy")
    identities = digest.with_identities(facts.settings or {})
    status.accuracy = float(accuracy) if identities and accuracy is not None else None
    status.peak_gpu_mb = record.get("peak_gpu_memory_mb")
    parts = [f"tracked {status.tracked_at}" if status.tracked_at else "tracked"]
    if status.seconds is not None:
        parts.append(f"in {duration(status.seconds)}")
    if status.accuracy is not None:
        parts.append(f"estimated accuracy {status.accuracy:.1%}")
    if status.peak_gpu_mb:
        parts.append(f"peak GPU memory {status.peak_gpu_mb / 1024:.1f} GB")
    status.reason = ", ".join(parts)


def code_changed_since(tracked_times: list[float]) -> int:
    """How many of these tracking times are older than the workflow's code (kept as they
    are: settings and videos decide re-tracking)."""
    workflow = layout.WORKFLOW_DIR
    code = [workflow / "Snakefile", *workflow.glob("rules/*.smk")]
    code += (workflow / "scripts").rglob("*.py")
    newest = max((p.stat().st_mtime for p in code if p.is_file()), default=0)
    return sum(stamp < newest for stamp in tracked_times)


def after_tracking_advice(step, kept: bool) -> str:
    """What to do when a step after tracking failed; `kept`: its previous files are there."""
    if not kept:  # never made: the next run tries again
        return "fix what it says, then `pixi run track` makes it"
    if step is EXPORT:
        return "the previous analysis files are kept; fix what it says, then `pixi run export`"
    if step is BEHAVIOUR:
        return "the previous behaviour files are kept; fix what it says, then `pixi run track`"
    return "the previous quality row is kept; do what its log says"
