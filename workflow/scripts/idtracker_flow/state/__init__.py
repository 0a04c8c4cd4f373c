"""Where every job stands, computed from the files as Snakemake would decide.

facts (what is on disk) -> decision (what Snakemake would run; pure) -> verdict (a state and a
reason per job) -> table (what the user sees).
"""
