"""Checks of a pose tracker's own keys in a job's settings file, worded alike for every
tracker: an unknown key lists the known ones; every problem ends with what to do."""


def unknown(settings: dict, keys: dict, display_name: str) -> list[str]:
    """A message per key of `settings` that is not in `keys` (key -> what it holds)."""
    known = ", ".join(keys)
    return [
        f"'{key}' is not a setting of a {display_name} job.\nWhat to do: fix the name or"
        f" delete the line (a {display_name} job knows: {known})."
        for key in settings
        if key not in keys
    ]


def whole_number(value, at_least: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= at_least


def with_advice(found: list[str], docs_section: str) -> list[str]:
    """Each problem that does not say what to do yet points at the key's documentation."""
    advice = f"What to do: correct it (docs/settings.md: {docs_section} lists every key)."
    return [p if "What to do" in p else f"{p}\n{advice}" for p in found]
