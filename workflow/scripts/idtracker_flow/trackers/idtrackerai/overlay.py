"""A video of a job with its trajectories drawn on the frames, by idtracker.ai's own video
generator (what `idtrackerai_video --run` does), written where we choose rather than into the
session folder."""

from pathlib import Path

from idtracker_flow.project import atomic_files


def write_overlay(session: Path, trajectories: Path, output: Path) -> None:
    from idtrackerai import Session
    from idtrackerai.extra_tools.video_generator.general_video import generate_general_video

    loaded = Session.load(session)
    labels = loaded.identities_labels or [str(n) for n in range(1, loaded.n_animals + 1)]

    def write(partial: Path) -> None:
        video = partial.with_suffix(".partial.avi")  # OpenCV picks the format by the extension
        try:
            generate_general_video(loaded, trajectories, labels=labels, output_path=video)
            video.replace(partial)
        finally:
            video.unlink(missing_ok=True)

    atomic_files.write_with(output, write)
