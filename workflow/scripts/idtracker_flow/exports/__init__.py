"""Analysis-ready files of a tracked job, next to its trajectories in tracking/<video>/:
a movement dataset (netCDF), a tidy table (parquet or CSV) and a provenance record."""
