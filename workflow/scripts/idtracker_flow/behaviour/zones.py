"""The arena's border and centre, as movement regions of interest.

The arena comes from the job's settings (its tracker reads them: idtracker.ai's `roi_list`)
or from config (`behaviour: arena: <video>: {circle: ...} | {polygon: ...}`), which wins.
The border zone is the band of the arena within `border_width_body_lengths` of its edge; the
centre is the rest.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from idtracker_flow.trackers.protocol import ArenaRegion

CIRCLE_VERTICES = 256


class ArenaError(ValueError):
    """An arena that cannot be used (named to the user with the config key to fix)."""


def from_config(shape: dict) -> list[ArenaRegion]:
    """`{circle: {centre: [x, y], radius: r}}` or `{polygon: [[x, y], ...]}`, in pixels."""
    if "circle" in shape:
        (x, y), radius = shape["circle"]["centre"], float(shape["circle"]["radius"])
        turns = np.linspace(0, 2 * np.pi, CIRCLE_VERTICES, endpoint=False)
        points = list(zip(x + radius * np.cos(turns), y + radius * np.sin(turns), strict=True))
        return [ArenaRegion(True, [(float(a), float(b)) for a, b in points])]
    return [ArenaRegion(True, [(float(a), float(b)) for a, b in shape["polygon"]])]


@dataclass
class Zones:
    arena: list  # movement PolygonOfInterest, one per separate piece of the arena
    centre: list  # the same, shrunk by the border width (empty when the border fills it)
    border_width_px: float
    source: str  # where the arena came from, in the user's words

    def occupancy(self, centroid) -> tuple[np.ndarray, np.ndarray]:
        """(border, centre): (time, individuals) booleans, by movement's region occupancy."""
        from movement.roi import compute_region_occupancy

        shape = (centroid.sizes["time"], centroid.sizes["individuals"])
        inside = compute_region_occupancy(centroid, self.arena + self.centre)
        inside = inside.transpose("region", "time", "individuals").values
        in_arena = inside[: len(self.arena)].any(axis=0) if self.arena else np.zeros(shape, bool)
        in_centre = inside[len(self.arena) :].any(axis=0) if self.centre else np.zeros(shape, bool)
        return in_arena & ~in_centre, in_centre


def zones(regions: list[ArenaRegion], border_width_px: float, source: str) -> Zones:
    """The regions kept minus those cut out, and the centre inside a band of the border
    width; raises ArenaError for an arena with no area."""
    import shapely
    from movement.roi import PolygonOfInterest

    kept = [shapely.Polygon(r.vertices).buffer(0) for r in regions if r.keep]
    cut = [shapely.Polygon(r.vertices).buffer(0) for r in regions if not r.keep]
    area = shapely.union_all(kept) if kept else shapely.Polygon()
    if cut:
        area = area.difference(shapely.union_all(cut))
    if area.is_empty or area.area <= 0:
        raise ArenaError(
            "the arena has no area (every region is cut out, or none is drawn). What to do:"
            " correct behaviour: arena for it in config/config.yaml, or the regions drawn in"
            " its settings (roi_list, in the segmentation app: pixi run gui)"
        )
    centre = area.buffer(-border_width_px)

    def pieces(geometry, name):
        polygons = [g for g in getattr(geometry, "geoms", [geometry]) if g.area > 0]
        return [
            PolygonOfInterest(
                list(p.exterior.coords)[:-1],
                holes=[list(h.coords)[:-1] for h in p.interiors] or None,
                name=f"{name}_{i}",
            )
            for i, p in enumerate(polygons)
        ]

    return Zones(pieces(area, "arena"), pieces(centre, "centre"), border_width_px, source)
