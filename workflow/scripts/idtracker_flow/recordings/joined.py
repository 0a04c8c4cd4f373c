"""The matched trajectories: each part relabelled to the recording's identities, and all parts
joined in time order with, for every row, the job, video file and frame it comes from.

A part whose identities could not be decided with confidence keeps its frames in the joined
recording without positions (`blank`), so time stays right and nothing unmatched is shown.
Only the frames a part tracked are joined (its tracking intervals), so intervals of one video
tracked by different jobs follow each other without repeating frames.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from idtracker_flow.project import atomic_files
from idtracker_flow.trackers.idtrackerai.trajectories_file import TrajectoriesFile
from idtracker_flow.trackers.poses import tracked_mask


@dataclass
class JoinedRecording:
    trajectories: TrajectoriesFile  # (all frames of all parts, reference identities, 2)
    job: np.ndarray  # per row: <video>/<job>
    video_file: np.ndarray  # per row: the video file's name
    source_frame: np.ndarray  # per row: the frame in that job's video (idtracker.ai's index)


def relabelled(trajectories: TrajectoriesFile, assignment: list[int]) -> TrajectoriesFile:
    """Column i of the part goes to column assignment[i] (the reference's identity)."""
    positions = np.full_like(trajectories.positions, np.nan)
    positions[:, assignment] = trajectories.positions
    probabilities = None
    if trajectories.id_probabilities is not None:
        probabilities = np.full_like(trajectories.id_probabilities, np.nan)
        probabilities[:, assignment] = trajectories.id_probabilities
    return TrajectoriesFile(positions, probabilities, dict(trajectories.attrs))


def blank(trajectories: TrajectoriesFile) -> TrajectoriesFile:
    """A part left out of the recording: its frames keep their place in time, with no
    position and no identity, so no position of it is ever shown under a wrong identity."""
    positions = np.full_like(trajectories.positions, np.nan)
    probabilities = np.full(positions.shape[:2], np.nan)
    return TrajectoriesFile(positions, probabilities, dict(trajectories.attrs))


def write_h5(trajectories: TrajectoriesFile, path: Path, extra_attrs: dict) -> None:
    """idtracker.ai's own layout, so every reader of trajectories.h5 reads it."""
    import h5py

    def write(partial: Path) -> None:
        with h5py.File(partial, "w") as h5:
            h5.create_dataset("trajectories", data=trajectories.positions, compression="gzip")
            if trajectories.id_probabilities is not None:
                h5.create_dataset(
                    "id_probabilities",
                    data=trajectories.id_probabilities[..., np.newaxis],
                    compression="gzip",
                )
            for key, value in {**trajectories.attrs, **extra_attrs}.items():
                if isinstance(value, int | float | str) or (
                    isinstance(value, list) and all(isinstance(v, str) for v in value)
                ):
                    h5.attrs[key] = value

    atomic_files.write_with(path, write)


def join(parts: list[tuple[str, str, TrajectoriesFile, list]]) -> JoinedRecording:
    """`parts`: (job name, video file, relabelled trajectories, tracking intervals) in time
    order."""
    positions, probabilities, jobs, files, frames = [], [], [], [], []
    for name, video_file, trajectories, intervals in parts:
        n_frames = trajectories.positions.shape[0]
        kept = np.flatnonzero(tracked_mask(n_frames, intervals))
        positions.append(trajectories.positions[kept])
        probability = trajectories.id_probabilities
        if probability is None:
            probability = np.full(trajectories.positions.shape[:2], np.nan)
        probabilities.append(probability[kept])
        jobs.append(np.full(kept.size, name, dtype=object))
        files.append(np.full(kept.size, video_file, dtype=object))
        frames.append(kept)
    first = parts[0][2]
    joined = TrajectoriesFile(
        np.concatenate(positions), np.concatenate(probabilities), dict(first.attrs)
    )
    return JoinedRecording(
        joined, np.concatenate(jobs), np.concatenate(files), np.concatenate(frames)
    )
