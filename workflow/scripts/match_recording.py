"""Rule `match_recording`: one recording's parts matched by appearance (idmatcher.ai) and,
where parts follow each other in time, by position at the cut; relabelled and joined
(idtracker_flow.recordings)."""

import sys
from pathlib import Path

from idtracker_flow.exports.individuals import NamesError
from idtracker_flow.project import step_log
from idtracker_flow.recordings.recording import RecordingFailed, match_recording
from idtracker_flow.recordings.state import NOT_MATCHED, SUCCESS


def main(smk) -> None:
    recording = smk.wildcards.recording
    with step_log.open_log(smk.log[0]) as log:
        try:
            row = match_recording(
                recording,
                [tuple(member) for member in smk.params.members],
                smk.params.options,
                smk.params.exports,
                {name: Path(path) for name, path in smk.output.items()},
                log,
            )
        except (RecordingFailed, NamesError) as error:
            print(f"Recording {recording} {NOT_MATCHED}\n{error}", file=log)
            sys.exit(1)
        print(f"{SUCCESS} {recording}: {row['parts']} parts, {row['frames']} frames,", file=log)
        print(f"  confidence per identity {row['confidence_per_identity']}", file=log)
        print(f"  decided by: {row['decided_by']}", file=log)
        if row["flags"]:
            print(f"  flagged: {row['flags']}", file=log)


if __name__ == "__main__" and "snakemake" in globals():
    main(snakemake)  # noqa: F821
