"""`pixi run skip <video>/<job>` and `pixi run unskip <video>/<job>`: edit the skip list.

Usage: python workflow/scripts/flow.py (skip|unskip) JOB [JOB ...]
JOB is <video>/<job> as under settings/ (settings/<video>/<job>.toml is accepted too). The list
lives under `skip:` in config/config.yaml; the file keeps its comments and layout.
"""

import re
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedSeq

from idtracker_flow.project import atomic_files, layout
from idtracker_flow.project.config import CONFIG, read_config
from idtracker_flow.project.yaml_comments import append_item, remove_item

SKIP_COMMENT = (
    "Jobs (<video>/<job>) that `pixi run track` leaves alone; edit with `pixi run skip`/`unskip`."
)


class SkipError(Exception):
    pass


def job_name(text: str) -> str:
    """'settings/demo/all.toml', 'demo\\all' or 'demo/all' -> 'demo/all'."""
    name = text.strip().replace("\\", "/").strip("/")
    name = re.sub(r"^settings/", "", name)
    name = re.sub(r"\.toml$", "", name)
    parts = name.split("/")
    if len(parts) != 2 or not all(parts):
        raise SkipError(
            f"'{text}' is not a job name. Write <video>/<job>, e.g. 20260204-180700-H264-01/all"
            " for settings/20260204-180700-H264-01/all.toml (`pixi run status` lists them)."
        )
    return name


def _yaml() -> YAML:
    yaml = YAML()  # round-trip: comments, order and quotes are kept
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    return yaml


def _dump(yaml: YAML, data, path: Path) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        yaml.dump(data, handle)


def edit(names: list[str], add: bool, config: Path = CONFIG) -> list[str]:
    """Add (or remove) jobs; return one line per job saying what happened."""
    read_config(config)  # a file the schema refuses is reported, and left as it is
    yaml = _yaml()
    data = yaml.load(config.read_text(encoding="utf-8")) if config.is_file() else None
    if data is None:
        data = yaml.load("{}\n")
    skip = data.get("skip")
    if not isinstance(skip, list):
        skip = CommentedSeq()
        data["skip"] = skip
        data.yaml_set_comment_before_after_key("skip", before="\n" + SKIP_COMMENT)
    skip.fa.set_block_style()
    said = []
    for name in names:
        if add:
            if name in skip:
                said.append(f"{name} was already skipped.")
                continue
            video, job = name.split("/")
            settings = layout.job_path(layout.SETTINGS, video, job)
            if not settings.is_file():
                raise SkipError(
                    f"There is no settings file {settings}, so there is no job {name} to skip."
                    " Check the spelling (`pixi run status` lists the jobs)."
                )
            append_item(skip, name)
            said.append(f"{name} is skipped: `pixi run track` leaves it alone.")
        elif name in skip:
            while name in skip:
                remove_item(data, "skip", skip.index(name))
            said.append(f"{name} is no longer skipped: the next `pixi run track` includes it.")
        else:
            said.append(f"{name} was not in the skip list.")
    atomic_files.write_with(config, lambda partial: _dump(yaml, data, partial))
    return said


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] not in ("skip", "unskip"):
        print("Usage: pixi run skip <video>/<job> [...]   or   pixi run unskip <video>/<job> [...]")
        return 2
    try:
        names = [job_name(text) for text in argv[1:]]
        for line in edit(names, add=argv[0] == "skip"):
            print(line)
    except SkipError as error:
        print(error)
        return 1
    return 0
