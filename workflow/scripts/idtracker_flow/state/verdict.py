"""Each job's state (done, pending, outdated, running, failed, skipped) and why."""

import os
from dataclasses import dataclass, field

from idtracker_flow.project import layout
from idtracker_flow.project.steps import COPY, REPAIR, STEPS, TRACK
from idtracker_flow.state import decision, failures, reasons
from idtracker_flow.state.facts import Project, running_outputs
from idtracker_flow.tracking import run_lock

STATES = ("done", "pending", "outdated", "running", "failed", "skipped")


@dataclass
class JobStatus:
    video: str
    job: str
    state: str = "done"
    reason: str = ""
    part: str = ""
    recorded: str = ""
    tracked_at: str = ""
    seconds: float | None = None
    accuracy: float | None = None
    peak_gpu_mb: float | None = None
    log: str = ""
    # Steps (rule names) `snakemake -n` would run for this job now.
    steps: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return layout.job_id(self.video, self.job)


def would_run(project: Project) -> dict[tuple[str, str], list[str]]:
    """Job -> steps, for every job `snakemake -n` lists (a skipped job only when another
    job learns identities from it, and then without its copy step)."""
    needrun = decision.steps_to_run(project.all_facts(), project.targets)
    planned = {}
    for key in project.jobs:
        steps = [step.name for step in STEPS if (step.name, *key) in needrun]
        if steps:
            planned[key] = steps
    return planned


def _skipped(status: JobStatus, project: Project, planned: dict) -> None:
    status.state = "skipped"
    status.reason = "listed under skip: in config/config.yaml"
    if status.steps:
        key = (status.video, status.job)
        learners = [layout.job_id(*k) for k in planned if project.facts(*k).transfer == key]
        status.reason += (
            f"; still tracked, because {', '.join(learners) or 'another job'}"
            " learns identities from it"
        )


def _running(status: JobStatus, project: Project, run: dict, failed) -> bool:
    """Mark a job the live run works on (or will); False when it is not part of that run's
    work now. Snakemake marks a step's output incomplete while the step works; a step that
    failed in this run is unmarked and keeps its log."""
    facts = project.facts(status.video, status.job)
    working = [step.name for step in STEPS if step.name in facts.incomplete]
    failed_now = failed is not None and os.stat(failed[1]).st_mtime >= run.get("started", 0)
    if working or not failed_now:
        status.state = "running"
        status.reason = reasons.running(status.video, status.job, run, working)
        return True
    return False


def _failed(status: JobStatus, project: Project, failed) -> None:
    step, log = failed
    status.state = "failed"
    status.log = str(log)
    status.reason = f"{step.doing} failed: {failures.first_problem(log, step)} (log: {log})"
    facts = project.facts(status.video, status.job)
    if changed := reasons.changed_since(facts, log.stat().st_mtime):
        status.reason += f"; {changed} changed since, retried by the next track"
    else:
        status.reason += "; retried by the next track"


def _pending_or_outdated(status: JobStatus, project: Project, planned: dict) -> None:
    key = (status.video, status.job)
    facts = project.facts(*key)
    if facts.output_time[TRACK.name] is None:
        status.state = "pending"
        never = status.steps[0] == REPAIR.name
        status.reason = "never tracked" if never else "settings checked, not tracked yet"
        if facts.output_time[COPY.name] is not None:
            status.reason = "tracking record is missing: tracked again"
        return
    status.state = "outdated"
    transfer_steps = planned.get(facts.transfer, []) if facts.transfer else []
    status.reason = reasons.outdated(
        facts, project.all_facts(), status.video, status.job, status.steps, transfer_steps
    )


def collect(project: Project | None = None) -> list[JobStatus]:
    """One status per settings file, in the order of the settings folders."""
    project = project or Project()
    planned = would_run(project)
    run = run_lock.running_run()
    live_outputs = running_outputs() if run else set()
    statuses = []
    for video, job in project.jobs:
        part, recorded = layout.name_parts(video)
        status = JobStatus(video, job, part=part, recorded=recorded)
        status.steps = planned.get((video, job), [])
        statuses.append(status)
        if status.name in project.skip:
            _skipped(status, project, planned)
            continue
        if not status.steps:
            if (kept := failures.copy_failed_after_a_good_one(video, job)) is not None:
                step, log = kept
                status.state, status.log = "failed", str(log)
                status.reason = (
                    f"{step.doing} failed: {failures.first_problem(log, step)} (log: {log});"
                    " tracking/ keeps the previous copy"
                )
                continue
            if (after := failures.after_tracking_failed(project.files, video, job)) is not None:
                step, log = after
                if run is not None and step.output_of(video, job) in live_outputs:
                    status.state = "running"
                    status.reason = f"tracked; {step.doing}"
                    continue
                status.state, status.log = "failed", str(log)
                kept = os.path.isfile(step.output_of(video, job))
                status.reason = (
                    f"tracked, but {step.doing} failed: {failures.first_problem(log, step)}"
                    f" (log: {log}); {reasons.after_tracking_advice(step, kept)}"
                )
                continue
            reasons.done(status, project.facts(video, job))
            continue
        facts = project.facts(video, job)
        failed = failures.failed_step(facts, project.files, video, job, status.steps)
        outputs = {step.output_of(video, job) for step in STEPS}
        if run is not None and outputs & live_outputs and _running(status, project, run, failed):
            continue
        if failed is not None:
            _failed(status, project, failed)
            continue
        _pending_or_outdated(status, project, planned)
    for video, job, why in project.unusable:
        statuses.append(JobStatus(video, job, state="failed", reason=f"not tracked: {why}"))
    return sorted(statuses, key=lambda status: (status.video, status.job))


def failure_report(statuses: list[JobStatus]) -> list[str]:
    """What the end of a run says about its failed jobs: each with its reason and log."""
    failed = [status for status in statuses if status.state == "failed"]
    if not failed:
        return []
    lines = [f"{len(failed)} of {len(statuses)} jobs failed:"]
    lines += [f"  {status.name}: {status.reason}" for status in failed]
    lines.append(
        "Fix what each line says, then run `pixi run track` again: only these jobs run again"
        " (the others are kept). `pixi run status` shows this list at any time."
    )
    return lines


def totals(statuses: list[JobStatus]) -> dict[str, int]:
    counts = dict.fromkeys(STATES, 0)
    for status in statuses:
        counts[status.state] += 1
    return counts


def code_changed_since(statuses: list[JobStatus]) -> int:
    """How many done jobs were tracked before the workflow's code last changed."""
    times = []
    for status in statuses:
        if status.state == "done":
            try:
                times.append(os.stat(TRACK.output_of(status.video, status.job)).st_mtime)
            except OSError:
                continue
    return reasons.code_changed_since(times)
