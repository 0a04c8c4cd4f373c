"""The arena of an idtracker.ai job, from its settings' `roi_list` (the regions drawn in the
segmentation app): the behaviour step's border and centre zones.

The app writes each region as a string: `+ Polygon [[x, y], ...]` or
`+ Ellipse {'center': [x, y], 'axes': [a, b], 'angle': deg}` (semi-axes, OpenCV's angle);
`-` marks a region cut out of the others.
"""

import ast
import math

from idtracker_flow.trackers.protocol import ArenaRegion

ELLIPSE_VERTICES = 128  # an ellipse as a polygon: under 0.1 % of its radius off


def arena(settings: dict) -> list[ArenaRegion] | None:
    """The regions of `roi_list`, or None when the settings draw none (the whole frame)."""
    value = settings.get("roi_list")
    if isinstance(value, str):
        value = [value] if value.strip() else []
    if not isinstance(value, list):
        return None
    regions = [region for text in value if (region := _region(str(text)))]
    return regions or None


def _region(text: str) -> ArenaRegion | None:
    text = text.strip()
    if len(text) < 3 or text[0] not in "+-":
        return None
    keep = text[0] == "+"
    kind, _, rest = text[1:].strip().partition(" ")
    try:
        value = ast.literal_eval(rest.strip())
    except (ValueError, SyntaxError):
        return None
    if kind == "Polygon" and isinstance(value, list) and len(value) >= 3:
        return ArenaRegion(keep, [(float(x), float(y)) for x, y in value])
    if kind == "Ellipse" and isinstance(value, dict):
        return ArenaRegion(keep, ellipse(value["center"], value["axes"], value.get("angle", 0)))
    return None


def ellipse(center, axes, angle_degrees) -> list[tuple[float, float]]:
    cx, cy = (float(v) for v in center)
    a, b = (float(v) for v in axes)
    turn = math.radians(float(angle_degrees))
    points = []
    for step in range(ELLIPSE_VERTICES):
        t = 2 * math.pi * step / ELLIPSE_VERTICES
        x, y = a * math.cos(t), b * math.sin(t)
        points.append(
            (
                cx + x * math.cos(turn) - y * math.sin(turn),
                cy + x * math.sin(turn) + y * math.cos(turn),
            )
        )
    return points
