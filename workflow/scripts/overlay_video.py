"""Rule `overlay_video`: a job's video with its trajectories drawn on it (`pixi run videos`),
by its tracker's own video generator."""

import sys
from pathlib import Path

from idtracker_flow import trackers
from idtracker_flow.project import layout, step_log
from idtracker_flow.project.json_files import read_json


def main(smk) -> None:
    video, job = smk.wildcards.video, smk.wildcards.job
    with step_log.open_log(smk.log[0]) as log:
        session = layout.job_path(layout.SESSION, video, job)
        tracker = trackers.for_record(read_json(smk.input.tracked))
        try:
            tracker.overlay(
                session, Path(smk.input.trajectories), Path(smk.output.video), smk.config
            )
        except Exception as error:  # the tracker's own errors, a video that moved
            said = str(error)
            if "What to do" not in said:  # a tracker's own advice (its environment) stands
                said += (
                    "\nWhat to do: check that the job's video is where its session"
                    f" ({session}) says, then run `pixi run videos` again."
                )
            print(
                f"Job {layout.job_id(video, job)}: {tracker.DISPLAY_NAME}'s video generator"
                f" failed: {said}",
                file=log,
            )
            sys.exit(1)
        print(f"Wrote {smk.output.video}", file=log)


if __name__ == "__main__" and "snakemake" in globals():
    main(snakemake)  # noqa: F821
