"""`pixi run report`: results/report.html, also on a morning when some jobs failed.

Snakemake's report needs every file marked for it; a failed job has no plots, so a plain
`snakemake --report` writes nothing then. Here the report covers the jobs that have their
quality row and plots, and its front page lists the failed ones with their reasons. A batch
of more than qc.summary.EMBEDDED_UP_TO jobs gets a lighter page of our own instead
(qc/report_page.py): Snakemake's report would hold every picture inside one file.
"""

from pathlib import Path

from idtracker_flow.cli.track import snakemake
from idtracker_flow.project import layout
from idtracker_flow.qc import report_page
from idtracker_flow.qc.summary import EMBEDDED_UP_TO, write_partial_summary
from idtracker_flow.state import facts, verdict

REPORT = "results/report.html"


def has_qc(video: str, job: str) -> bool:
    patterns = (layout.QC_ROW, layout.QC_TRAJECTORY_PLOT, layout.QC_TIMELINE_PLOT)
    return all(Path(layout.job_file(pattern, video, job)).is_file() for pattern in patterns)


def main(args: list[str]) -> int:
    project = facts.Project()
    statuses = verdict.collect(project)
    with_qc = [key for key in project.targets if has_qc(*key)]
    if not with_qc:
        print("No job has its quality row yet: run `pixi run track` first.")
        return 1
    failed = [(s.name, s.reason) for s in statuses if s.state == "failed"]
    if len(with_qc) > EMBEDDED_UP_TO:
        shown = report_page.write(Path(REPORT), with_qc, failed)
        print(
            f"Report: {REPORT} ({shown} jobs, {len(failed)} failed; it links the pictures in"
            " results/qc/plots/, so open it where it is). It opens offline in any browser."
        )
        return 0
    complete = len(with_qc) == len(project.targets) and Path(layout.QC_SUMMARY_CSV).is_file()
    targets = []
    if not complete:
        write_partial_summary(with_qc, failed)
        targets = [layout.job_file(layout.QC_ROW, *key) for key in with_qc]
        print(
            f"{len(with_qc)} of {len(project.targets)} jobs have their quality row and plots:"
            " the report shows those and lists the failed jobs."
        )
    status = snakemake("--report", REPORT, *targets, *args)
    if status == 0:
        print(f"Report: {REPORT} (one file; it opens offline in any browser).")
    return status
