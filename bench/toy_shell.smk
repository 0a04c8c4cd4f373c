# The bare baseline of bench/dag: four rules per settings file with the same glob and the same
# outputs as the real workflow, shell commands and plain patterns only (Snakemake's least cost).
VIDEOS, JOBS = glob_wildcards("settings/{video}/{job}.toml")


wildcard_constraints:
    video=r"[^/]+",
    job=r"[^/]+",


rule all:
    input:
        expand("tracking/{video}/{job}.h5", zip, video=VIDEOS, job=JOBS),
        expand("tracking/{video}/{job}.provenance.json", zip, video=VIDEOS, job=JOBS),


rule repair_settings:
    input:
        "settings/{video}/{job}.toml",
    output:
        "results/settings/{video}/{job}.toml",
    log:
        "results/logs/repair_settings/{video}/{job}.log",
    shell:
        "cp {input} {output}"


rule track:
    input:
        "results/settings/{video}/{job}.toml",
    output:
        "results/sessions/{video}/{job}.tracked.json",
    log:
        "results/logs/track/{video}/{job}.log",
    resources:
        gpu=1,
    shell:
        "cp {input} {output}"


rule copy_trajectories:
    input:
        "results/sessions/{video}/{job}.tracked.json",
    output:
        "tracking/{video}/{job}.h5",
    log:
        "results/logs/copy_trajectories/{video}/{job}.log",
    shell:
        "cp {input} {output}"


rule analyse_job:
    input:
        "tracking/{video}/{job}.h5",
    output:
        "tracking/{video}/{job}.movement.nc",
        "tracking/{video}/{job}.tidy.parquet",
        "tracking/{video}/{job}.provenance.json",
        "results/qc/jobs/{video}/{job}.json",
        "results/qc/plots/{video}/{job}.trajectories.png",
        "results/qc/plots/{video}/{job}.timeline.png",
        "results/behaviour/jobs/{video}/{job}.csv",
        "results/behaviour/plots/{video}/{job}.occupancy.png",
        "results/behaviour/plots/{video}/{job}.speed.png",
    log:
        "results/logs/analyse_job/{video}/{job}.log",
    shell:
        "touch {output}"
