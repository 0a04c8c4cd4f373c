"""Rule `qc_summary`: the quality table of the batch (idtracker_flow.qc.summary)."""

from idtracker_flow.project import step_log
from idtracker_flow.qc.summary import write_summary


def main(smk) -> None:
    with step_log.open_log(smk.log[0]) as log:
        table = write_summary(
            smk.input.rows,
            smk.input.trajectory_plots,
            smk.output.csv,
            smk.output.parquet,
            smk.output.html,
            recording_files=smk.input.recordings,
            recordings_csv=smk.output.recordings_csv,
        )
        flagged = int((table["flags"] != "").sum())
        print(f"{len(table)} jobs, {flagged} flagged. Table: {smk.output.csv}", file=log)


if __name__ == "__main__" and "snakemake" in globals():
    main(snakemake)  # noqa: F821
