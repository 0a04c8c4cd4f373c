"""config/config.yaml as every command and every rule sees it.

The Snakefile validates the file against the schema, which fills in the defaults (nested ones
too); the commands that run outside Snakemake (status, fix-paths, skip, the launcher) call
`read_config()`, which does exactly the same with Snakemake's own `validate`.
"""

from pathlib import Path

from idtracker_flow.project.layout import WORKFLOW_DIR

CONFIG = Path("config/config.yaml")
SCHEMA = WORKFLOW_DIR / "schemas" / "config.schema.yaml"


class ConfigError(Exception):
    """config/config.yaml cannot be used; the message says where and what to do."""


def load_yaml(path: Path) -> dict:
    import yaml  # PyYAML comes with Snakemake

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else {}
    except yaml.YAMLError as error:
        raise ConfigError(
            f"{path} is not valid YAML: {error}\nWhat to do: fix the line named above (indent"
            " with spaces, not tabs), or get the original back with"
            f" `git checkout {path}`."
        ) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path} must hold `key: value` lines; it holds {type(data).__name__}.")
    return data


def validated(config: dict, path: Path = CONFIG) -> dict:
    """`config` checked against the schema, defaults filled in (in place), as Snakemake does."""
    from snakemake.exceptions import WorkflowError
    from snakemake.utils import validate

    try:
        validate(config, str(SCHEMA))
    except WorkflowError as error:
        raise ConfigError(
            f"{path}: {_problem(error)}\nWhat to do: fix it (config/README.md explains every"
            f" key and its values), or get the original back with `git checkout {path}`."
        ) from None
    return config


def _problem(error: Exception) -> str:
    """The schema's complaint in one line, with the key it is about."""
    cause = error.__context__
    if cause is None or not hasattr(cause, "absolute_path"):
        return str(error)
    where = ".".join(str(part) for part in cause.absolute_path) or "the file"
    return f"{where}: {cause.message}"


def read_config(path: Path = CONFIG) -> dict:
    """The user's settings over the schema's defaults, validated."""
    path = Path(path)
    return validated(load_yaml(path), path)
