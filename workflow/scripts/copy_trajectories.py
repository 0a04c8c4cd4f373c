"""Rule `copy_trajectories`: copy a session's trajectories.h5 to tracking/<video>/<job>.h5.

The copy gets a fresh modification time (not copy2) so Snakemake sees it as newer than the
session; when idtracker.ai's validator rewrites the session's file, it becomes newer again
and the copy is made anew.
"""

import sys

from idtracker_flow.project import atomic_files, layout, steps


def main(smk) -> None:
    video, job = smk.wildcards.video, smk.wildcards.job
    with open(smk.log[0], "w", encoding="utf-8") as log:
        source = layout.session_trajectories(video, job)
        if not source.is_file():
            message = (
                f"Job {layout.job_id(video, job)}: {source} is missing although the job was"
                " tracked. Run `pixi run track` again to re-track it."
            )
            print(message, file=log)
            sys.exit(1)
        atomic_files.copy_file(source, smk.output.trajectories)
        print(steps.COPY.success_line(f"{source} -> {smk.output.trajectories}"), file=log)


if __name__ == "__main__" and "snakemake" in globals():
    main(snakemake)  # noqa: F821
