"""Running a job's tracker: the process, the GPU slot it holds, the run lock."""
