"""Rule `behaviour_summary`: the batch's behaviour table with the lab's metadata, its page
and the plot across the batch (idtracker_flow.behaviour.summary)."""

import sys
from pathlib import Path

from idtracker_flow.behaviour import summary
from idtracker_flow.behaviour.metadata import MetadataError
from idtracker_flow.project import step_log


def main(smk) -> None:
    with step_log.open_log(smk.log[0]) as log:
        try:
            table, problems = summary.build(
                [Path(path) for path in smk.input.tables], smk.params.metadata or None
            )
        except MetadataError as error:
            print(error)
            sys.exit(1)
        notes = summary.write(
            table,
            problems,
            {name: Path(path) for name, path in smk.output.items()},
            smk.params.measure,
            smk.params.group_by,
        )
        for note in notes:
            print(f"Note: {note}", file=log)
        print(f"Summarised behaviour: {len(table)} rows in {smk.output.csv}", file=log)


if __name__ == "__main__" and "snakemake" in globals():
    main(snakemake)  # noqa: F821
