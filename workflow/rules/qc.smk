# Quality control: one table for the batch, from each job's row and plots (rule analyse_job,
# rules/analysis.smk).


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
