"""The calm console of a run: what `pixi run track` shows, and the notice at its end.

Pure logic, unit-tested; the Snakemake logger plugin
(workflow/scripts/snakemake_logger_plugin_idtracker_flow/) only feeds Snakemake's log
records to it and draws the lines.
"""
