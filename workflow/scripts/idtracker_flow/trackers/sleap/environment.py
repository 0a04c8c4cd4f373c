"""The Python that has SLEAP's sleap-nn: its own environment, beside the workflow's.

sleap-nn brings PyTorch Lightning, Hydra, wandb and Jupyter, which the workflow does not need,
so SLEAP jobs run in a second environment (`pixi install -e sleap`, or
`python3 tasks.py setup-sleap` for .venv-sleap), and only their tracking step runs there, as
a child process. config `sleap_python` names another interpreter (a SLEAP 1.6 conda
environment, a cluster module).
"""

from idtracker_flow.trackers.separate_python import SeparatePython

SLEAP = SeparatePython(
    display_name="SLEAP",
    environment="sleap",
    config_key="sleap_python",
    needs="sleap-nn 0.3 (SLEAP 1.6)",
    package="SLEAP (sleap-nn)",
)
