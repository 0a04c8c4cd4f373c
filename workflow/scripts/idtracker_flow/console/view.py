"""The console of a run, drawn from Snakemake's log records (the logger plugin calls this).

In a terminal: a live block (the batch line, one line per running tracking job with its
tracker's stage), redrawn each second, with failures printed above it as they happen.
Without a terminal (a file, SLURM's output, CI): plain lines, one per event, no redraws.
`full` (--verbose, and every dry run) prints Snakemake's own output instead, unchanged.
"""

import sys
import threading
import time
from pathlib import Path

from idtracker_flow.console import estimate, logs, summary
from idtracker_flow.console.batch import Batch
from idtracker_flow.console.durations import finished_durations

# Snakemake's own words around a failed job: the FAILED line says it with the reason.
SAID_BY_FAILED_LINE = (
    "RuleException",
    "Exiting because a job execution failed",
    "WorkflowError:\nAt least one job did not complete successfully",
    # Its bookkeeping of update() outputs after a failed step: the end list and status say
    # whether the previous files were kept.
    "Restored previous version of ",
    "Cannot restore ",
)
NOTHING_TO_DO = "Nothing to be done"
REFRESH_S = 1.0
PLAIN_POLL_S = 5.0


class Console:
    def __init__(self, dryrun: bool, full: bool, common_settings):
        from rich.console import Console as RichConsole

        self.dryrun, self.full = dryrun, full
        self.batch = Batch()
        self.logs = logs.JobLogs()
        self.errors: list[str] = []
        self.full_log = ""
        self.out = RichConsole(stderr=True, highlight=False, soft_wrap=True)
        self.live = None
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._thread = None
        self.interrupted = False
        _note_interrupts(self)
        if full:
            self.default = _snakemake_handler(common_settings)
        elif self.out.is_terminal:
            self._start_live()

    # Snakemake's records ------------------------------------------------------------------
    def handle(self, record) -> None:
        if self.full:
            self.default.handle(record)
        with self._lock:
            self._record(record)

    def _record(self, record) -> None:
        event = str(getattr(record, "event", "") or "")
        if event == "run_info":
            self.batch.plan(getattr(record, "stats", {}) or {})
            self._begin()
        elif event == "job_info":
            self._job_info(record)
        elif event == "job_finished":
            self._job_finished(getattr(record, "job_id", None))
        elif event == "job_error":
            self._job_error(record)
        elif record.getMessage().startswith(NOTHING_TO_DO):
            self._say("Nothing to do: every job is up to date (`pixi run status` lists them).")
        elif record.getMessage().startswith("Complete log"):
            self.full_log = record.getMessage().split(":", 1)[1].strip()
        elif record.levelno >= 30 and event not in ("job_error", "group_error", "shellcmd"):
            self._message(record)

    def _begin(self) -> None:
        if self.dryrun or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        planned = self.batch.planned
        what = f"Tracking {planned} job{'s' * (planned != 1)}."
        if not planned:
            what = f"{self.batch.steps} steps to run, no tracking."
        self._say(f"{what} {_verbose_hint(self.full)}")

    def _job_info(self, record) -> None:
        rule = getattr(record, "rule_name", "")
        wildcards = getattr(record, "wildcards", {}) or {}
        job_logs = list(getattr(record, "log", []) or [])
        first = self.batch.job_started(getattr(record, "jobid", -1), rule, wildcards, job_logs)
        if rule == "track" and not self.live and first:
            self._say(f"started {wildcards.get('video')}/{wildcards.get('job')}")
        step = self.batch.steps_running.get(getattr(record, "jobid", -1))
        if step is not None and not self.live:
            self._say(step.name)

    def _job_finished(self, jobid) -> None:
        step = self.batch.steps_running.get(jobid)
        job = self.batch.job_finished(jobid)
        if step is not None and not self.live:
            self._say(f"{step.name}: done in {estimate.clock(time.time() - step.started)}")
        if job is not None:
            self.logs.forget(job.log)
            if not self.live:
                took = estimate.clock(self.batch.durations[-1])
                self._say(f"done {job.name} in {took}")
                self._say(self.batch.summary_line())

    def _job_error(self, record) -> None:
        if self.interrupted:
            return  # a job Ctrl+C cut off: the end says so, it is no failure
        job_logs = [str(path) for path in (getattr(record, "log", []) or [])]
        rule = getattr(record, "rule_name", "")
        retried = summary.will_be_retried(rule, job_logs)
        failure = self.batch.job_failed(getattr(record, "jobid", -1), rule, job_logs, retried)
        if failure.again:
            return  # its second attempt, refused at once: said already
        failure.reason = summary.failure_reason(failure)
        where = f" (log: {failure.logs[0]})" if failure.logs else ""
        if retried:
            self._say(f"retrying {failure.name}: {failure.reason}{where}", style="yellow")
            return
        self._say(f"FAILED {failure.name}: {failure.reason}{where}", style="bold red")

    def _message(self, record) -> None:
        text = record.getMessage().strip()
        if text and not self.full and not text.startswith(SAID_BY_FAILED_LINE):
            self.errors.append(text)
            self._say(text, style="red" if record.levelno >= 40 else "yellow")

    # Live progress ---------------------------------------------------------------------------
    def _watch(self) -> None:
        self.batch.durations[:0] = finished_durations(Path("."), before=self.batch.started)
        shown: dict[str, str] = {}
        while not self._stop.wait(REFRESH_S if self.live else PLAIN_POLL_S):
            with self._lock:
                running = list(self.batch.running.values())
            for job in running:
                stage = self.logs.stage(job.log, job.key).describe()
                if not self.live and shown.get(job.name) != stage:
                    self._say(f"{job.name}: {stage}")
                shown[job.name] = stage
            if self.live:
                self.live.update(self._block(), refresh=True)

    def _block(self):
        from rich.text import Text

        with self._lock:
            now = time.time()
            # Wrapped at the terminal's width: the console's soft_wrap would cut it off.
            text = Text(self.batch.summary_line(now), style="bold", no_wrap=False, overflow="fold")
            for job in self.batch.running.values():
                stage = self.logs.stage(job.log, job.key).describe()
                ran = estimate.clock(now - job.started)
                text.append(f"\n  {job.name}  ", style="cyan")
                text.append(f"{stage}, {ran}")
            for step in self.batch.steps_running.values():
                part = logs.recording_part(step.log) if step.rule == "match_recording" else ""
                text.append(f"\n  {step.name}{part}", style="cyan")
                text.append(f", {estimate.clock(now - step.started)}")
        return text

    def _start_live(self) -> None:
        from rich.live import Live
        from rich.text import Text

        self.live = Live(
            Text("Preparing the run..."), console=self.out, auto_refresh=False,
            redirect_stdout=True, redirect_stderr=True, transient=True,
        )  # fmt: skip
        self.live.start()

    def _say(self, text: str, style: str = "") -> None:
        if self.full:
            return
        from rich.text import Text

        if self.live:
            self.out.print(Text(text, style=style))
        else:
            stamp = time.strftime("%H:%M:%S")
            print(f"{stamp} {text}", file=sys.__stderr__, flush=True)

    # The end ---------------------------------------------------------------------------------
    def close(self) -> None:
        if self._stop.is_set():
            return  # Snakemake closes its handlers, then logging's shutdown does again
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self.live:
            self.live.stop()
            self.live = None
        if self.dryrun or not (self.batch.steps or self.errors):
            return  # nothing ran: nothing to sum up
        with self._lock:
            lines, problems = summary.end_of_run(
                self.batch, self.errors, self.full_log, self.interrupted
            )
        for line in lines + problems:
            print(line, file=sys.__stderr__, flush=True)


def _note_interrupts(console: Console) -> None:
    """Remember a Ctrl+C, then let Snakemake handle it as it would (it stops the jobs): the
    jobs it cuts off are reported as stopped, not as failed."""
    import signal

    previous = signal.getsignal(signal.SIGINT)

    def on_interrupt(number, frame):
        console.interrupted = True
        if callable(previous):
            previous(number, frame)
        else:
            raise KeyboardInterrupt

    try:
        signal.signal(signal.SIGINT, on_interrupt)
    except ValueError:  # not the main thread: no note, Snakemake's handling is unchanged
        pass


def _verbose_hint(full: bool) -> str:
    if full:
        return ""
    return "Snakemake's full output: .snakemake/log/ (or `pixi run track --verbose`)."


def _snakemake_handler(common_settings):
    """Snakemake's own terminal output, as it is without a logger plugin."""
    from snakemake.logging import ColorizingTextHandler, DefaultFilter, DefaultFormatter

    handler = ColorizingTextHandler(
        nocolor=common_settings.nocolor,
        stream=sys.stdout if common_settings.stdout else sys.stderr,
    )
    handler.addFilter(
        DefaultFilter(
            common_settings.quiet, common_settings.debug_dag, common_settings.verbose,
            common_settings.dryrun, common_settings.printshellcmds,
        )
    )  # fmt: skip
    handler.setFormatter(DefaultFormatter(common_settings.quiet, common_settings.show_failed_logs))
    return handler
