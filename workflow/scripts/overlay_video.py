"""Rule `overlay_video`: a job's video with its trajectories drawn on it (`pixi run videos`)."""

import sys
from pathlib import Path

from idtracker_flow.idtracker.overlay import write_overlay
from idtracker_flow.project import layout


def main(smk) -> None:
    video, job = smk.wildcards.video, smk.wildcards.job
    with open(smk.log[0], "w", encoding="utf-8") as log:
        session = layout.job_path(layout.SESSION, video, job)
        try:
            write_overlay(session, Path(smk.input.trajectories), Path(smk.output.video))
        except Exception as error:  # idtracker.ai's own errors, a video that moved
            print(
                f"Job {layout.job_id(video, job)}: idtracker.ai's video generator failed:"
                f" {error}\nWhat to do: check that the job's video is where"
                f" {session}/session.json says, then run `pixi run videos` again.",
                file=log,
            )
            sys.exit(1)
        print(f"Wrote {smk.output.video}", file=log)


if __name__ == "__main__" and "snakemake" in globals():
    main(snakemake)  # noqa: F821
