"""What each animal of a video is called in the exports: the names given in config
(`exports.individual_names`, per video) or id_<idtracker.ai's identity label>."""


class NamesError(Exception):
    """The names given in config/config.yaml do not fit the video; the message says how."""


def individual_names(video: str, identities: list[str], configured: dict) -> list[str]:
    names = configured.get(video)
    if names is None:
        return [f"id_{label}" for label in identities]
    names = [str(name) for name in names]
    if len(names) != len(identities):
        raise NamesError(
            f"config/config.yaml gives {len(names)} names for video {video}"
            f" (exports: individual_names: {video}: {names}), but it was tracked with"
            f" {len(identities)} animals.\nWhat to do: give exactly {len(identities)} names, in"
            f" the order of idtracker.ai's identities {identities}, or remove the entry."
        )
    if len(set(names)) != len(names):
        raise NamesError(
            f"config/config.yaml gives the same name twice for video {video}: {names}.\n"
            "What to do: give each animal its own name."
        )
    return names
