"""Rule `copy_trajectories`: copy a session's result file (the tracker's RESULT_IN_SESSION, in
that tracker's own format) to tracking/<video>/<job>.h5.

The copy gets a fresh modification time (not copy2) so Snakemake sees it as newer than the
session; when idtracker.ai's validator rewrites the session's file, it becomes newer again
and the copy is made anew.
"""

import sys
from pathlib import Path

from idtracker_flow import trackers
from idtracker_flow.project import atomic_files, disk_full, layout, step_log, steps
from idtracker_flow.project.json_files import read_json


def main(smk) -> None:
    video, job = smk.wildcards.video, smk.wildcards.job
    with step_log.open_log(smk.log[0]) as log:
        tracker = trackers.for_record(read_json(smk.input.tracked))
        source = layout.job_path(layout.SESSION, video, job) / tracker.RESULT_IN_SESSION
        check = tracker.result_problem
        job_name = layout.job_id(video, job)
        if not source.is_file():
            message = (
                f"Job {job_name}: {source} is missing although the job was"
                " tracked. Run `pixi run track` again to re-track it."
            )
            print(message, file=log)
            sys.exit(1)
        # A damaged session file never replaces a good copy in tracking/; the copy is read
        # too before it replaces anything (a disk that fills up while copying).
        try:
            if problem := check(source):
                raise atomic_files.BadContent(problem)
            with disk_full.explained(f"Job {job_name}", smk.output.trajectories, log):
                atomic_files.copy_file(source, smk.output.trajectories, check=check)
                copy_beside(tracker, source.parent, Path(smk.output.trajectories), log)
        except atomic_files.BadContent as problem:
            print(
                f"Job {job_name}: {problem}; {smk.output.trajectories} was left as it was."
                f"\nWhat to do: if you edited the session (validator), open it again and save;"
                f" to track the job again, move {source.parents[1]} aside and run"
                " `pixi run track`.",
                file=log,
            )
            sys.exit(1)
        print(steps.COPY.success_line(f"{source} -> {smk.output.trajectories}"), file=log)


def copy_beside(tracker, session: Path, copy: Path, log) -> None:
    """The tracker's further results (DeepLabCut's filtered tracks) beside the copy; one the
    session no longer has (the job no longer asks for it) is removed, not left stale."""
    for name, suffix in tracker.RESULTS_BESIDE.items():
        target = copy.with_name(copy.stem + suffix)
        if (session / name).is_file():
            atomic_files.copy_file(session / name, target, check=tracker.result_problem)
            print(f"Copied {session / name} -> {target}", file=log)
        elif target.exists():
            target.unlink()
            print(f"Removed {target}: the session has no {name} now.", file=log)


if __name__ == "__main__" and "snakemake" in globals():
    main(snakemake)  # noqa: F821
