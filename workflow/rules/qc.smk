# Quality control: a row and two plots per tracked job, one table for the batch.
# Keyed on the copy in tracking/ (re-made when the validator rewrites the session), so the
# QC of a job follows its validation.


rule qc_job:
    input:
        session_facts_if_present,
        trajectories=steps.COPY.output,
        tracked=steps.TRACK.output,
    output:
        row=layout.QC_ROW,
        trajectory_plot=report(
            layout.QC_TRAJECTORY_PLOT,
            caption="../report/trajectories.rst",
            category="{video}",
            subcategory="{job}",
            labels={"job": "{job}", "figure": "paths"},
        ),
        timeline_plot=report(
            layout.QC_TIMELINE_PLOT,
            caption="../report/timeline.rst",
            category="{video}",
            subcategory="{job}",
            labels={"job": "{job}", "figure": "timeline"},
        ),
    log:
        layout.log("qc_job"),
    localrule: True
    conda:
        "../envs/idtracker-flow.yaml"
    params:
        thresholds=config["qc"],
    script:
        "../scripts/qc_job.py"


rule qc_summary:
    input:
        rows=all_qc_rows,
        trajectory_plots=all_qc_trajectory_plots,
        recordings=all_recordings,
    output:
        csv=report(
            layout.QC_SUMMARY_CSV,
            caption="../report/summary.rst",
            category="Quality summary",
            labels={"table": "summary (CSV)"},
        ),
        parquet=layout.QC_SUMMARY_PARQUET,
        recordings_csv=layout.QC_RECORDINGS_CSV,
        html=report(
            layout.QC_SUMMARY_HTML,
            caption="../report/summary.rst",
            category="Quality summary",
            labels={"table": "summary with flags"},
        ),
    log:
        layout.QC_SUMMARY_LOG,
    localrule: True
    conda:
        "../envs/idtracker-flow.yaml"
    script:
        "../scripts/qc_summary.py"
