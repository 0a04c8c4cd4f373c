"""config/README.md explains every key of the configuration schema, nested ones included."""

from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
SCHEMA = REPO / "workflow" / "schemas" / "config.schema.yaml"
README = REPO / "config" / "README.md"


def load_schema() -> dict:
    return yaml.safe_load(SCHEMA.read_text(encoding="utf-8"))


def property_names(node) -> set[str]:
    """Every name under any `properties` of the schema, at any depth."""
    names = set()
    if isinstance(node, dict):
        properties = node.get("properties")
        if isinstance(properties, dict):
            names.update(properties)
        for value in node.values():
            names |= property_names(value)
    elif isinstance(node, list):
        for item in node:
            names |= property_names(item)
    return names


def test_nested_keys_are_found():
    schema = load_schema()
    # The walk reaches the keys under `qc:` too, not only the top level.
    assert set(schema["properties"]) < property_names(schema)


def test_readme_names_every_key():
    text = README.read_text(encoding="utf-8")
    missing = sorted(name for name in property_names(load_schema()) if f"`{name}`" not in text)
    assert not missing, f"config/README.md does not explain: {', '.join(missing)}"
