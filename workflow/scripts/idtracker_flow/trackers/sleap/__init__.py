"""SLEAP (sleap-nn 0.3, the network back-end of SLEAP 1.6) as one of the workflow's trackers."""
