"""DeepLabCut jobs: multi-animal poses from a trained DeepLabCut 3 project (PyTorch engine)."""
