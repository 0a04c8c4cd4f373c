"""Rule `track`: track one job with idtracker.ai (idtracker_flow.tracking.run)."""

import sys
from pathlib import Path

from idtracker_flow.project import layout, steps
from idtracker_flow.tracking.run import TrackingFailed, track, write_record


def main(smk) -> None:
    video, job = smk.wildcards.video, smk.wildcards.job
    session = layout.job_path(layout.SESSION, video, job)
    with open(smk.log[0], "w", encoding="utf-8", buffering=1) as log:
        try:
            record = track(
                smk.input.settings,
                session,
                layout.job_path(layout.WORKDIR, video, job),
                layout.job_id(video, job),
                Path(smk.output.tracked),
                log,
                device=smk.config["device"],
                threads=smk.threads,
                data_policy=smk.config["data_policy"],
                command=smk.config["idtrackerai_command"],
                gpus=smk.config["gpus"],
                jobs_per_gpu=smk.config["jobs_per_gpu"],
            )
        except TrackingFailed as error:
            print(f"\n{error}", file=log)
            sys.exit(1)
        write_record(Path(smk.output.tracked), record)
        print(steps.TRACK.success_line(str(session)), file=log)


if __name__ == "__main__" and "snakemake" in globals():
    main(snakemake)  # noqa: F821
