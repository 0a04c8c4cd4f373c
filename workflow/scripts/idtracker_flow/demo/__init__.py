"""The demo's synthetic video with known paths, and the comparison with that ground truth."""
