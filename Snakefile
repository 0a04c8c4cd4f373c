# idtracker-flow: every settings file at settings/<video>/<job>.toml is tracked by idtracker.ai,
# its trajectories are copied to tracking/<video>/<job>.h5, and results/qc/ says how well.
# Run it with `pixi run track` (the default profile: one tracking job per GPU, keep going).
from snakemake.utils import min_version

min_version("9.0")


configfile: "config/config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/tracking.smk"
include: "workflow/rules/qc.smk"


rule all:
    default_target: True
    input:
        all_trajectories,
        layout.QC_SUMMARY_CSV,


onstart:
    record_run()


onsuccess:
    forget_run()


onerror:
    forget_run()
    write_partial_qc_summary()


# Tracking only, without the quality steps: `pixi run track trajectories`.
rule trajectories:
    input:
        all_trajectories,


# `pixi run copy`: refresh tracking/ from the sessions already tracked (e.g. after
# validation), without tracking anything new.
rule copy_all:
    input:
        finished_trajectories,
