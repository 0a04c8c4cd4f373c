"""Show the project's README, or a page of docs/, in the terminal, rendered (headings, tables,
code blocks).

python workflow/scripts/flow.py docs [PAGE | MARKDOWN_FILE] [--width N]
(PAGE: the name of a page of docs/, e.g. `troubleshooting` for docs/troubleshooting.md)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console
from rich.markdown import Markdown

from idtracker_flow.project.layout import REPOSITORY

README = REPOSITORY / "README.md"
DOCS = REPOSITORY / "docs"


def page(name: Path) -> Path:
    """A file as given, or the page of docs/ of that name."""
    in_docs = DOCS / f"{name.name.removesuffix('.md')}.md"
    return in_docs if not name.is_file() and in_docs.is_file() else name


def render(markdown_text: str, console: Console) -> None:
    console.print(Markdown(markdown_text))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "path", nargs="?", type=Path, default=README,
        help="a page of docs/ (" + ", ".join(sorted(p.stem for p in DOCS.glob("*.md")))
        + ") or a Markdown file; default: README.md",
    )  # fmt: skip
    parser.add_argument("--width", type=int, help="columns (default: the terminal's)")
    args = parser.parse_args(argv)
    args.path = page(args.path)
    if not args.path.is_file():
        print(
            f"ERROR: {args.path} not found: the documentation is missing. Check the file name,"
            " or get it back with `git checkout README.md docs/`.",
            file=sys.stderr,
        )
        return 1
    render(args.path.read_text(encoding="utf-8"), Console(width=args.width))
    return 0
