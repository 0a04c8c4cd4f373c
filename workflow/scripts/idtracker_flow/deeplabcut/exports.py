"""A DeepLabCut job's movement dataset and tidy table (one row per frame, animal, keypoint).

movement reads DeepLabCut's files only by their `df_with_missing` key, and DeepLabCut 3 writes
its tracks under `tracks`, so the table goes through movement's `from_dlc_style_df`, after the
frames DeepLabCut left out are put back (NaN): row i of the dataset is frame i of the video.
"""

import numpy as np

from idtracker_flow.deeplabcut import tracks_file

SOURCE_SOFTWARE = "DeepLabCut"


def build_dataset(table, fps: float | None, extra_attrs: dict, version: str | None):
    from movement.io import load_poses

    dataset = load_poses.from_dlc_style_df(
        table, fps=fps if fps and fps > 0 else None, source_software=SOURCE_SOFTWARE
    )
    dataset.attrs["source_software_version"] = version or "unknown"
    dataset.attrs.update({key: str(value) for key, value in extra_attrs.items()})
    return dataset


def read_dataset(tracks_h5, n_frames: int | None, fps, extra_attrs: dict, version=None):
    return build_dataset(tracks_file.read_full(tracks_h5, n_frames), fps, extra_attrs, version)


def tidy_table(dataset, video: str, job: str, px_per_mm: float | None = None):
    """Columns: video, job, frame, time_s, individual, keypoint, x, y (pixels), likelihood,
    and x_mm, y_mm when the video's scale is given in config (`exports.px_per_mm`)."""
    import pandas as pd

    position = dataset["position"].transpose("time", "individuals", "keypoints", "space").values
    likelihood = dataset["confidence"].transpose("time", "individuals", "keypoints").values
    n_frames, n_animals, n_keypoints = likelihood.shape
    individuals = [str(name) for name in dataset["individuals"].values]
    keypoints = [str(name) for name in dataset["keypoints"].values]
    frames = np.repeat(np.arange(n_frames), n_animals * n_keypoints)
    fps = dataset.attrs.get("fps")
    table = pd.DataFrame(
        {
            "video": pd.Categorical([video] * frames.size),
            "job": pd.Categorical([job] * frames.size),
            "frame": frames,
            "time_s": frames / fps if fps else np.full(frames.size, np.nan),
            "individual": pd.Categorical(
                np.tile(np.repeat(individuals, n_keypoints), n_frames), categories=individuals
            ),
            "keypoint": pd.Categorical(
                np.tile(keypoints, n_frames * n_animals), categories=keypoints
            ),
            "x": position[..., 0].ravel(),
            "y": position[..., 1].ravel(),
            "likelihood": likelihood.ravel(),
        }
    )
    if px_per_mm:
        table["x_mm"] = table["x"] / px_per_mm
        table["y_mm"] = table["y"] / px_per_mm
    return table
