"""A recording's row in the quality table: parts, frames, the match confidence per identity,
which signal decided each part, and flags when a decision is doubtful or the signals
disagree."""

from idtracker_flow.recordings.decision import describe

COLUMNS = [
    "recording",
    "state",
    "reference",
    "parts",
    "frames",
    "animals",
    "min_confidence",
    "confidence_per_identity",
    "min_agreement",
    "decided_by",
    "not_joined",
    "not_matched",
    "flags",
]


def _short(part: str) -> str:
    return part.rsplit("/", 1)[-1]


def decided_text(part: str, decision: dict) -> str:
    """`fish1-02: continuity 0.93 (appearance 0.40)`: the decider and how sure each signal was."""
    sure = {
        name: min(signal["confidence"])
        for name in ("continuity", "appearance")
        if (signal := decision.get(name))
    }
    shown = ", ".join(f"{name} {value:.2f}" for name, value in sure.items())
    agree = "; they disagree" if decision["disagree"] else ""
    return f"{_short(part)}: {decision['decided_by']} ({shown}{agree})"


def _flags(decisions: dict, excluded: dict) -> list[str]:
    flags = []
    for part, decision in decisions.items():
        if decision["disagree"]:
            flags.append(
                f"{part}: continuity and appearance disagree (continuity"
                f" {describe(decision['continuity'])}; appearance"
                f" {describe(decision['appearance'])}), {decision['decided_by']} decided"
            )
        if not decision["joined"]:
            flags.append(f"{part} has no positions in the joined recording: {decision['why']}")
    return flags + [f"{part} not matched: {why}" for part, why in excluded.items()]


def recording_row(name, reference, decisions: dict, excluded: dict, frames: int) -> dict:
    """`decisions`: part name -> its decision (recordings/decision.py; the reference's
    included); `excluded`: part name -> why it films other animals."""
    n_animals = len(decisions[reference]["assignment"])
    per_identity = [1.0] * n_animals  # the weakest joined part, per reference identity
    for decision in decisions.values():
        if decision["joined"]:
            for part_identity, identity in enumerate(decision["assignment"]):
                per_identity[identity] = min(
                    per_identity[identity], decision["confidence"][part_identity]
                )
    agreements = [d["appearance"]["agreement"] for d in decisions.values() if d.get("appearance")]
    flags = _flags(decisions, excluded)
    return {
        "recording": name,
        "state": "flagged" if flags else "matched",
        "reference": reference,
        "parts": len(decisions),
        "frames": frames,
        "animals": n_animals,
        "min_confidence": round(min(per_identity), 4),
        "confidence_per_identity": "; ".join(
            f"{i + 1}: {c:.3f}" for i, c in enumerate(per_identity)
        ),
        "min_agreement": round(min(agreements, default=1.0), 4),
        "decided_by": "; ".join(
            decided_text(part, d) for part, d in decisions.items() if part != reference
        ),
        "not_joined": "; ".join(part for part, d in decisions.items() if not d["joined"]),
        "not_matched": "; ".join(excluded),
        "flags": "; ".join(flags),
    }
