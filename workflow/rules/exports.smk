# The analysis files of every tracked job are written by rule analyse_job (rules/analysis.smk).


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
