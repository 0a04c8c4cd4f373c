"""Every user command of idtracker-flow: python workflow/scripts/flow.py COMMAND [options].

pixi.toml's tasks call this file (so does `python3 tasks.py`). Running it as a script puts this
folder on Python's import path, so the idtracker_flow package next to it is found without
being installed; the commands themselves are in idtracker_flow/cli/.
"""

import sys

from idtracker_flow.cli import run

if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
