"""Show the project's README in the terminal, rendered (headings, tables, code blocks).

python workflow/scripts/flow.py docs [MARKDOWN_FILE] [--width N]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console
from rich.markdown import Markdown

from idtracker_flow.project.layout import REPOSITORY

README = REPOSITORY / "README.md"


def render(markdown_text: str, console: Console) -> None:
    console.print(Markdown(markdown_text))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", nargs="?", type=Path, default=README, help="default: README.md")
    parser.add_argument("--width", type=int, help="columns (default: the terminal's)")
    args = parser.parse_args(argv)
    if not args.path.is_file():
        print(
            f"ERROR: {args.path} not found: the documentation is missing. Check the file name,"
            " or get README.md back with `git checkout README.md`.",
            file=sys.stderr,
        )
        return 1
    render(args.path.read_text(encoding="utf-8"), Console(width=args.width))
    return 0
