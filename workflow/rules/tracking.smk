# Each rule's output and log come from the step table (idtracker_flow/project/steps.py), which
# status reads too; the scripts derive the session folder and the working directory from the
# wildcards the same way, so no per-job params are needed.
rule repair_settings:
    input:
        videos_input,
        settings=layout.SETTINGS,
    output:
        settings=steps.REPAIR.output,
    log:
        steps.REPAIR.log,
    localrule: True
    conda:
        "../envs/idtracker-flow.yaml"
    script:
        "../scripts/repair_settings.py"


# `pixi run fix-paths`: repair and check every job's settings without tracking anything.
rule fix_paths:
    input:
        all_repaired_settings,


# The tracker the settings name (tracker = "..."; idtracker.ai when none), same slots for all.
rule track:
    input:
        tracker_inputs,
        settings=steps.REPAIR.output,
    output:
        tracked=steps.TRACK.output,
    log:
        steps.TRACK.log,
    benchmark:
        layout.BENCHMARK
    # A failure another attempt can fix is retried (run_tracking.py stops one that cannot);
    # tracking_attempt only tells the script which attempt it is.
    retries: config["retries"]
    conda:
        "../envs/idtracker-flow.yaml"
    # threads: auto is sized by `pixi run track` (--set-threads); elsewhere (a cluster) 4.
    threads: TRACK_THREADS
    resources:
        gpu=1,
        tracking_attempt=lambda wildcards, attempt: attempt,
    script:
        "../scripts/run_tracking.py"


rule copy_trajectories:
    input:
        session_result_if_present,
        tracked=steps.TRACK.output,
    output:
        # update(): Snakemake keeps the previous copy aside while the step runs and puts it
        # back when the step fails, so a damaged session file never costs the good copy.
        trajectories=update(steps.COPY.output),
    log:
        steps.COPY.log,
    localrule: True
    conda:
        "../envs/idtracker-flow.yaml"
    script:
        "../scripts/copy_trajectories.py"
