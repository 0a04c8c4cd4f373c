"""Recordings: the jobs that film the same animals, matched to one set of identities with
idtracker.ai's idmatcher.ai and joined in time order into one file per recording."""
