"""Running idtracker.ai for one job: the process, the GPU slot it holds, the run lock."""
