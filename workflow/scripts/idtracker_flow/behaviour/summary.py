"""The batch's behaviour table (results/behaviour/summary.csv and .parquet: one row per animal
per job or recording part, with the lab's metadata), a sortable HTML page of it and a plot of
one measure across the batch, grouped by a metadata column."""

from __future__ import annotations

import html
from pathlib import Path

from idtracker_flow.behaviour import metadata
from idtracker_flow.project import atomic_files

FIRST_COLUMNS = ["video", "job", "recording", "part", "individual"]


def build(tables: list[Path], sheet_path: str | None):
    """The rows of every table, and the metadata problems (empty without a sheet)."""
    import pandas as pd

    frames = [pd.read_csv(path, dtype={"video": str, "job": str, "recording": str, "part": str})
              for path in tables]  # fmt: skip
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=FIRST_COLUMNS)
    for column in FIRST_COLUMNS:
        table[column] = table[column].fillna("") if column in table else ""
    table = table[FIRST_COLUMNS + [c for c in table.columns if c not in FIRST_COLUMNS]]
    problems = []
    if sheet_path:
        table, problems = metadata.join(table, metadata.read(Path(sheet_path)), sheet_path)
    return table, problems


def write(table, problems: list[str], outputs: dict[str, Path], measure: str, group_by: str):
    atomic_files.write_with(outputs["csv"], lambda p: table.to_csv(p, index=False))
    atomic_files.write_with(outputs["parquet"], lambda p: table.to_parquet(p, index=False))
    notes = list(problems)
    if measure not in table.columns:
        notes.append(f"behaviour: plot_measure: {measure} is no column of the table.")
    group = group_by if group_by in table.columns else "video"
    if group_by and group_by not in table.columns:
        notes.append(f"behaviour: group_by: {group_by} is no column (grouped by video instead).")
    atomic_files.write_text(outputs["html"], page(table, notes))
    atomic_files.write_with(outputs["plot"], lambda p: group_plot(table, measure, group, p))
    return notes


def page(table, notes: list[str]) -> str:
    """One self-contained page: the problems first, then the table; a click on a column's
    heading sorts by it."""
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in table.columns)
    body = "\n".join(
        "<tr>" + "".join(f"<td>{_cell(v)}</td>" for v in row) + "</tr>"
        for row in table.itertuples(index=False)
    )
    warnings = "".join(f"<li>{html.escape(n)}</li>" for n in notes)
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>Behaviour</title>
<style>body{{font-family:sans-serif}} table{{border-collapse:collapse;font-size:12px}}
td,th{{border:1px solid #ccc;padding:2px 6px;text-align:right}} th{{cursor:pointer;background:#eee}}
.problems{{color:#a00}}</style></head><body>
<h1>Behaviour: {len(table)} rows (one per animal per job or recording part)</h1>
{f'<ul class="problems">{warnings}</ul>' if notes else ""}
<p>Click a column's heading to sort by it. The same table: summary.csv, summary.parquet.</p>
<table id="t"><thead><tr>{head}</tr></thead><tbody>
{body}
</tbody></table>
<script>
document.querySelectorAll("#t th").forEach((th, i) => th.onclick = () => {{
  const rows = [...document.querySelectorAll("#t tbody tr")];
  const up = th.dataset.up = th.dataset.up === "1" ? "0" : "1";
  const key = r => {{ const t = r.cells[i].textContent; const n = parseFloat(t);
    return isNaN(n) ? t : n; }};
  rows.sort((a, b) => {{ const x = key(a), y = key(b);
    return (x > y ? 1 : x < y ? -1 : 0) * (up === "1" ? 1 : -1); }});
  rows.forEach(r => r.parentNode.appendChild(r));
}});
</script></body></html>
"""


def _cell(value) -> str:
    if isinstance(value, float):
        return "" if value != value else f"{value:.4g}"
    return html.escape(str(value))


def group_plot(table, measure: str, group: str, path) -> None:
    """The chosen measure per animal (jobs, and recordings' pooled rows), a box per group."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = table[table["part"].isin(["", "all"])] if "part" in table else table
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=100)
    if measure in rows.columns and len(rows):
        groups = sorted(rows[group].fillna("(none)").astype(str).unique())
        values = [
            rows.loc[rows[group].fillna("(none)").astype(str) == g, measure]
            .dropna()
            .to_numpy(float)
            for g in groups
        ]
        ax.boxplot(values, tick_labels=groups, showfliers=False)
        for i, v in enumerate(values, start=1):
            ax.scatter([i] * len(v), v, s=10, color="black", zorder=3)
        ax.set_ylabel(measure)
        ax.set_xlabel(group)
        if len(groups) > 8:
            ax.tick_params(axis="x", labelrotation=60)
    else:
        ax.text(0.5, 0.5, f"no values of {measure}", ha="center", va="center")
    ax.set_title(f"{measure} per animal, by {group}")
    fig.tight_layout()
    fig.savefig(path, format="png")
    plt.close(fig)


def write_partial(tables: list[str], sheet: str | None, measure: str, group_by: str) -> int:
    """The batch's table from the jobs and recordings measured so far, when others failed
    (the behaviour_summary rule needs them all, so it did not run). Returns how many."""
    from idtracker_flow.project import layout

    found = [Path(path) for path in tables if Path(path).is_file()]
    if not found:
        return 0
    table, problems = build(found, sheet)
    outputs = {
        "csv": Path(layout.BEHAVIOUR_SUMMARY_CSV),
        "parquet": Path(layout.BEHAVIOUR_SUMMARY_PARQUET),
        "html": Path(layout.BEHAVIOUR_SUMMARY_HTML),
        "plot": Path(layout.BEHAVIOUR_SUMMARY_PLOT),
    }
    missing = len(tables) - len(found)
    note = (
        f"{missing} of {len(tables)} jobs and recordings are not measured yet (failed or waiting)"
    )
    write(table, [note, *problems], outputs, measure, group_by)
    return len(found)
