"""The project folder: where files live, its configuration, its jobs and the pipeline's steps."""
