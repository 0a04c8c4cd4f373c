"""The terminal tests' judge (tests/terminal.py): the console's lines pass, other programs'
lines, as they were seen in the console before they went to the steps' logs, do not."""

from terminal import foreign_lines

BATCH = "0 done, 0 failed, 1 running, 0 waiting of 1 tracking jobs | 3 min elapsed | 2 min left"
OURS = [
    "No NVIDIA GPU to share: one tracking job at a time, 2 threads.",
    "Tracking 2 jobs. Snakemake's full output: .snakemake/log/ (or `pixi run track --verbose`).",
    BATCH,
    "  fish1/fish1-00  identification, 2 min",
    "  matching fish1 (part 2 of 2), 14 s",
    "idtracker-flow run finished: 2 done, 0 failed of 2 jobs in 9 min",
    "Recordings:",
    "  fish1: matched: 2 parts, 300 frames, confidence [0.98, 0.97]",
    "EXIT=0",
]
FOREIGN = [
    "WARNING:root:[bold red]No graphic device was found available[/], running neural networks",
    "Reading list_of_fragments.json ━━━━━━━━━━━━━━━━ 100% 0:00:00",
    "Using workflow specific profile workflow/profiles/default for setting default command line",
    "localrule qc_job:",
    "rule track:",
    "    jobid: 3",
    "/usr/lib/python3/site-packages/torch/utils/data/dataloader.py:431: UserWarning: This",
]


def test_our_lines_pass_and_other_programs_lines_do_not():
    assert foreign_lines(["\n".join(OURS + ["2 min left"])]) == []
    assert foreign_lines(["\n".join(OURS + FOREIGN)]) == sorted(line.rstrip() for line in FOREIGN)
