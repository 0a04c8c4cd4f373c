"""Snakemake logger plugin `idtracker-flow`: the calm console of `pixi run track`.

Snakemake finds logger plugins as top-level packages named snakemake_logger_plugin_<name> on
Python's path (pkgutil.iter_modules); the launcher (idtracker_flow/cli/track.py) puts
workflow/scripts/ on PYTHONPATH and passes `--logger idtracker-flow`, so nothing is installed.
Snakemake imports this module at every start: keep the imports at the top cheap.

What a person sees, drawn by idtracker_flow.console.view; the full Snakemake output still
goes to .snakemake/log/ (and to the terminal with `--verbose`, or in a dry run).
"""

from dataclasses import dataclass, field

from snakemake_interface_logger_plugins.base import LogHandlerBase
from snakemake_interface_logger_plugins.settings import LogHandlerSettingsBase


@dataclass
class LogHandlerSettings(LogHandlerSettingsBase):
    full: bool = field(
        default=False,
        metadata={
            "help": "Show Snakemake's full output in the terminal (pixi run track --verbose)."
        },
    )


class LogHandler(LogHandlerBase):
    def __post_init__(self) -> None:
        from idtracker_flow.console.view import Console

        self.view = Console(
            dryrun=bool(self.common_settings.dryrun),
            full=bool(self.settings and self.settings.full) or bool(self.common_settings.dryrun),
            common_settings=self.common_settings,
        )

    def emit(self, record) -> None:
        try:
            self.view.handle(record)
        except Exception:  # the console must never stop the run
            self.handleError(record)

    def close(self) -> None:
        try:
            self.view.close()
        finally:
            super().close()

    @property
    def writes_to_stream(self) -> bool:
        return True

    @property
    def writes_to_file(self) -> bool:
        return False

    @property
    def has_filter(self) -> bool:
        return True

    @property
    def has_formatter(self) -> bool:
        return True

    @property
    def needs_rulegraph(self) -> bool:
        return False
