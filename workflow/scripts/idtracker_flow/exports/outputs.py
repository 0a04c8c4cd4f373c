"""Which export files a job gets, from config `exports` (the rule's outputs, the targets)."""

from idtracker_flow.project import layout


def patterns(exports: dict) -> dict[str, str]:
    """Output name -> path pattern, in the order they are written (provenance last)."""
    chosen = {}
    if exports["movement"]:
        chosen["movement"] = layout.MOVEMENT_DATASET
    for table_format in ("parquet", "csv"):
        if exports["tidy_table"] in (table_format, "both"):
            chosen[f"tidy_{table_format}"] = layout.TIDY_TABLE.replace("{format}", table_format)
    chosen["provenance"] = layout.PROVENANCE
    return chosen
