rule repair_settings:
    input:
        settings=layout.SETTINGS,
        videos=videos_of,
    output:
        settings=layout.REPAIRED_SETTINGS,
    log:
        layout.log("repair_settings"),
    localrule: True
    script:
        "../scripts/repair_settings.py"


# `pixi run fix-paths`: repair and check every job's settings without tracking anything.
rule fix_paths:
    input:
        all_repaired_settings(),


rule track:
    input:
        settings=layout.REPAIRED_SETTINGS,
        videos=videos_of,
        transfer=transfer_source,
    output:
        tracked=layout.TRACKED,
    log:
        layout.log("track"),
    benchmark:
        layout.BENCHMARK
    threads: config["threads"]
    resources:
        gpu=1,
    params:
        session=session_of,
        workdir=workdir_of,
    script:
        "../scripts/run_tracking.py"


rule copy_trajectories:
    input:
        tracked=layout.TRACKED,
        session=session_trajectories_if_present,
    output:
        trajectories=layout.TRAJECTORIES,
    log:
        layout.log("copy_trajectories"),
    localrule: True
    params:
        session_trajectories=session_trajectories_of,
    script:
        "../scripts/copy_trajectories.py"
