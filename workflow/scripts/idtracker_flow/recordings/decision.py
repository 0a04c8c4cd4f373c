"""Which signal decides a part's identities: appearance (idmatcher.ai), continuity at the cut
with the part before it (or after it, before the reference), or both.

The rule, per part (a signal is sure when no identity is under `min_confidence` and, for
appearance, no two identities prefer the same reference identity):
- both signals give the same answer: decided by the sure one (both when both are sure; an
  unsure signal that agrees is recorded, not counted); neither sure: left out;
- they disagree: continuity wins when it is sure (the animals were well apart at the cut:
  position does not care about light or size); appearance wins when continuity is unsure
  (animals crossing right at the cut) and appearance is sure; the part is flagged with both
  answers either way;
- only appearance (parts not contiguous, as before continuity existed): it decides when sure;
- no sure signal: the part is flagged and left out of the joined recording.
"""


def is_sure(signal: dict | None, threshold: float) -> bool:
    if not signal:
        return False
    return not signal.get("contested") and min(signal["confidence"]) >= threshold


def describe(signal: dict) -> str:
    """`1→2, 2→1 (confidence 0.93, 0.40)`, part identity → reference identity, 1-based."""
    pairs = ", ".join(f"{j + 1}→{i + 1}" for j, i in enumerate(signal["assignment"]))
    sure = ", ".join(f"{c:.2f}" for c in signal["confidence"])
    return f"{pairs} (confidence {sure})"


def decide(appearance: dict | None, continuity: dict | None, threshold: float) -> dict:
    """The part's decision: assignment (None when left out), per-identity confidence, which
    signal decided, whether the signals disagree, and why when left out."""
    signals = {"continuity": continuity, "appearance": appearance}  # continuity first: it wins
    sure = {name: is_sure(signal, threshold) for name, signal in signals.items()}
    if appearance and continuity and appearance["assignment"] == continuity["assignment"]:
        deciders = [name for name in signals if sure[name]]  # an unsure one only agrees
        if deciders:
            pairs = zip(*(signals[name]["confidence"] for name in deciders))
            return _decided(" and ".join(deciders), appearance["assignment"], map(max, pairs))
        return _left_out("continuity and appearance agree but neither is sure", False)
    disagree = bool(appearance and continuity)
    for name, signal in signals.items():
        if sure[name]:
            return _decided(name, signal["assignment"], signal["confidence"], disagree)
    present = [name for name, signal in signals.items() if signal]
    return _left_out(" and ".join(present) + " unsure" if present else "no signal", disagree)


def _decided(by: str, assignment, confidence, disagree: bool = False) -> dict:
    return {
        "decided_by": by,
        "assignment": list(assignment),
        "confidence": [round(float(c), 4) for c in confidence],
        "disagree": disagree,
        "joined": True,
        "why": "",
    }


def _left_out(why: str, disagree: bool) -> dict:
    return {
        "decided_by": "none",
        "assignment": None,
        "confidence": None,
        "disagree": disagree,
        "joined": False,
        "why": why,
    }
