"""A run's tracking jobs as Snakemake reports them: done, failed, running, waiting of N.

Jobs are counted by settings file (<video>/<job>): N is the number of `track` steps the run
plans; a job fails when any of its steps fails (a failed settings check means its tracking
never starts). Pure: the plugin calls these methods with what each log record says.
"""

import time
from dataclasses import dataclass, field

from idtracker_flow.console import estimate

TRACK_RULE = "track"
# The steps after tracking that a person waits for, as the console names them while they run
# (the quick ones, a settings check or a copy, are not shown).
WAITED = {
    "match_recording": "matching {recording}",
    "analyse_job": "analysing {video}/{job}",
    "behaviour_recording": "measuring the behaviour in {recording}",
    "behaviour_summary": "the batch's behaviour table",
}


class _Missing(dict):
    def __missing__(self, key: str) -> str:
        return "?"


@dataclass
class Running:
    name: str  # <video>/<job> (a waited-for step: what the console calls it)
    log: str  # the step's log (tracking: where the tracker writes as it runs)
    started: float
    rule: str = TRACK_RULE

    @property
    def key(self) -> tuple[str, str]:
        """(video, job)"""
        video, _, job = self.name.partition("/")
        return video, job


@dataclass
class Failure:
    name: str
    step: str
    logs: list[str]
    reason: str = ""
    again: bool = False  # a failure this job already had in this run (a refused retry)


def job_name(rule: str, wildcards: dict) -> str:
    """How the user knows the job of a step: <video>/<job>, or `recording <name>`."""
    if "video" in wildcards and "job" in wildcards:
        return f"{wildcards['video']}/{wildcards['job']}"
    if "recording" in wildcards:
        return f"recording {wildcards['recording']}"
    return rule  # a batch step (the quality table)


@dataclass
class Batch:
    planned: int = 0
    steps: int = 0  # every step of the run (settings checks, copies, quality rows too)
    done: int = 0
    started: float = field(default_factory=time.time)
    running: dict[int, Running] = field(default_factory=dict)  # by Snakemake's job id
    failures: list[Failure] = field(default_factory=list)
    # Durations (s) of this project's finished tracking jobs, earlier runs' and this one's.
    durations: list[float] = field(default_factory=list)
    slots: int = 1
    # The waited-for steps (WAITED): running ones by job id, how many of each rule are still
    # to come, and how long each rule's steps took in this run.
    steps_running: dict[int, Running] = field(default_factory=dict)
    steps_left: dict[str, int] = field(default_factory=dict)
    step_durations: dict[str, list[float]] = field(default_factory=dict)
    # Every job (<video>/<job>) and recording a step of this run worked on.
    touched: set[str] = field(default_factory=set)
    _names: dict[int, tuple[str, str]] = field(default_factory=dict)

    def plan(self, stats: dict) -> None:
        self.planned = int(stats.get(TRACK_RULE, 0) or 0)
        self.steps = int(stats.get("total", 0) or sum(int(n) for n in stats.values()))
        self.steps_left = {rule: int(stats.get(rule, 0) or 0) for rule in WAITED}

    def job_started(self, jobid: int, rule: str, wildcards: dict, logs: list[str]) -> bool:
        """Note a step that starts; False when it is a job's retry after a failure that was
        already said (its second attempt, refused at once)."""
        name = job_name(rule, wildcards)
        self._names[jobid] = (rule, name)
        if "video" in wildcards or "recording" in wildcards:
            self.touched.add(name)
        log = logs[0] if logs else ""
        if rule == TRACK_RULE:
            self.running[jobid] = Running(name, log, time.time())
            self.slots = max(self.slots, len(self.running))
        elif rule in WAITED:
            label = WAITED[rule].format_map(_Missing(wildcards))
            self.steps_running[jobid] = Running(label, log, time.time(), rule)
        return all(f.name != name for f in self.failures)

    def job_finished(self, jobid: int) -> Running | None:
        if (step := self.steps_running.pop(jobid, None)) is not None:
            self._step_ended(step)
            self.step_durations.setdefault(step.rule, []).append(time.time() - step.started)
        if (job := self.running.pop(jobid, None)) is not None:
            self.done += 1
            self.durations.append(time.time() - job.started)
        return job

    def _step_ended(self, step: Running) -> None:
        self.steps_left[step.rule] = max(self.steps_left.get(step.rule, 1) - 1, 0)

    def job_failed(self, jobid: int, rule: str, logs: list[str], retried: bool = False) -> Failure:
        """A step failed; `retried`: Snakemake runs it again (the attempt said it can pass),
        so it is no failure of the job (yet)."""
        rule_name, name = self._names.get(jobid, (rule, rule))
        self.running.pop(jobid, None)
        if (step := self.steps_running.pop(jobid, None)) is not None:
            self._step_ended(step)
        failure = Failure(name, rule_name or rule, logs)
        failure.again = any(f.name == name for f in self.failures)
        if not retried and not failure.again:
            self.failures.append(failure)
        return failure

    @property
    def failed(self) -> int:
        """Failed jobs (<video>/<job>; a failed recording match is listed, not counted here)."""
        return sum("/" in failure.name for failure in self.failures)

    @property
    def waiting(self) -> int:
        return max(self.planned - self.done - self.failed - len(self.running), 0)

    def time_left(self, now: float | None = None) -> float | None:
        """The tracking left, then the waited-for steps left, each kind at the typical time
        its steps took in this run (unknown until one of the kind has finished)."""
        now = now or time.time()
        elapsed = [now - job.started for job in self.running.values()]
        left = 0.0
        if self.running or self.waiting:
            left = estimate.time_left(self.durations, elapsed, self.waiting, self.slots)
        for rule, count in self.steps_left.items():
            if not count:
                continue
            if (
                left is None
                or (typical := estimate.typical_duration(self.step_durations.get(rule, []))) is None
            ):
                return None
            running = [now - s.started for s in self.steps_running.values() if s.rule == rule]
            left += estimate.time_left([typical], running, count - len(running), 1)
        return left

    @property
    def busy(self) -> bool:
        return bool(self.running or self.waiting or any(self.steps_left.values()))

    def summary_line(self, now: float | None = None) -> str:
        """The batch line: done, failed, running, waiting of N; elapsed; time left."""
        now = now or time.time()
        left = self.time_left(now) if self.busy else 0.0
        return (
            f"{self.done} done, {self.failed} failed, {len(self.running)} running,"
            f" {self.waiting} waiting of {self.planned} tracking jobs"
            f" | {estimate.clock(now - self.started)} elapsed"
            f" | {estimate.left(left)}"
        )
