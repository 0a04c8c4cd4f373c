"""A stand-in for the DeepLabCut environment's Python, used ONLY by
tests/unit/test_tracker_runner.py, to inject what the real DeepLabCut cannot do here on demand:
run out of GPU memory on a GPU this machine lacks, stall, be killed. It is called as the
runner calls DeepLabCut's Python (`python <trackers/deeplabcut/analyze.py> --config ...`) and
behaves as FAKE_DEEPLABCUT says: `ok` writes stitched tracks and the summary as analyze.py
does (and reports its GPU memory to the nvidia-smi stand-in), `oom` fails as analyze.py does
when CUDA runs out of memory, `stall` sleeps without output, `kill` is killed by SIGKILL.
"""

import argparse
import json
import os
import signal
import sys
import time
from pathlib import Path

parser = argparse.ArgumentParser()
parser.add_argument("runner")
parser.add_argument("--output", type=Path)
parser.add_argument("--summary", type=Path)
args, _ = parser.parse_known_args()
behaviour = os.environ.get("FAKE_DEEPLABCUT", "ok")
print("Stage: poses and tracks", flush=True)

if behaviour == "stall":
    time.sleep(120)
elif behaviour == "kill":
    os.kill(os.getpid(), signal.SIGKILL)
elif behaviour == "oom":
    error = "CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 79.1 GiB total capacity)"
    args.summary.write_text(json.dumps({"error": error}))
    print(f"DeepLabCut job failed: {error}", file=sys.stderr)
    sys.exit(2)
else:
    facts_file = Path(os.environ["FAKE_NVIDIA_SMI"])
    facts = json.loads(facts_file.read_text())
    facts["apps"] = [[os.getpid(), 1500]]
    facts_file.write_text(json.dumps(facts))
    time.sleep(3)  # the runner samples the GPU memory every 2 s
    import numpy as np
    import pandas as pd

    columns = pd.MultiIndex.from_product(
        [["DLC_scorer"], ["ind1", "ind2"], ["snout", "tail"], ["x", "y", "likelihood"]],
        names=["scorer", "individuals", "bodyparts", "coords"],
    )
    values = np.tile([[10.0, 20.0, 0.9, 14.0, 20.0, 0.8]], (5, 2))
    pd.DataFrame(values, columns=columns).to_hdf(args.output, key="tracks")
    args.summary.write_text(
        json.dumps({"video_frames": 5, "fps": 25.0, "device": "cuda", "snapshot": "x"})
    )
