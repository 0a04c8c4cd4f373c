"""Every export of one tracked job, written in one step (one job in the DAG, not three), from
its tracker's result in the common form: the same files for every tracker."""

from pathlib import Path

from idtracker_flow import trackers
from idtracker_flow.exports import individuals, movement_dataset, provenance, tidy_table
from idtracker_flow.project import atomic_files, layout
from idtracker_flow.project.json_files import read_json
from idtracker_flow.settings import reader


def export_job(
    video: str,
    job: str,
    result: Path,
    tracked_json: Path,
    repaired_settings: Path,
    outputs: dict[str, Path],
    options: dict,
) -> list[Path]:
    """Write the outputs named in `outputs` (movement, tidy_parquet, tidy_csv, provenance);
    the provenance record last, with digests of the others."""
    record = read_json(tracked_json)
    tracker = trackers.for_record(record)
    poses = tracker.read_poses(Path(result), record)
    names = individuals.individual_names(video, poses.individuals, options["individual_names"])
    if "movement" in outputs:
        dataset = movement_dataset.build(
            poses, names, {"video": video, "job": job, "provenance": str(outputs["provenance"])}
        )
        movement_dataset.write(dataset, outputs["movement"])
    tidy_outputs = [outputs[name] for name in ("tidy_parquet", "tidy_csv") if name in outputs]
    if tidy_outputs:
        table = tidy_table.build(poses, video, job, names, options["px_per_mm"].get(video))
        for path in tidy_outputs:
            tidy_table.write(table, path)
    facts = tracker.session_facts(layout.job_path(layout.SESSION, video, job), record)
    results = {"trajectories": result}
    results.update({name: path for name, path in outputs.items() if name != "provenance"})
    record_facts = provenance.build(
        layout.job_id(video, job),
        record,
        facts,
        layout.job_path(layout.SETTINGS, video, job),
        repaired_settings,
        reader.read_settings(repaired_settings),
        results,
    )
    atomic_files.write_text(outputs["provenance"], provenance.to_json(record_facts))
    return list(outputs.values())


def stale_files(video: str, job: str, outputs: dict[str, Path]) -> list[Path]:
    """Analysis files of a format config no longer asks for (tidy_table switched from
    parquet to csv, movement off): left beside the new ones they would look current."""
    every = {
        "movement": layout.MOVEMENT_DATASET,
        "tidy_parquet": layout.TIDY_TABLE.replace("{format}", "parquet"),
        "tidy_csv": layout.TIDY_TABLE.replace("{format}", "csv"),
    }
    paths = [layout.job_path(pattern, video, job) for name, pattern in every.items()
             if name not in outputs]  # fmt: skip
    return [path for path in paths if path.is_file()]
