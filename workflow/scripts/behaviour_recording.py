"""Rule `behaviour_recording`: a recording's behaviour table (per part and all parts) and
pictures (idtracker_flow.behaviour). Libraries' output goes to the step's log."""

import sys
from pathlib import Path

from idtracker_flow.behaviour.job import of_recording
from idtracker_flow.behaviour.zones import ArenaError
from idtracker_flow.project import step_log


def main(smk) -> None:
    recording = smk.wildcards.recording
    with step_log.open_log(smk.log[0]) as log:
        try:
            rows = of_recording(
                recording,
                Path(smk.input.movement),
                {part: Path(path) for part, path in smk.params.parts.items()},
                dict(smk.params.options),
                {name: Path(path) for name, path in smk.output.items()},
            )
        except ArenaError as error:
            print(f"Recording {recording}: behaviour not measured: {error}")
            sys.exit(1)
        print(f"Measured recording {recording}: {len(rows)} rows", file=log)


if __name__ == "__main__" and "snakemake" in globals():
    main(snakemake)  # noqa: F821
