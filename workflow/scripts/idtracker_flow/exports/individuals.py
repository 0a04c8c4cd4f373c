"""What each animal of a video is called in the exports: the names given in config
(`exports.individual_names`, per video or recording) or the tracker's own (idtracker.ai:
id_<identity label>; DeepLabCut: the project's individuals), for every tracker."""


class NamesError(Exception):
    """The names given in config/config.yaml do not fit the video; the message says how."""


def individual_names(video: str, defaults: list[str], configured: dict) -> list[str]:
    names = configured.get(video)
    if names is None:
        return list(defaults)
    names = [str(name) for name in names]
    if len(names) != len(defaults):
        raise NamesError(
            f"config/config.yaml gives {len(names)} names for video {video}"
            f" (exports: individual_names: {video}: {names}), but it was tracked with"
            f" {len(defaults)} animals.\nWhat to do: give exactly {len(defaults)} names, in"
            f" the order of the tracker's animals {defaults}, or remove the entry."
        )
    if len(set(names)) != len(names):
        raise NamesError(
            f"config/config.yaml gives the same name twice for video {video}: {names}.\n"
            "What to do: give each animal its own name."
        )
    return names
