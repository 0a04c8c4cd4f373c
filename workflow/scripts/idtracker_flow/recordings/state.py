"""Where each recording stands, for `pixi run status`: waiting for parts, matched, flagged,
failed and why. Decided from the files and the jobs' own states, like the rest of status."""

import json
import os

from idtracker_flow.project import layout
from idtracker_flow.recordings import grouping
from idtracker_flow.settings.digest import digest_of
from idtracker_flow.tracking import run_lock

SUCCESS = "Matched recording"
NOT_MATCHED = "was not matched:"  # the rule's line before the reason (match_recording.py)
# Written to the log as each part's turn comes: the console shows "(part 2 of 3)" from it.
PART_LINE = "Matching part {number} of {count}: {name}"


def _mtime(path: str) -> float | None:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return None


def refusal(text: str) -> str | None:
    """The reason a match was refused, from its log's text (None: not refused)."""
    if NOT_MATCHED not in text:
        return None
    reason = [line for line in text.split(NOT_MATCHED, 1)[1].splitlines() if line.strip()]
    return reason[0].strip() if reason else "refused"


def _from_log(log_path: str, log_time: float) -> tuple[str, str] | None:
    """(state, why) from a log newer than the recording's files: failed with the step's own
    message, matching while the live run works on it, else cut off; None when it worked."""
    try:
        text = open(log_path, encoding="utf-8", errors="replace").read()
    except OSError:
        return None
    if SUCCESS in text:
        return None
    if (refused := refusal(text)) is not None:
        return "failed", f"{refused} (log: {log_path})"
    run = run_lock.running_run()
    if run is not None and log_time >= run.get("started", 0):
        return "matching", f"idmatcher.ai is matching its parts now (log: {log_path})"
    return "failed", f"stopped before it finished, e.g. the run was cut off (log: {log_path})"


def recording_state(name: str, members, job_states: dict) -> tuple[str, str]:
    """(state, why) of one recording; `job_states` maps <video>/<job> to its status."""
    unfinished = [layout.job_id(*m) for m in members if job_states.get(layout.job_id(*m)) != "done"]
    failed = [m for m in unfinished if job_states.get(m) == "failed"]
    if unfinished:
        why = "waiting for " + ", ".join(unfinished)
        return "waiting", why + (f" ({len(failed)} failed: see their lines)" if failed else "")
    summary = layout.RECORDING_SUMMARY.format(recording=name)
    log = layout.RECORDING_LOG.format(recording=name)
    summary_time, log_time = _mtime(summary), _mtime(log)
    # The log says how the last match went (every attempt rewrites it); the files' times do
    # not: after a refused match Snakemake puts the previous files back as new copies.
    if log_time and (found := _from_log(log, log_time)):
        return found
    if summary_time is None:
        return "pending", "every part is tracked: matched by the next `pixi run track`"
    newest = max(
        (_mtime(layout.job_file(layout.TRAJECTORIES, *m)) or 0 for m in members), default=0
    )
    if newest > summary_time:
        return "outdated", "a part was tracked again or validated: matched by the next run"
    row = json.loads(open(summary, encoding="utf-8").read())
    why = (
        f"{row['parts']} parts, {row['frames']} frames, confidence {row['confidence_per_identity']}"
    )
    if row.get("decided_by"):  # per part: the signal that decided, how sure each was
        why += f"; decided by: {row['decided_by']}"
    return row["state"], why + (f"; {row['flags']}" if row["flags"] else "")


def recording_lines(project, statuses) -> list[str]:
    """A line per recording of the project (none when matching is off)."""
    options = project.config["recordings"]
    # The digest's `identities`, as the DAG groups recordings (rules/common.smk).
    with_ids = [
        key
        for key in project.targets
        if (settings := project.facts(*key).settings) and digest_of(settings)["identities"]
    ]
    recordings = grouping.recordings(with_ids, options)
    unknown = grouping.unknown_folders(project.jobs, options)
    lines = [
        f"config/config.yaml, recordings: join: names {', '.join(unknown)}, with no settings"
        " under settings/. What to do: correct the folder name."
    ] if unknown else []  # fmt: skip
    if not recordings:
        return lines
    job_states = {layout.job_id(s.video, s.job): s.state for s in statuses}
    lines += ["", "Recordings (parts matched to one identity per animal):"]
    for name, members in sorted(recordings.items()):
        state, why = recording_state(name, members, job_states)
        lines.append(f"  {name}: {state}: {why}")
    return lines
