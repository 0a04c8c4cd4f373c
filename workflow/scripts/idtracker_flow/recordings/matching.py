"""One part matched with the reference part by idtracker.ai's own idmatcher.ai.

idmatcher.ai's `match` is called on both sides, as its `idmatcherai` command does: the
reference's model identifies the part's images (direct) and the part's model identifies the
reference's images (indirect); the summed counts are assigned one-to-one (Hungarian method).
Unlike the command, nothing is written into either session folder (a session may hold hours
of manual validation): the counts and the assignment come back here and go to results/.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from idtracker_flow.trackers.idtrackerai import files as idtracker_files

EPISODE = re.compile(r"id_images_(\d+)\.h5$")


class MatchingFailed(Exception):
    pass


@dataclass
class PairMatch:
    """part identity i + 1 is reference identity `assignment[i] + 1`."""

    assignment: list[int]
    confidence: list[float]  # per part identity: mean of idmatcher.ai's direct and indirect scores
    agreement: float  # fraction of the images whose predictions agree with the assignment
    direct: list[list[int]]  # images of the part (rows) by reference model prediction (columns)
    indirect: list[list[int]]
    contested: list[int]  # reference identities that two part identities prefer

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def session_files(session: Path, name: str) -> tuple[Path, list[Path], Path]:
    """The fragments, identification images and model idmatcher.ai needs, or why they are
    missing (idtracker.ai keeps them with data_policy idmatcher.ai or all)."""
    fragments = session / "preprocessing" / "list_of_fragments.json"
    images = sorted(
        (session / "identification_images").glob("id_images_*.h5"),
        key=lambda path: int(EPISODE.search(path.name).group(1)),
    )
    model = idtracker_files.model_folder(session)
    missing = [
        what
        for what, there in (
            ("preprocessing/list_of_fragments.json", fragments.is_file()),
            ("identification_images/", bool(images)),
            ("the identification model (accumulation/)", idtracker_files.has_model(session)),
        )
        if not there
    ]
    if missing:
        raise MatchingFailed(
            f"{name}: the session {session} has no {', '.join(missing)}, which idmatcher.ai"
            " needs. What to do: track it with data_policy idmatcher.ai (the default) or all in"
            " config/config.yaml (touch its settings file to track it again)"
        )
    return fragments, images, model


def _counts(fragments_path: Path, images: list[Path], model: Path, n_rows: int, n_cols: int):
    from idtrackerai import ListOfFragments
    from idtrackerai.extra_tools.idmatcherai import match

    np.random.seed(0)  # idmatcher.ai samples 10,000 images per animal at random: reproducible
    fragments = ListOfFragments.load(fragments_path, reconnect=False)
    counts = match(fragments, images, model)
    if counts is None:
        raise MatchingFailed(f"idmatcher.ai could not load the identification model in {model}")
    full = np.zeros((n_rows, n_cols), int)  # an identity without images has a row of zeros
    full[: counts.shape[0], : counts.shape[1]] = counts[:n_rows, :n_cols]
    return full


def match_pair(part_session: Path, reference_session: Path, n_animals: int, name: str) -> PairMatch:
    from idtrackerai.extra_tools.idmatcherai import score_row
    from scipy.optimize import linear_sum_assignment

    part_files = session_files(part_session, name)
    reference_files = session_files(reference_session, name)
    direct = _counts(part_files[0], part_files[1], reference_files[2], n_animals, n_animals)
    indirect = _counts(
        reference_files[0], reference_files[1], part_files[2], n_animals, n_animals
    ).T
    joined = direct + indirect
    rows, columns = linear_sum_assignment(joined, maximize=True)
    assignment = [int(c) for _, c in sorted(zip(rows, columns))]
    confidence = [
        (score_row(direct[row], assignment[row]) + score_row(indirect[:, assignment[row]], row)) / 2
        for row in range(n_animals)
    ]
    total = joined.sum()
    agreement = float(joined[np.arange(n_animals), assignment].sum() / total) if total else 0.0
    preferred = joined.argmax(axis=1)
    contested = sorted(int(c) + 1 for c in set(preferred.tolist()) if (preferred == c).sum() > 1)
    return PairMatch(
        assignment, [float(c) for c in confidence], agreement, direct.tolist(),
        indirect.tolist(), contested,
    )  # fmt: skip
