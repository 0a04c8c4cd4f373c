# The like-for-like baseline of bench/dag: our three tracking rules and the analysis rule with the same directives
# (named files, script, log, benchmark, conda, threads, resources), the same glob and the same
# files (bench/dag puts each job's video at videos/<job>.avi), but every input a plain pattern.
# What remains between it and our workflow is what finding the jobs, parsing their settings,
# looking up videos and knowledge-transfer edges cost: our input functions.
# Run from a copy of the project (the script paths are ours; a dry run only checks they exist).
VIDEOS, JOBS = glob_wildcards("settings/{video}/{job}.toml")


wildcard_constraints:
    video=r"[^/\\]+",
    job=r"[^/\\]+",


rule all:
    input:
        expand("tracking/{video}/{job}.h5", zip, video=VIDEOS, job=JOBS),
        expand("tracking/{video}/{job}.provenance.json", zip, video=VIDEOS, job=JOBS),


rule repair_settings:
    input:
        settings="settings/{video}/{job}.toml",
        videos="videos/{job}.avi",
    output:
        settings="results/settings/{video}/{job}.toml",
    log:
        "results/logs/repair_settings/{video}/{job}.log",
    localrule: True
    conda:
        "workflow/envs/idtracker-flow.yaml"
    script:
        "workflow/scripts/repair_settings.py"


rule track:
    input:
        settings="results/settings/{video}/{job}.toml",
    output:
        tracked="results/sessions/{video}/{job}.tracked.json",
    log:
        "results/logs/track/{video}/{job}.log",
    benchmark:
        "results/benchmarks/track/{video}/{job}.tsv"
    retries: 1
    conda:
        "workflow/envs/idtracker-flow.yaml"
    threads: 1
    resources:
        gpu=1,
        tracking_attempt=lambda wildcards, attempt: attempt,
    script:
        "workflow/scripts/run_tracking.py"


rule copy_trajectories:
    input:
        tracked="results/sessions/{video}/{job}.tracked.json",
    output:
        trajectories=update("tracking/{video}/{job}.h5"),
    log:
        "results/logs/copy_trajectories/{video}/{job}.log",
    localrule: True
    conda:
        "workflow/envs/idtracker-flow.yaml"
    script:
        "workflow/scripts/copy_trajectories.py"


rule analyse_job:
    input:
        trajectories="tracking/{video}/{job}.h5",
        tracked="results/sessions/{video}/{job}.tracked.json",
        settings="results/settings/{video}/{job}.toml",
    output:
        movement="tracking/{video}/{job}.movement.nc",
        tidy_parquet="tracking/{video}/{job}.tidy.parquet",
        provenance="tracking/{video}/{job}.provenance.json",
        row="results/qc/jobs/{video}/{job}.json",
        trajectory_plot="results/qc/plots/{video}/{job}.trajectories.png",
        timeline_plot="results/qc/plots/{video}/{job}.timeline.png",
        table="results/behaviour/jobs/{video}/{job}.csv",
        occupancy="results/behaviour/plots/{video}/{job}.occupancy.png",
        speed="results/behaviour/plots/{video}/{job}.speed.png",
    log:
        "results/logs/analyse_job/{video}/{job}.log",
    localrule: True
    conda:
        "workflow/envs/idtracker-flow.yaml"
    params:
        exports={"movement": True},
    script:
        "workflow/scripts/analyse_job.py"
