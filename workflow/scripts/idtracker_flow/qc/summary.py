"""results/qc/summary.csv, .parquet and .html from the per-job QC rows.

The HTML page (table, flags first, and a small picture of every job's paths) is also shown on
the front page of `pixi run report`. Up to EMBEDDED_UP_TO jobs the pictures are inside the
file. A larger batch's page links them (results/qc/plots/): the flagged jobs' pictures are
shown, each loaded as it scrolls into view, and every job's name in the table opens its own.
10,000 pictures inside one page would make it too large to open; 10,000 laid out at once,
linked, still took a browser most of the page's opening time.
"""

import base64
import html
import json
import os
from pathlib import Path

import pandas as pd

from idtracker_flow.project import atomic_files
from idtracker_flow.qc import metrics as qc_metrics

# Up to this many jobs, the page holds its pictures (and the report is Snakemake's own).
EMBEDDED_UP_TO = 200
# Columns of the HTML overview (the CSV has them all).
OVERVIEW_COLUMNS = [
    "video",
    "job",
    "tracker",
    "animals",
    "tracked_interval",
    "estimated_accuracy",
    "silhouette_score",
    "fraction_identified",
    "fraction_all_present",
    "gaps",
    "longest_gap_seconds",
    "device",
    "validated",
    "provenance",
]


def summary_table(rows: list[dict]) -> pd.DataFrame:
    table = pd.DataFrame(rows, columns=qc_metrics.COLUMNS)
    table = table.sort_values(["video", "job"], kind="stable").reset_index(drop=True)
    # Typed columns for parquet: missing numbers stay null, not the text "n/a".
    for column in qc_metrics.NUMERIC_COLUMNS:
        table[column] = pd.to_numeric(table[column], errors="coerce").astype("float64")
    for column in qc_metrics.COUNT_COLUMNS:
        table[column] = pd.to_numeric(table[column], errors="coerce").astype("Int64")
    table["validated"] = table["validated"].astype(bool)
    table["flags"] = table["flags"].fillna("")
    return table


def write_csv(table: pd.DataFrame, path: Path) -> None:
    # "n/a" where a tracker has no meaningful value (e.g. accuracy without identities).
    table.to_csv(path, index=False, na_rep="n/a")


def _cell(name: str, value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value == "":
        return "n/a"
    if name.startswith("fraction") or name == "estimated_accuracy":
        return f"{value:.2%}"
    if name == "validated":
        return "yes" if value else "no"
    if name == "silhouette_score":
        return f"{value:.3f}"
    if name == "provenance":  # a project path; this page is results/qc/summary.html
        return f'<a href="../../{html.escape(value)}">{html.escape(value)}</a>'
    return html.escape(str(value))


def _linked_cell(name: str, row, plots: dict, page_dir) -> str:
    """A cell; on a page that links its pictures, the job's name links its paths picture and
    the provenance path is a link from the page's folder."""
    if page_dir is None or row[name] in ("", "n/a") or name not in ("job", "provenance"):
        return _cell(name, row[name])
    if name == "provenance":
        target = Path(str(row[name]))
    else:
        target = plots.get((row["video"], row["job"]))
        if target is None:
            return _cell(name, row[name])
    href = html.escape(Path(os.path.relpath(target, page_dir)).as_posix())
    return f'<a href="{href}">{html.escape(str(row[name]))}</a>'


def _image(path: Path) -> str:
    data = base64.b64encode(Path(path).read_bytes()).decode()
    return f'<img src="data:image/png;base64,{data}" alt="paths" style="width:220px">'


def _linked_image(path: Path, page_dir: Path) -> str:
    """The picture as a link from the page's folder, loaded when it scrolls into view."""
    href = html.escape(Path(os.path.relpath(path, page_dir)).as_posix())
    return f'<img src="{href}" loading="lazy" alt="paths" width="220" height="220">'


def failed_html(failed: list[tuple[str, str]]) -> list[str]:
    if not failed:
        return []
    lines = [f"<p><b>{len(failed)} jobs failed</b> and are not in the table:</p><ul>"]
    lines += [f"<li><b>{html.escape(name)}</b>: {html.escape(why)}</li>" for name, why in failed]
    return [*lines, "</ul>"]


def overview_html(table: pd.DataFrame, plots: dict, failed=(), page_dir=None) -> str:
    """Summary table with flags (flagged jobs first) and thumbnails; plots maps (video, job)
    -> trajectory PNG; `failed` lists (job, reason) of the jobs that have no row. With
    `page_dir` (where the page will be), a large batch's page: the pictures are files linked
    from there, the flagged jobs' shown (loaded as they scroll into view), the others' a link
    on the job's name."""
    flagged = table[table["flags"] != ""]
    table = pd.concat([flagged, table[table["flags"] == ""]])
    lines = ['<div class="qc-summary">', "<h2>Quality of every tracked job</h2>"]
    lines += failed_html(list(failed))
    if len(flagged):
        lines.append(f"<p><b>{len(flagged)} of {len(table)} jobs need a look:</b></p><ul>")
        for _, row in flagged.iterrows():
            lines.append(
                f"<li><b>{html.escape(row['video'])}/{html.escape(row['job'])}</b>:"
                f" {html.escape(row['flags'])}</li>"
            )
        lines.append("</ul>")
    else:
        lines.append(f"<p>All {len(table)} jobs passed the thresholds in config/config.yaml.</p>")
    header = "".join(f"<th>{name.replace('_', ' ')}</th>" for name in OVERVIEW_COLUMNS)
    lines.append(
        '<table id="qc-summary-table" style="font-size:small">'
        f"<thead><tr>{header}<th>flags</th></tr></thead><tbody>"
    )
    for _, row in table.iterrows():
        cells = "".join(
            f"<td>{_linked_cell(name, row, plots, page_dir)}</td>" for name in OVERVIEW_COLUMNS
        )
        style = ' style="background:#fde0dc"' if row["flags"] else ""
        flags = html.escape(row["flags"]) or "none"
        lines.append(f'<tr{style}>{cells}<td style="min-width:20em">{flags}</td></tr>')
    lines.append("</tbody></table>")
    if page_dir is None:
        lines += ["<h3>Paths of every job</h3>", *_gallery(table, plots, _image)]
    else:
        lines += _flagged_gallery(flagged, plots, lambda plot: _linked_image(plot, page_dir))
    lines.append("</div>")
    return "\n".join(lines) + "\n"


def _gallery(table: pd.DataFrame, plots: dict, image) -> list[str]:
    lines = ['<div style="display:flex;flex-wrap:wrap;gap:8px">']
    for _, row in table.iterrows():
        plot = plots.get((row["video"], row["job"]))
        if plot and Path(plot).is_file():
            name = html.escape(f"{row['video']}/{row['job']}")
            lines.append(
                f'<figure style="margin:0">{image(plot)}<figcaption>{name}</figcaption></figure>'
            )
    return [*lines, "</div>"]


def _flagged_gallery(flagged, plots: dict, image) -> list[str]:
    """A large batch's pictures: the flagged jobs' only (a browser took most of the page's
    opening time laying out 10,000 pictures); every job's is a link in the table."""
    lines = []
    if len(flagged):
        lines += ["<h3>Paths of the jobs that need a look</h3>", *_gallery(flagged, plots, image)]
    lines.append(
        "<p>Every job's paths: click its name in the table (the pictures are in"
        " results/qc/plots/&lt;video&gt;/).</p>"
    )
    return lines


def recordings_table(summary_files) -> pd.DataFrame:
    """A row per recording (recordings/<recording>/matches.json)."""
    from idtracker_flow.recordings.quality import COLUMNS

    rows = [json.loads(Path(path).read_text()) for path in summary_files]
    return pd.DataFrame(
        [{name: row.get(name) for name in COLUMNS} for row in rows], columns=COLUMNS
    )


def recordings_html(table: pd.DataFrame) -> str:
    if table.empty:
        return ""
    header = "".join(f"<th>{name.replace('_', ' ')}</th>" for name in table.columns)
    lines = [
        '<div class="qc-recordings"><h2>Recordings: identities matched across parts</h2>',
        f'<table id="qc-recordings-table" style="font-size:small"><thead><tr>{header}</tr></thead>',
    ]
    for _, row in table.iterrows():
        style = ' style="background:#fde0dc"' if row["flags"] else ""
        cells = "".join(f"<td>{html.escape(str(value))}</td>" for value in row)
        lines.append(f"<tr{style}>{cells}</tr>")
    return "\n".join([*lines, "</table></div>"]) + "\n"


def write_summary(
    row_files,
    plot_files,
    csv_path,
    parquet_path,
    html_path,
    failed=(),
    recording_files=(),
    recordings_csv=None,
) -> pd.DataFrame:
    rows = [json.loads(Path(path).read_text()) for path in row_files]
    table = summary_table(rows)
    plots = {(row["video"], row["job"]): plot for row, plot in zip(rows, plot_files)}
    for path in (csv_path, parquet_path, html_path):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    atomic_files.write_with(csv_path, lambda partial: write_csv(table, partial))
    atomic_files.write_with(parquet_path, lambda partial: table.to_parquet(partial, index=False))
    recordings = recordings_table(recording_files)
    if recordings_csv:
        atomic_files.write_with(recordings_csv, lambda partial: write_csv(recordings, partial))
    page_dir = None if len(table) <= EMBEDDED_UP_TO else Path(html_path).parent
    page = overview_html(table, plots, failed, page_dir) + recordings_html(recordings)
    atomic_files.write_text(html_path, page)
    return table


def write_partial_summary(jobs, failed=()) -> int:
    """The batch's table from the jobs (video, job) that have a row and plots, when others
    failed: the qc_summary rule needs every job's row, so it did not run. Returns how many."""
    from idtracker_flow.project import layout

    done = [
        (row, plot)
        for row, plot in (
            (layout.job_file(layout.QC_ROW, *key), layout.job_file(layout.QC_TRAJECTORY_PLOT, *key))
            for key in jobs
        )
        if Path(row).is_file() and Path(plot).is_file()
    ]
    if done:
        write_summary(
            [row for row, _ in done],
            [plot for _, plot in done],
            layout.QC_SUMMARY_CSV,
            layout.QC_SUMMARY_PARQUET,
            layout.QC_SUMMARY_HTML,
            failed,
        )
    return len(done)
