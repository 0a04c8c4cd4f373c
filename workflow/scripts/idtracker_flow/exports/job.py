"""Every export of one tracked job, written in one step (one job in the DAG, not three)."""

from pathlib import Path

from idtracker_flow.deeplabcut import exports as deeplabcut_exports
from idtracker_flow.deeplabcut import job_settings
from idtracker_flow.exports import individuals, movement_dataset, provenance, tidy_table
from idtracker_flow.idtracker import trajectories_file
from idtracker_flow.project import atomic_files, layout
from idtracker_flow.qc.metrics import read_session_info
from idtracker_flow.settings import reader


def export_job(
    video: str,
    job: str,
    trajectories_h5: Path,
    tracked_json: Path,
    repaired_settings: Path,
    outputs: dict[str, Path],
    options: dict,
) -> list[Path]:
    """Write the outputs named in `outputs` (movement, tidy_parquet, tidy_csv, provenance);
    the provenance record last, with digests of the others."""
    record = read_session_info(tracked_json)
    if job_settings.tracked_with_deeplabcut(record):
        write_deeplabcut_files(video, job, trajectories_h5, record, outputs, options)
    else:
        write_idtracker_files(video, job, trajectories_h5, outputs, options)
    session_info = read_session_info(layout.job_path(layout.SESSION_JSON_FILE, video, job))
    results = {"trajectories": trajectories_h5}
    results.update({name: path for name, path in outputs.items() if name != "provenance"})
    facts = provenance.build(
        layout.job_id(video, job),
        record,
        session_info,
        layout.job_path(layout.SETTINGS, video, job),
        repaired_settings,
        reader.read_settings(repaired_settings),
        results,
    )
    atomic_files.write_text(outputs["provenance"], provenance.to_json(facts))
    return list(outputs.values())


def write_deeplabcut_files(video, job, tracks_h5, record, outputs, options) -> None:
    summary = record.get("deeplabcut") or {}
    dataset = deeplabcut_exports.read_dataset(
        tracks_h5,
        summary.get("video_frames"),
        summary.get("fps"),
        {"video": video, "job": job, "provenance": str(outputs["provenance"])},
        summary.get("deeplabcut_version"),
    )
    if "movement" in outputs:
        movement_dataset.write(dataset, outputs["movement"])
    tidy_outputs = [outputs[name] for name in ("tidy_parquet", "tidy_csv") if name in outputs]
    if tidy_outputs:
        scale = options["px_per_mm"].get(video)
        table = deeplabcut_exports.tidy_table(dataset, video, job, scale)
        for path in tidy_outputs:
            tidy_table.write(table, path)


def write_idtracker_files(video, job, trajectories_h5, outputs, options) -> None:
    trajectories = trajectories_file.read(trajectories_h5)
    names = individuals.individual_names(
        video, trajectories.identities, options["individual_names"]
    )
    if "movement" in outputs:
        dataset = movement_dataset.build(
            trajectories,
            names,
            {"video": video, "job": job, "provenance": str(outputs["provenance"])},
        )
        movement_dataset.write(dataset, outputs["movement"])
    tidy_outputs = [outputs[name] for name in ("tidy_parquet", "tidy_csv") if name in outputs]
    if tidy_outputs:
        table = tidy_table.build(trajectories, video, job, names, options["px_per_mm"].get(video))
        for path in tidy_outputs:
            tidy_table.write(table, path)
