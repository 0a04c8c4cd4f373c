"""A stand-in for `nvidia-smi` (this machine has no NVIDIA GPU or driver), used by the sizing
tests to inject what the real one would answer: each GPU's index, total and free memory, and
the GPU memory of processes. The answers come from the JSON file named in FAKE_NVIDIA_SMI:
{"gpus": [[index, total_mb, free_mb], ...], "apps": [[pid, used_mb], ...]}.
Only the two queries the workflow makes are answered; anything else fails like a broken driver.
"""

import json
import os
import sys

facts = json.loads(open(os.environ["FAKE_NVIDIA_SMI"]).read())
args = sys.argv[1:]
if "--query-gpu=index,memory.total,memory.free" in args:
    rows = facts.get("gpus", [])
elif "--query-gpu=index" in args:
    rows = [[gpu[0]] for gpu in facts.get("gpus", [])]
elif "--query-compute-apps=pid,used_memory" in args:
    rows = facts.get("apps", [])
else:
    print("NVIDIA-SMI has failed (stand-in: query not known)", file=sys.stderr)
    sys.exit(9)
for row in rows:
    print(", ".join(str(cell) for cell in row))
