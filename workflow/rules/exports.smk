# Analysis-ready files of every tracked job, beside its trajectories in tracking/<video>/:
# a movement dataset, a tidy table and a provenance record (formats: `exports` in config).
# Keyed on the copy in tracking/, so they are made again after validation.


rule export_job:
    input:
        trajectories=steps.COPY.output,
        tracked=steps.TRACK.output,
        settings=steps.REPAIR.output,
    output:
        # update(): a failed export puts the previous good files back (Snakemake would
        # otherwise delete them); the export step replaces each only once it is complete.
        **{name: update(path) for name, path in EXPORT_OUTPUTS.items()},
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


# On request only (`pixi run videos`): the video with the trajectories drawn on it.
rule overlay_video:
    input:
        trajectories=steps.COPY.output,
        tracked=steps.TRACK.output,
    output:
        video=layout.OVERLAY_VIDEO,
    log:
        layout.log("overlay_video"),
    conda:
        "../envs/idtracker-flow.yaml"
    threads: 2
    script:
        "../scripts/overlay_video.py"
