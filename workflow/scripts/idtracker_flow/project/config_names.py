"""Config keys that name a video or a recording (a scale, names, an arena...): a name with no
folder under settings/ is a typo the user should hear about before anything runs, not a
setting silently ignored."""

# (section, key): per video (a folder under settings/) or per recording (a folder, or a name
# under recordings: join).
PER_NAME_KEYS = (
    ("exports", "px_per_mm"),
    ("exports", "individual_names"),
    ("recordings", "reference"),
    ("recordings", "image_size"),
    ("behaviour", "arena"),
    ("behaviour", "body_length_px"),
)


def unknown_names(config: dict, videos: set[str], with_join: bool = True) -> list[str]:
    """One line per key that names something this project does not have (`with_join`: also
    the folders of recordings: join, which `pixi run status` lists with the recordings)."""
    joined = config.get("recordings", {}).get("join") or {}
    known = set(videos) | set(joined)
    lines = []
    for section, key in PER_NAME_KEYS:
        names = (config.get(section) or {}).get(key) or {}
        if unknown := sorted(set(names) - known):
            lines.append(
                f"config/config.yaml, {section}: {key}: names {', '.join(unknown)}, which is no"
                " folder under settings/ (nor a recording under recordings: join), so it is"
                " not used. What to do: correct the name to one of the folders under settings/."
            )
    for recording, folders in sorted(joined.items()) if with_join else ():
        if missing := sorted(set(folders or []) - set(videos)):
            lines.append(
                f"config/config.yaml, recordings: join: {recording}: names {', '.join(missing)},"
                " with no settings under settings/. What to do: correct the folder name."
            )
    return lines
