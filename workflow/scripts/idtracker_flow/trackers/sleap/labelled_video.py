"""A SLEAP job's labelled video (`pixi run videos`): sleap-io's render_video (what SLEAP's own
"Export Video with Labels" uses) on the job's predictions (.slp) and its video."""

from pathlib import Path

from idtracker_flow.project.json_files import read_json
from idtracker_flow.trackers.sleap import run


def write(session: Path, result: Path, output: Path, config: dict) -> None:
    """Raises RuntimeError with the reason and what to do."""
    import sleap_io as sio

    session, output = Path(session), Path(output)
    predictions = session / run.PREDICTIONS
    summary = read_json(session / run.SUMMARY)
    if not predictions.is_file() or not summary.get("video"):
        raise RuntimeError(
            f"{session} has no SLEAP predictions ({run.PREDICTIONS}) or does not say which"
            " video was tracked.\nWhat to do: track the job again, then make the video."
        )
    labels = sio.load_slp(str(predictions), open_videos=False)
    video = sio.load_video(summary["video"])
    labels.replace_videos(new_videos=[video])
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(f".{output.stem}.partial{output.suffix}")
    sio.render_video(
        labels, str(partial), video=0, fps=summary.get("fps") or None, codec="mpeg4",
        crf=None, show_progress=False, include_unlabeled=True,
    )  # fmt: skip
    partial.replace(output)
