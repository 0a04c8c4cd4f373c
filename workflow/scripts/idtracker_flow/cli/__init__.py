"""The user commands, one module each, run by `python workflow/scripts/flow.py <command>`.

Every module has `main(argv) -> int`. pixi.toml's tasks (and `python3 tasks.py`) call them
through flow.py, which also answers `--version` for every command.
"""

import importlib
import sys

# command -> (module in this package, words put before the user's)
COMMANDS = {
    "track": ("track", []),
    "track-cluster": ("track_cluster", []),
    "status": ("status", []),
    "report": ("report", []),
    "skip": ("skip", ["skip"]),
    "unskip": ("skip", ["unskip"]),
    "fix-paths": ("fix_paths", []),
    "gui": ("gui", []),
    "check-gpu": ("check_gpu", []),
    "docs": ("docs", []),
    "videos": ("videos", []),
    "demo": ("demo", []),
}


def versions() -> str:
    """This workflow's version and the versions of the tools it drives."""
    from importlib import metadata

    from idtracker_flow import __version__

    tools = []
    for package in ("idtrackerai", "snakemake"):
        try:
            tools.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            tools.append(f"{package} not installed")
    return f"idtracker-flow {__version__} ({', '.join(tools)})"


def run(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print("Usage: python workflow/scripts/flow.py COMMAND [options]\nCommands:")
        print("\n".join(f"  {name}" for name in COMMANDS))
        return 0 if argv else 2
    if "--version" in argv:
        print(versions())
        return 0
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        print(f"Unknown command {name!r}. Commands: {', '.join(COMMANDS)}.", file=sys.stderr)
        return 2
    from idtracker_flow.project.config import ConfigError

    module, words = COMMANDS[name]
    main = importlib.import_module(f"idtracker_flow.cli.{module}").main
    try:
        return main([*words, *rest])
    except ConfigError as error:  # the same words for every command
        print(f"ERROR: {error}", file=sys.stderr)
        return 1
