"""The pipeline's steps, each defined once: rule name, output, log and success line.

The rules (workflow/rules/tracking.smk, analysis.smk) take their outputs and logs from here,
the rule scripts end their logs with `success_line()`, and `pixi run status` reads the same
table to tell a finished step from a failed one.
"""

import re
from dataclasses import dataclass

from idtracker_flow.project import layout


@dataclass(frozen=True)
class Step:
    name: str  # the rule's name, or the folder of its log for a part of one (below)
    output: str  # its output pattern
    success: str  # how its log's closing line starts when it worked
    doing: str  # what it does, in the user's words
    # A part of a rule that runs several in one process: that rule, and its log's name there.
    rule: str = ""
    part: str = ""

    @property
    def rule_name(self) -> str:
        return self.rule or self.name

    @property
    def log(self) -> str:
        return layout.log(self.name)

    def output_of(self, video: str, job: str) -> str:
        return layout.job_file(self.output, video, job)

    def log_of(self, video: str, job: str) -> str:
        return layout.job_file(self.log, video, job)

    def success_line(self, detail: str) -> str:
        return f"{self.success} {detail}"

    def succeeded(self, log_text: str) -> bool:
        """The log has the step's success line (at the start of a line)."""
        return re.search(rf"^{re.escape(self.success)}\b", log_text, re.MULTILINE) is not None


REPAIR = Step("repair_settings", layout.REPAIRED_SETTINGS, "Repaired", "checking the settings")
TRACK = Step("track", layout.TRACKED, "Success: session", "tracking")
COPY = Step("copy_trajectories", layout.TRAJECTORIES, "Copied", "copying the trajectories")
# In the order they run for a job.
STEPS = (REPAIR, TRACK, COPY)
# The steps after tracking, parts of one rule that runs them in one process (one import of
# movement and matplotlib per job, not three): a failure keeps the previous files (their
# outputs are flagged update()), so Snakemake sees nothing to do, but status names the part,
# its reason and log. Each part keeps the log folder it had as a rule of its own.
ANALYSE = "analyse_job"
EXPORT = Step(
    "export_job", layout.PROVENANCE, "Exported", "writing the analysis files", ANALYSE, "export"
)
# The QC log's last line is the row's `flags` line, printed once the row is written.
QC = Step("qc_job", layout.QC_ROW, "flags", "measuring the quality", ANALYSE, "qc")
BEHAVIOUR = Step(
    "behaviour_job", layout.BEHAVIOUR_JOB, "Measured", "measuring behaviour", ANALYSE, "behaviour"
)
AFTER_TRACKING = (EXPORT, QC, BEHAVIOUR)  # in the order they run
BY_NAME = {step.name: step for step in STEPS + AFTER_TRACKING}


def of_rule(rule: str) -> tuple[Step, ...]:
    """The steps a rule runs, in their order (none for a batch rule)."""
    return tuple(step for step in STEPS + AFTER_TRACKING if step.rule_name == rule)
