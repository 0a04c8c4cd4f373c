"""results/report.html for a batch larger than Snakemake's report holds (qc.summary's
EMBEDDED_UP_TO jobs): one light page that opens in seconds at 10,000 jobs.

Snakemake's report puts every picture inside its one file: two per job, 20,000 at 10,000 jobs,
hundreds of megabytes a browser will not open. This page has the same front page (the failed
jobs, the flagged jobs first with their pictures, the quality table, the recordings); every
job's name links its picture in results/qc/plots/, and the batch's behaviour page and plot are
linked too. It opens offline where it lies, in results/.
"""

import html
import json
import os
from pathlib import Path

import pandas as pd

from idtracker_flow.project import atomic_files, layout
from idtracker_flow.qc import summary


def write(path: Path, jobs, failed=()) -> int:
    """The page for the jobs (video, job) that have their QC row; returns how many it shows."""
    path = Path(path)
    rows, plots = [], {}
    for key in jobs:
        row = Path(layout.job_file(layout.QC_ROW, *key))
        if row.is_file():
            rows.append(row)
            plots[key] = Path(layout.job_file(layout.QC_TRAJECTORY_PLOT, *key))
    table = summary.summary_table([json.loads(row.read_text()) for row in rows])
    parts = [
        _HEAD,
        "<h1>idtracker-flow: tracking report</h1>",
        _intro(len(table), path.parent),
        summary.overview_html(table, plots, failed, page_dir=path.parent),
        _recordings(),
        _behaviour(path.parent),
        "</body></html>",
    ]
    atomic_files.write_text(path, "\n".join(part for part in parts if part))
    return len(table)


_HEAD = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
    "<title>idtracker-flow report</title><style>"
    "body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse}"
    "td,th{border:1px solid #ccc;padding:2px 6px}th{background:#eee;position:sticky;top:0}"
    "</style></head><body>"
)


def _intro(n_jobs: int, page_dir: Path) -> str:
    csv = html.escape(os.path.relpath(layout.QC_SUMMARY_CSV, page_dir))
    return (
        f"<p>{n_jobs} tracked jobs. Fractions count the tracked frames only; the flag"
        " thresholds are under <code>qc:</code> in config/config.yaml. The full table is"
        f' <a href="{csv}">{csv}</a>. The pictures are files in results/qc/plots/: keep this'
        " page in the results folder to see them.</p>"
    )


def _recordings() -> str:
    csv = Path(layout.QC_RECORDINGS_CSV)
    if not csv.is_file() or csv.stat().st_size == 0:
        return ""
    try:
        table = pd.read_csv(csv, keep_default_na=False)
    except (OSError, pd.errors.EmptyDataError):
        return ""
    return summary.recordings_html(table)


def _behaviour(page_dir: Path) -> str:
    page, plot = Path(layout.BEHAVIOUR_SUMMARY_HTML), Path(layout.BEHAVIOUR_SUMMARY_PLOT)
    if not page.is_file():
        return ""
    href = html.escape(os.path.relpath(page, page_dir))
    lines = ["<h2>Behaviour</h2>", f'<p>Every animal\'s measures: <a href="{href}">{href}</a>.</p>']
    if plot.is_file():
        src = html.escape(os.path.relpath(plot, page_dir))
        lines.append(f'<img src="{src}" loading="lazy" alt="behaviour by group" width="640">')
    return "\n".join(lines)
