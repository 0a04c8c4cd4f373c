"""One identification image size per recording, when config asks for it.

idmatcher.ai can only compare the parts of a recording whose identification images have the
same size and resolution reduction. idtracker.ai chooses both from the animals' median size in
each video, so parts usually agree but need not (animals seen larger or smaller). Config
`recordings.image_size` fixes them for a recording: every job's repaired settings get
`id_image_size` and `resolution_reduction` (idtracker.ai then uses both as given,
Session.set_id_image_size). A job with knowledge transfer keeps the size of the model it learns
from, as idtracker.ai requires.
"""


def recording_of(video: str, options: dict) -> str:
    for name, folders in options["join"].items():
        if video in folders:
            return name
    return video


def fix_image_size(document, video: str, options: dict) -> str | None:
    """Write the recording's fixed size into a repaired settings document; a note, or None."""
    fixed = options["image_size"].get(recording_of(video, options))
    if not fixed or document.get("knowledge_transfer_folder"):
        return None
    document["id_image_size"] = int(fixed["id_image_size"])
    document["resolution_reduction"] = float(fixed["resolution_reduction"])
    return (
        f"id_image_size = {fixed['id_image_size']}, resolution_reduction ="
        f" {fixed['resolution_reduction']}: the recording's (config recordings.image_size)"
    )
