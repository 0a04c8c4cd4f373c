"""A recording's row in the quality table: parts, frames, the match confidence per identity,
and flags when a match is ambiguous."""

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
    "not_matched",
    "flags",
]


def recording_row(name, reference, matched: dict, excluded: dict, frames: int, threshold) -> dict:
    """`matched`: part name -> match dict (the reference included, confidence 1);
    `excluded`: part name -> why it is not part of the recording."""
    n_animals = len(matched[reference]["assignment"])
    per_identity = [1.0] * n_animals  # the weakest part, per reference identity
    for match in matched.values():
        for part_identity, identity in enumerate(match["assignment"]):
            per_identity[identity] = min(per_identity[identity], match["confidence"][part_identity])
    flags = []
    for part, match in matched.items():
        if match["contested"]:
            flags.append(
                f"{part}: two identities claim reference identity"
                f" {', '.join(map(str, match['contested']))}"
            )
        weak = [i + 1 for i, c in enumerate(match["confidence"]) if c < threshold]
        if weak:
            flags.append(
                f"{part}: match confidence under {threshold} for its identity"
                f" {', '.join(map(str, weak))}"
            )
    flags += [f"{part} not matched: {why}" for part, why in excluded.items()]
    return {
        "recording": name,
        "state": "flagged" if flags else "matched",
        "reference": reference,
        "parts": len(matched),
        "frames": frames,
        "animals": n_animals,
        "min_confidence": round(min(per_identity), 4),
        "confidence_per_identity": "; ".join(
            f"{i + 1}: {c:.3f}" for i, c in enumerate(per_identity)
        ),
        "min_agreement": round(min(m["agreement"] for m in matched.values()), 4),
        "not_matched": "; ".join(excluded),
        "flags": "; ".join(flags),
    }
