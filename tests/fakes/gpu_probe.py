"""A stand-in for idtracker.ai used ONLY by tests/workflow/test_gpus.py (fault, timing).

This machine has no GPU, so the real idtracker.ai cannot show which device it used, nor run
out of GPU memory. The probe records CUDA_VISIBLE_DEVICES, its parent (the job's wrapper), its
arguments and its start and end, sleeps, and leaves a session that passes the workflow's success
checks (a trajectories file, a log ending in Success). With GPU_PROBE_OOM_WHEN_SHARED set, a
probe that ran at the same time as another on its device fails instead as idtracker.ai does
when CUDA runs out of memory (a CRITICAL line in its log, no trajectories, exit status 0).
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

import h5py
import numpy as np

parser = argparse.ArgumentParser()
parser.add_argument("--load")
parser.add_argument("--name")
parser.add_argument("--output_dir")
parser.add_argument("--track", action="store_true")
args, _ = parser.parse_known_args()

record_file = Path(os.environ["GPU_PROBE_RECORDS"])
record = {
    "job": args.name,
    "device": os.environ.get("CUDA_VISIBLE_DEVICES"),
    "wrapper": os.getppid(),
    "start": time.time(),
    "args": sys.argv[1:],
}
with record_file.open("a") as out:
    out.write(json.dumps(record) + "\n")
time.sleep(float(os.environ.get("GPU_PROBE_SECONDS", "4")))


def shared_the_gpu() -> bool:
    """Another probe on this device started before now and had not ended when this started."""
    runs = {}
    for line in record_file.read_text().splitlines():
        other = json.loads(line)
        runs.setdefault((other["job"], other["start"]), {}).update(other)
    return any(
        other["device"] == record["device"]
        and (other["job"], other["start"]) != (record["job"], record["start"])
        and other.get("end", time.time()) > record["start"]
        for other in runs.values()
    )


if os.environ.get("GPU_PROBE_OOM_WHEN_SHARED") and shared_the_gpu():
    Path("idtrackerai.log").write_text(
        "12:00:00 CRITICAL torch.OutOfMemoryError: CUDA out of memory. Tried to allocate"
        " 2.00 GiB (stand-in: another job shared the GPU)\n"
    )
    with record_file.open("a") as out:
        out.write(json.dumps({**record, "end": time.time(), "oom": True}) + "\n")
    sys.exit(0)  # idtracker.ai's exit status on a handled failure

session = Path(args.output_dir) / f"session_{args.name}"
(session / "trajectories").mkdir(parents=True, exist_ok=True)
with h5py.File(session / "trajectories" / "trajectories.h5", "w") as h5:
    h5["trajectories"] = np.zeros((10, 1, 2))
(session / "idtrackerai.log").write_text("Success\n")
with record_file.open("a") as out:
    out.write(json.dumps({**record, "end": time.time()}) + "\n")
sys.exit(1)  # idtracker.ai's exit status on success
