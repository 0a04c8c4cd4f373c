# Everything made from one tracked job, in one light step (one process, not three): its
# analysis files (a movement dataset, a tidy table and a provenance record, formats from
# `exports` in config), its QC row and two plots, and its behaviour table and pictures
# (config `behaviour`). Keyed on the copy in tracking/ (made again when the validator
# rewrites the session), so all of it follows a job's validation. Each part keeps its own
# log (project/steps.py); every output is flagged update(): when a part fails, the step
# fails and Snakemake puts the previous good files back.


rule analyse_job:
    input:
        session_facts_if_present,
        trajectories=steps.COPY.output,
        tracked=steps.TRACK.output,
        settings=steps.REPAIR.output,
        options=analysis_options,
    output:
        **{name: update(path) for name, path in EXPORT_OUTPUTS.items()},
        **{name: update(path) for name, path in BEHAVIOUR_JOB_OUTPUTS.items()},
        row=update(layout.QC_ROW),
        trajectory_plot=update(
            report(
                layout.QC_TRAJECTORY_PLOT,
                caption="../report/trajectories.rst",
                category="{video}",
                subcategory="{job}",
                labels={"job": "{job}", "figure": "paths"},
            )
        ),
        timeline_plot=update(
            report(
                layout.QC_TIMELINE_PLOT,
                caption="../report/timeline.rst",
                category="{video}",
                subcategory="{job}",
                labels={"job": "{job}", "figure": "timeline"},
            )
        ),
    log:
        **{step.part: step.log for step in steps.AFTER_TRACKING},
    # Where Snakemake runs; on a cluster, with the job's copy, as one small SLURM job after its
    # tracking job (the group `analysis` of workflow/profiles/slurm).
    localrule: True
    conda:
        "../envs/idtracker-flow.yaml"
    params:
        exports=config["exports"],
        thresholds=config["qc"],
        behaviour=lambda wildcards: (
            behaviour_options.of(config, wildcards.video) if BEHAVIOUR_ON else None
        ),
    script:
        "../scripts/analyse_job.py"
