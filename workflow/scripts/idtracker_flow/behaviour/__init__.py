"""Behaviour: what a lab measures the morning after a batch, per animal, for every job and
every recording: distance, speed, time moving, border vs centre of the arena, distances
within the group. Computed with movement's own functions on the exported dataset.

`options` (each video's and recording's settings, as files the DAG watches) → `zones` (the
arena's border and centre) → `measures` (one row per animal) → `job` (a job's or a
recording's table and plots) → `metadata` (the lab's sheet) → `summary` (the batch).
"""
