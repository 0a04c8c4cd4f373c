"""How the launcher starts Snakemake with the calm console (the logger plugin)."""

import os
import sys
from pathlib import Path

PLUGIN = "idtracker-flow"
VERBOSE = "--verbose"
# Set for Snakemake when the console draws: the Snakefile's end-of-run list of failed jobs is
# then left to the console (it printed each as it happened and lists them at the end).
CONSOLE_ON = "IDTRACKER_FLOW_CONSOLE"
# workflow/scripts/: the plugin package snakemake_logger_plugin_idtracker_flow and the
# idtracker_flow package it uses (this file is workflow/scripts/idtracker_flow/console/).
SCRIPTS = Path(__file__).resolve().parents[2]


def snakemake_command(args: list[str] | tuple[str, ...]) -> list[str]:
    """How to start Snakemake: through console/snakemake_cli.py, which leaves out the profile
    line Snakemake prints before the console exists; with --verbose, Snakemake as it is."""
    module = "snakemake" if VERBOSE in args else "idtracker_flow.console.snakemake_cli"
    return [sys.executable, "-m", module]


def logger_args(args: list[str] | tuple[str, ...]) -> list[str]:
    """The user's arguments, then Snakemake's for the console (last: `--logger` takes one or
    more words, and would take the user's targets). `--verbose` asks for Snakemake's full
    output in the terminal (Snakemake's own --verbose adds debugging lines nobody needs here,
    so it is not passed on)."""
    full = VERBOSE in args
    chosen = ["--logger", PLUGIN] + ([f"--logger-{PLUGIN}-full"] if full else [])
    return [arg for arg in args if arg != VERBOSE] + chosen


def environment(args: list[str] | tuple[str, ...] = ()) -> dict[str, str]:
    """This process's environment with workflow/scripts/ on PYTHONPATH, where Snakemake looks
    for logger plugins (installed packages named snakemake_logger_plugin_<name>)."""
    paths = [str(SCRIPTS)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
    if VERBOSE not in args:
        environment[CONSOLE_ON] = "1"
    return environment
