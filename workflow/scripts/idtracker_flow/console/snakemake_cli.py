"""Snakemake's own command line, less the line it prints before any logger exists.

`python -m idtracker_flow.console.snakemake_cli ARGS` is `python -m snakemake ARGS`, except
that "Using workflow specific profile ... for setting default command line arguments." is not
printed: Snakemake prints it with print() while reading its arguments, before the console (the
logger plugin) is there to keep the screen calm. Anything else it prints then (a wrong option,
--help) still reaches the terminal.
"""

import contextlib
import io
import sys

PROFILE_NOTE = "for setting default command line arguments."


def _quiet(parse_args):
    def parse_quietly(argv):
        said = io.StringIO()
        try:
            with contextlib.redirect_stderr(said):
                return parse_args(argv)
        finally:
            kept = [line for line in said.getvalue().splitlines(True) if PROFILE_NOTE not in line]
            sys.stderr.write("".join(kept))

    return parse_quietly


def main() -> None:
    from snakemake import cli

    cli.parse_args = _quiet(cli.parse_args)
    cli.main()


if __name__ == "__main__":
    main()
