"""Match one recording: every part against the reference part with idmatcher.ai (appearance)
and, where it follows its neighbour in time, by position at the cut (continuity, chained back
to the reference); the decision per part (recordings/decision.py), the parts relabelled to the
reference's identities, joined in time order, with the recording's quality row. Everything
goes under recordings/<recording>/; no session folder is touched."""

import json
import time
from pathlib import Path

from idtracker_flow.exports import individuals, movement_dataset, tidy_table
from idtracker_flow.project import atomic_files, layout
from idtracker_flow.recordings import contiguity, decision, joined, pair_cache, parts, quality
from idtracker_flow.recordings import continuity as continuity_match
from idtracker_flow.recordings.matching import MatchingFailed, match_pair
from idtracker_flow.recordings.state import PART_LINE
from idtracker_flow.trackers.idtrackerai import trajectories_file
from idtracker_flow.trackers.poses import tracked_mask

PAIRS_DIR = "results/recordings/{recording}/pairs"


class RecordingFailed(Exception):
    pass


def reference_decision(n_animals: int) -> dict:
    """The reference matched with itself."""
    return {
        "decided_by": "reference",
        "assignment": list(range(n_animals)),
        "confidence": [1.0] * n_animals,
        "disagree": False,
        "joined": True,
        "why": "",
        "appearance": None,
        "continuity": None,
        "contiguous": None,
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


def outward(ordered: list, reference) -> list[int]:
    """Indices from the reference outwards: each part comes after the neighbour that leads
    back to the reference, so continuity can chain to it."""
    r = ordered.index(reference)
    return [r, *range(r + 1, len(ordered)), *range(r - 1, -1, -1)]


def continuity_signal(index: int, r: int, ordered, tracks, decisions, recording, options):
    """(signal in reference identities or None, the contiguity facts) of part `index`, cut
    with its neighbour towards the reference (index r)."""
    part = ordered[index]
    neighbour = ordered[index - 1] if index > r else ordered[index + 1]
    earlier, later = (neighbour, part) if index > r else (part, neighbour)
    contiguous, why = contiguity.follows(earlier, later, options, recording)
    facts = {"with": neighbour.name, "contiguous": contiguous, "why": why}
    if not contiguous:
        return None, facts
    known = decisions[neighbour.name]
    if not known["joined"]:
        facts["why"] += f"; {neighbour.name} is not matched, so the cut leads nowhere"
        return None, facts
    cut = cut_match(earlier, later, tracks)
    # The cut maps the later part's identities to the earlier's; turned to map `part`.
    if index > r:
        to_neighbour, own = cut.assignment, list(range(len(cut.assignment)))
    else:
        to_neighbour = continuity_match.inverse(cut.assignment)
        own = to_neighbour  # the later part's identity that carries each of ours
    signal = {
        "with": neighbour.name,
        "assignment": [known["assignment"][k] for k in to_neighbour],
        "confidence": [round(cut.confidence[k], 4) for k in own],
        "moved_body_lengths": [cut.moved[k] for k in own],
        "nearest_other_body_lengths": [cut.nearest_other[k] for k in own],
    }
    return signal, facts


def cut_match(earlier: parts.Part, later: parts.Part, tracks) -> continuity_match.CutMatch:
    edges = [
        continuity_match.edge_positions(
            tracks[p.name].positions, tracked_mask(len(tracks[p.name].positions), p.intervals), last
        )
        for p, last in ((earlier, True), (later, False))
    ]  # fmt: skip
    lengths = [p.body_length or tracks[p.name].number("body_length") or 0 for p in (earlier, later)]
    known = [length for length in lengths if length > 0]
    return continuity_match.match_at_cut(*edges, sum(known) / len(known) if known else 0)


def part_decision(index, r, ordered, tracks, decisions, recording, options, log) -> dict:
    part, reference = ordered[index], ordered[r]
    try:
        appearance = cached_match(part, reference, recording, log)
    except MatchingFailed as error:
        raise RecordingFailed(str(error)) from error
    signal, facts = continuity_signal(index, r, ordered, tracks, decisions, recording, options)
    decided = decision.decide(appearance, signal, options["min_confidence"])
    print(f"{part.name}: decided by {decided['decided_by']} ({facts['why']})", file=log)
    return {**decided, "appearance": appearance, "continuity": signal, "contiguous": facts}


def match_recording(
    recording: str, members, options: dict, exports: dict, outputs: dict[str, Path], log
) -> dict:
    matched, reference, excluded = sort_out(recording, members, options["reference"].get(recording))
    tracks = {
        p.name: trajectories_file.read(layout.job_file(layout.TRAJECTORIES, p.video, p.job))
        for p in matched
    }
    r = matched.index(reference)
    decisions = {reference.name: reference_decision(reference.n_animals)}
    order = outward(matched, reference)
    for number, index in enumerate(order, 1):
        # The console's "matching <recording> (part i of n)" (console/logs.py reads it).
        print(PART_LINE.format(number=number, count=len(order), name=matched[index].name), file=log)
        if index == r:
            continue
        decisions[matched[index].name] = part_decision(
            index, r, matched, tracks, decisions, recording, options, log
        )
    decisions = {part.name: decisions[part.name] for part in matched}  # time order
    pieces = []
    for part in matched:
        decided = decisions[part.name]
        if decided["joined"]:
            placed = joined.relabelled(tracks[part.name], decided["assignment"])
            joined.write_h5(
                placed,
                Path(outputs["parts"]) / f"{part.video}.{part.job}.h5",
                {"recording": recording, "job": part.name, "reference": reference.name},
            )
        else:  # its frames stay in the recording's time line, without positions
            placed = joined.blank(tracks[part.name])
        pieces.append((part.name, "&".join(part.video_files), placed, part.intervals))
    recording_data = joined.join(pieces)
    row = quality.recording_row(
        recording, reference.name, decisions, excluded, int(recording_data.source_frame.size)
    )
    write_exports(recording, recording_data, exports, outputs, row["not_joined"])
    summary = {**row, "order": [part.name for part in matched], "matches": decisions}
    atomic_files.write_text(outputs["summary"], json.dumps(summary, indent=2) + "\n")
    return row


def write_exports(
    recording: str, data: joined.JoinedRecording, exports: dict, outputs, not_joined: str
) -> None:
    poses = trajectories_file.to_poses(data.trajectories)
    names = individuals.individual_names(recording, poses.individuals, exports["individual_names"])
    where = {"job": data.job, "video_file": data.video_file, "source_frame": data.source_frame}
    if "movement" in outputs:
        dataset = movement_dataset.build(
            poses, names, {"recording": recording, "parts_without_positions": not_joined}
        )
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
