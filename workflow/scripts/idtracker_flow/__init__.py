"""idtracker-flow: batch tracking of animal videos with idtracker.ai, driven by Snakemake.

The package, by concern (DEVELOPERS.md has the map):
    project    paths, configuration, jobs, the table of pipeline steps, atomic file writes
    settings   reading, repairing and checking idtracker.ai settings files
    idtracker  everything that knows idtracker.ai's files, logs, command and exit status
    tracking   running idtracker.ai for one job: the process, GPU slots, the run lock
    state      where every job stands (`pixi run status`)
    qc         the quality row and plots of a job, the table of the batch
    cli        one thin module per user command (`workflow/scripts/flow.py` dispatches)
    demo       the synthetic video and its ground truth
"""

__version__ = "0.2.0"
