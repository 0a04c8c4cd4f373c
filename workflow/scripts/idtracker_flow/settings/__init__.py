"""Settings files (TOML, idtracker.ai's format for every tracker): reading them forgivingly,
the repair frame every tracker shares, and what the DAG needs of each."""
