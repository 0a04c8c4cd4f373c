"""Rule `export_job`: a tracked job's movement dataset, tidy table and provenance record,
beside its trajectories in tracking/<video>/ (idtracker_flow.exports)."""

import sys
from pathlib import Path

from idtracker_flow.exports import job as export
from idtracker_flow.exports.individuals import NamesError
from idtracker_flow.project import disk_full, layout, step_log


def main(smk) -> None:
    video, job = smk.wildcards.video, smk.wildcards.job
    with step_log.open_log(smk.log[0]) as log:
        try:
            with disk_full.explained(f"Job {layout.job_id(video, job)}", smk.output[0], log):
                written = export.export_job(
                    video,
                    job,
                    Path(smk.input.trajectories),
                    Path(smk.input.tracked),
                    Path(smk.input.settings),
                    {name: Path(path) for name, path in smk.output.items()},
                    smk.params.exports,
                )
        except NamesError as error:
            print(f"Job {layout.job_id(video, job)}: {error}", file=log)
            sys.exit(1)
        for path in written:
            print(f"Wrote {path}", file=log)
        for path in export.stale_files(video, job, dict(smk.output.items())):
            path.unlink()  # made again by `pixi run export` when config asks for it again
            print(f"Removed {path}: config `exports` no longer asks for this format", file=log)
        print(f"Exported {layout.job_id(video, job)}", file=log)


if __name__ == "__main__" and "snakemake" in globals():
    main(snakemake)  # noqa: F821
