# Analysis-ready files of every tracked job, beside its trajectories in tracking/<video>/:
# a movement dataset, a tidy table and a provenance record (formats: `exports` in config).
# Keyed on the copy in tracking/, so they are made again after validation.


rule export_job:
    input:
        trajectories=steps.COPY.output,
        tracked=steps.TRACK.output,
        settings=steps.REPAIR.output,
    output:
        **EXPORT_OUTPUTS,
    log:
        layout.log("export_job"),
    localrule: True
    conda:
        "../envs/idtracker-flow.yaml"
    params:
        exports=config["exports"],
    script:
        "../scripts/export_job.py"


# `pixi run export`: the exports of every job tracked so far, tracking nothing new.
rule export_finished:
    input:
        finished_exports,
