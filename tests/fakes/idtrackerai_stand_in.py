"""A stand-in for idtracker.ai (config `idtrackerai_command`, the documented test hook), for
faults the real one cannot produce on demand: the job named `killed` is killed by SIGKILL on
its first attempt (as the out-of-memory killer does); every job then writes a small
trajectories.h5 and session.json as idtracker.ai does, and exits 1 as idtracker.ai does on
success."""

import argparse
import json
import os
import signal
import sys
from pathlib import Path

import h5py
import numpy as np

parser = argparse.ArgumentParser()
for name in ("--load", "--name", "--output_dir"):
    parser.add_argument(name)
args, _ = parser.parse_known_args()
first = Path(args.output_dir) / f"{args.name}.first-attempt"
if args.name == "killed" and not first.exists():
    first.write_text("")
    os.kill(os.getpid(), signal.SIGKILL)  # as the out-of-memory killer does
session = Path(args.output_dir) / f"session_{args.name}"
(session / "trajectories").mkdir(parents=True)
steps = np.random.default_rng(len(args.name)).normal(0, 1, (40, 2, 2))
with h5py.File(session / "trajectories" / "trajectories.h5", "w") as h5:
    h5["trajectories"] = 100 + np.cumsum(steps, axis=0)
    h5.attrs["frames_per_second"] = 25.0
    h5.attrs["body_length"] = 10.0
info = {
    "number_of_animals": 2,
    "track_wo_identities": False,
    "id_image_size": [20, 20, 1],
    "video_paths": ["v.avi"],
    "version": "stand-in",
}
(session / "session.json").write_text(json.dumps(info))
(session / "idtrackerai.log").write_text("Success\n")
sys.exit(1)  # idtracker.ai's exit status on success
