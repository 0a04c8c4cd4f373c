"""What idtracker.ai would check later, checked before any GPU time is spent: the background
image has the video's size, a knowledge-transfer folder holds a model (the videos themselves:
video_check.py). Each check returns what is wrong, in words for the user, or None."""

from pathlib import Path

from idtracker_flow.trackers.idtrackerai import files as idtracker_files


def check_background_size(image: Path, video: Path) -> str | None:
    """idtracker.ai stops when the background image is not exactly the video's frame size."""
    import cv2  # heavy import, only when a background image is checked
    import numpy as np

    picture = cv2.imdecode(np.fromfile(str(image), dtype=np.uint8), cv2.IMREAD_GRAYSCALE)
    if picture is None:
        return (
            f"the background image {image} cannot be read as an image.\nWhat to do: save"
            " the background again as PNG, or set background_subtraction_stat = 'median'"
        )
    capture = cv2.VideoCapture(str(video))
    frame = (
        int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT)),
        int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)),
    )
    capture.release()
    if picture.shape != frame:
        return (
            f"the background image {image} is {picture.shape[1]}x{picture.shape[0]} pixels but"
            f" the video {video.name} is {frame[1]}x{frame[0]}; idtracker.ai would stop.\nWhat to"
            " do: use a background saved from this video, or set"
            " background_subtraction_stat = 'median' to compute one"
        )
    return None


def check_transfer_model(folder: Path) -> str | None:
    if idtracker_files.has_model(folder):
        return None
    models = idtracker_files.model_folder(folder)
    return (
        f"the knowledge-transfer folder {folder} holds no identification model (looked for"
        f" {idtracker_files.MODEL_FILES[0]} in {models}).\nWhat to do: point"
        " knowledge_transfer_folder at a session that was tracked with identities (not"
        " track_wo_identities) and kept its accumulation folder"
        " (data_policy knowledge_transfer or higher)"
    )
