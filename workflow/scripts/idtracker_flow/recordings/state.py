"""Where each recording stands, for `pixi run status`: waiting for parts, matched, flagged,
failed and why. Decided from the files and the jobs' own states, like the rest of status."""

import json
import os

from idtracker_flow.project import layout
from idtracker_flow.recordings import grouping
from idtracker_flow.settings.digest import digest_of

SUCCESS = "Matched recording"
# Written to the log as each part's turn comes: the console shows "(part 2 of 3)" from it.
NOT_MATCHED = "was not matched:"  # match_recording.py: "Recording <name> was not matched:"
PART_LINE = "Matching part {number} of {count}: {name}"


def _mtime(path: str) -> float | None:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return None


def _failure(log_path: str) -> str | None:
    """The reason a match failed, from its log, or None when it worked or never ran."""
    try:
        text = open(log_path, encoding="utf-8").read()
    except OSError:
        return None
    if SUCCESS in text:
        return None
    # The log holds idmatcher.ai's own output too: the reason follows the script's own words,
    # else (a crash) it is the traceback's last line.
    lines = [line for line in text.splitlines() if line.strip()]
    said = [i for i, line in enumerate(lines) if line.endswith(NOT_MATCHED)]
    if said and said[-1] + 1 < len(lines):
        reason = lines[said[-1] + 1]
    else:
        reason = lines[-1] if lines else "the match failed"
    return reason.strip() + f" (log: {log_path})"


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
    if log_time and (summary_time is None or log_time > summary_time + 1):
        if reason := _failure(log):
            return "failed", reason
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
