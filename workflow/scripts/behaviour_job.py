"""Rule `behaviour_job`: a job's behaviour table and pictures (idtracker_flow.behaviour).
Everything movement and matplotlib print goes to the step's log, not the console."""

import sys
from pathlib import Path

from idtracker_flow.behaviour.job import of_job
from idtracker_flow.behaviour.zones import ArenaError
from idtracker_flow.project import layout, step_log


def main(smk) -> None:
    video, job = smk.wildcards.video, smk.wildcards.job
    with step_log.open_log(smk.log[0]) as log:
        try:
            rows = of_job(
                video,
                job,
                Path(smk.input.movement),
                Path(smk.input.settings),
                dict(smk.params.options),
                {name: Path(path) for name, path in smk.output.items()},
            )
        except ArenaError as error:
            print(f"Job {layout.job_id(video, job)}: behaviour not measured: {error}")
            sys.exit(1)
        print(f"Measured {layout.job_id(video, job)}: {len(rows)} animals", file=log)


if __name__ == "__main__" and "snakemake" in globals():
    main(snakemake)  # noqa: F821
