# Behaviour (config `behaviour`): per animal, how far and how fast it moved, how much of the
# time, where in the arena, how close to the others, from each movement dataset: a job's in
# rule analyse_job (rules/analysis.smk), a recording's here. A changed behaviour setting
# remakes these files (the options files, rules/common.smk), never the tracking. Outputs are
# flagged update(): a failed step puts the previous good files back.


rule behaviour_recording:
    input:
        unpack(behaviour_recording_inputs),
        movement=layout.RECORDING_MOVEMENT,
    output:
        table=update(layout.BEHAVIOUR_RECORDING),
        occupancy=update(layout.BEHAVIOUR_RECORDING_OCCUPANCY),
        speed=update(layout.BEHAVIOUR_RECORDING_SPEED),
    log:
        layout.BEHAVIOUR_RECORDING_LOG,
    localrule: True
    conda:
        "../envs/idtracker-flow.yaml"
    params:
        options=lambda wildcards: behaviour_options.of(config, wildcards.recording),
        parts=lambda wildcards: {
            layout.job_id(*key): steps.REPAIR.output_of(*key)
            for key in RECORDINGS[wildcards.recording]
        },
    script:
        "../scripts/behaviour_recording.py"


rule behaviour_summary:
    input:
        tables=all_behaviour_tables,
        metadata=metadata_sheet,
    output:
        csv=layout.BEHAVIOUR_SUMMARY_CSV,
        parquet=layout.BEHAVIOUR_SUMMARY_PARQUET,
        html=report(
            layout.BEHAVIOUR_SUMMARY_HTML,
            caption="../report/behaviour.rst",
            category="Behaviour",
            labels={"table": "behaviour per animal"},
        ),
        plot=report(
            layout.BEHAVIOUR_SUMMARY_PLOT,
            caption="../report/behaviour.rst",
            category="Behaviour",
            labels={"table": "one measure across the batch"},
        ),
    log:
        layout.BEHAVIOUR_SUMMARY_LOG,
    localrule: True
    conda:
        "../envs/idtracker-flow.yaml"
    params:
        metadata=config["metadata"],
        measure=config["behaviour"]["plot_measure"],
        group_by=config["behaviour"]["group_by"],
    script:
        "../scripts/behaviour_summary.py"
