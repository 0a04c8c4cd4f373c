"""Match one recording: every part against the reference part with idmatcher.ai, the parts
relabelled to the reference's identities, joined in time order, with the recording's quality
row. Everything goes under recordings/<recording>/; no session folder is touched."""

import json
import time
from pathlib import Path

from idtracker_flow.exports import individuals, movement_dataset, tidy_table
from idtracker_flow.project import atomic_files, layout
from idtracker_flow.recordings import joined, pair_cache, parts, quality
from idtracker_flow.recordings.matching import MatchingFailed, match_pair
from idtracker_flow.recordings.state import PART_LINE
from idtracker_flow.trackers.idtrackerai import trajectories_file

PAIRS_DIR = "results/recordings/{recording}/pairs"


class RecordingFailed(Exception):
    pass


def identity_match(n_animals: int) -> dict:
    """The reference matched with itself."""
    return {
        "assignment": list(range(n_animals)),
        "confidence": [1.0] * n_animals,
        "agreement": 1.0,
        "contested": [],
    }


def cached_match(part: parts.Part, reference: parts.Part, recording: str, log) -> dict:
    key = pair_cache.key_of(
        *(layout.job_path(layout.TRACKED, p.video, p.job) for p in (part, reference))
    )
    cache = Path(PAIRS_DIR.format(recording=recording)) / f"{part.video}.{part.job}.json"
    if (stored := pair_cache.load(cache, key)) is not None:
        print(f"{part.name}: match unchanged since it was computed", file=log)
        return stored
    started = time.monotonic()
    match = match_pair(part.session, reference.session, reference.n_animals, part.name)
    result = {**match.as_dict(), "seconds": round(time.monotonic() - started, 2)}
    print(f"{part.name}: matched with idmatcher.ai in {result['seconds']} s", file=log)
    pair_cache.save(cache, key, result)
    return result


def sort_out(recording: str, members, reference_job) -> tuple[list, parts.Part, dict]:
    """The parts in time order, the reference, and the parts that film other animals."""
    ordered = parts.time_order([parts.read_part(video, job) for video, job in members])
    try:
        reference = parts.reference_of(ordered, reference_job)
    except ValueError as error:
        raise RecordingFailed(str(error)) from error
    if not reference.with_identities:
        raise RecordingFailed(
            f"The reference {reference.name} was tracked without identities, so there is"
            " nothing to match with. What to do: track it with identities, or choose another"
            " reference (config recordings.reference)"
        )
    excluded = {
        part.name: why
        for part in ordered
        if part is not reference and (why := parts.why_not_comparable(part, reference))
    }
    matched = [part for part in ordered if part.name not in excluded]
    problems = [
        p for part in matched if (p := parts.image_size_problem(part, reference, recording))
    ]
    if problems:
        raise RecordingFailed("\n".join(problems))
    return matched, reference, excluded


def match_recording(
    recording: str, members, options: dict, exports: dict, outputs: dict[str, Path], log
) -> dict:
    matched, reference, excluded = sort_out(recording, members, options["reference"].get(recording))
    matches, pieces = {}, []
    for number, part in enumerate(matched, 1):
        print(PART_LINE.format(number=number, count=len(matched), name=part.name), file=log)
        if part is reference:
            match = identity_match(reference.n_animals)
        else:
            try:
                match = cached_match(part, reference, recording, log)
            except MatchingFailed as error:
                raise RecordingFailed(str(error)) from error
        matches[part.name] = match
        trajectories = trajectories_file.read(
            layout.job_path(layout.TRAJECTORIES, part.video, part.job)
        )
        relabelled = joined.relabelled(trajectories, match["assignment"])
        joined.write_h5(
            relabelled,
            Path(outputs["parts"]) / f"{part.video}.{part.job}.h5",
            {"recording": recording, "job": part.name, "reference": reference.name},
        )
        pieces.append((part.name, "&".join(part.video_files), relabelled, part.intervals))
    recording_data = joined.join(pieces)
    row = quality.recording_row(
        recording, reference.name, matches, excluded,
        int(recording_data.source_frame.size), options["min_confidence"],
    )  # fmt: skip
    write_exports(recording, recording_data, exports, outputs)
    summary = {**row, "order": list(matches), "matches": matches}
    atomic_files.write_text(outputs["summary"], json.dumps(summary, indent=2) + "\n")
    return row


def write_exports(recording: str, data: joined.JoinedRecording, exports: dict, outputs) -> None:
    poses = trajectories_file.to_poses(data.trajectories)
    names = individuals.individual_names(recording, poses.individuals, exports["individual_names"])
    where = {"job": data.job, "video_file": data.video_file, "source_frame": data.source_frame}
    if "movement" in outputs:
        dataset = movement_dataset.build(poses, names, {"recording": recording})
        dataset = dataset.assign_coords(
            {
                name: ("time", values.astype(str) if name != "source_frame" else values)
                for name, values in where.items()
            }
        )
        movement_dataset.write(dataset, Path(outputs["movement"]))
    tidy_outputs = [outputs[name] for name in ("tidy_parquet", "tidy_csv") if name in outputs]
    if tidy_outputs:
        table = tidy_table.build(poses, recording, "", names, exports["px_per_mm"].get(recording))
        n_animals = len(names)
        table = table.rename(columns={"video": "recording", "frame": "recording_frame"})
        table["job"] = data.job.repeat(n_animals)
        table.insert(3, "video_file", data.video_file.repeat(n_animals))
        table.insert(4, "frame", data.source_frame.repeat(n_animals))
        for path in tidy_outputs:
            tidy_table.write(table, Path(path))
