"""idtracker.ai: everything the workflow knows of it (its settings, command, log, session
files, trajectories, stages, overlay videos). `tracker.py` is what the registry sees."""
