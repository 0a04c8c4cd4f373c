"""Rule `repair_settings`: a repaired copy of the job's settings file
(idtracker_flow.settings.repair); the user's file is never changed."""

import sys
from pathlib import Path

from idtracker_flow.project import step_log, steps
from idtracker_flow.settings.reader import SettingsError
from idtracker_flow.settings.repair import RepairError, repair


def main(smk) -> None:
    with step_log.open_log(smk.log[0]) as log:
        video, job = smk.wildcards.video, smk.wildcards.job
        try:
            notes = repair(
                Path(smk.input.settings),
                Path(smk.output.settings),
                video,
                job,
                smk.config["path_prefixes"],
                smk.config["video_dirs"],
                truncated_videos=smk.config["truncated_videos"],
                recordings=smk.config["recordings"],
            )
        except (RepairError, SettingsError) as error:
            message = f"{error}\n\nNothing was tracked for job {video}/{job}; the other jobs go on."
            print(message, file=log)
            sys.exit(1)
        print(steps.REPAIR.success_line(f"{smk.input.settings} -> {smk.output.settings}"), file=log)
        for note in notes:
            print(f"  {note}", file=log)


if __name__ == "__main__" and "snakemake" in globals():
    main(snakemake)  # noqa: F821
