"""DeepLabCut: multi-animal poses from a trained DeepLabCut 3 project (PyTorch engine), run in
its own environment. `tracker.py` is what the registry sees."""
