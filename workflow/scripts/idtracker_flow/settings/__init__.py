"""idtracker.ai settings files: reading them as idtracker.ai does, repairing and checking them."""
