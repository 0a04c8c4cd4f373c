"""The Python that has DeepLabCut: its own environment, beside the workflow's.

DeepLabCut 3.0.2 pins pandas<3, the workflow's environment pandas 3 (movement, the exports),
so DeepLabCut lives in a second environment (`pixi install -e dlc`, or
`python3 tasks.py setup-dlc` for .venv-dlc) and only its analysis step runs there, as a
child process. config `deeplabcut_python` names another interpreter (a conda env, a cluster
module).
"""

from idtracker_flow.trackers.separate_python import SeparatePython

DEEPLABCUT = SeparatePython(
    display_name="DeepLabCut",
    environment="dlc",
    config_key="deeplabcut_python",
    needs="DeepLabCut 3",
    package="DeepLabCut",
)
