# Paths come from workflow/scripts/layout.py; the scripts derive the session folder and the
# working directory from the wildcards the same way, so no per-job params are needed.
rule repair_settings:
    input:
        videos_input,
        settings=layout.SETTINGS,
    output:
        settings=layout.REPAIRED_SETTINGS,
    log:
        layout.log("repair_settings"),
    localrule: True
    conda:
        "../envs/idtracker-flow.yaml"
    script:
        "../scripts/repair_settings.py"


# `pixi run fix-paths`: repair and check every job's settings without tracking anything.
rule fix_paths:
    input:
        all_repaired_settings,


rule track:
    input:
        transfer_input,
        settings=layout.REPAIRED_SETTINGS,
    output:
        tracked=layout.TRACKED,
    log:
        layout.log("track"),
    benchmark:
        layout.BENCHMARK
    conda:
        "../envs/idtracker-flow.yaml"
    threads: config["threads"]
    resources:
        gpu=1,
    script:
        "../scripts/run_tracking.py"


rule copy_trajectories:
    input:
        session_trajectories_if_present,
        tracked=layout.TRACKED,
    output:
        trajectories=layout.TRAJECTORIES,
    log:
        layout.log("copy_trajectories"),
    localrule: True
    conda:
        "../envs/idtracker-flow.yaml"
    script:
        "../scripts/copy_trajectories.py"
