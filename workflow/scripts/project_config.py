"""config/config.yaml as the workflow sees it, for the commands that run outside Snakemake.

Snakemake's validate() fills in the schema's defaults; status, fix-paths and the launcher read
the file themselves and get the same defaults from here.
"""

from pathlib import Path

CONFIG = Path("config/config.yaml")
SCHEMA = Path(__file__).parents[1] / "schemas" / "config.schema.yaml"


def read_config(path: Path = CONFIG) -> dict:
    """The user's settings over the schema's defaults (PyYAML comes with Snakemake)."""
    import yaml

    schema = yaml.safe_load(SCHEMA.read_text(encoding="utf-8"))
    config = {
        key: spec["default"] for key, spec in schema["properties"].items() if "default" in spec
    }
    if path.is_file():
        user = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        config.update({key: value for key, value in user.items() if value is not None})
    return config
