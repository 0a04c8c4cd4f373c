"""One truth (issue 26): a run with one job killed once (retried, done), one export failing,
one refused recording and one good job. The console's end list, the exit status, `status`,
`status --csv` and the notice say the same thing about every job, word for word.

A stand-in for idtracker.ai (config `idtrackerai_command`, the documented test hook) is used
for the kill alone: the real one cannot be made to be killed on its first attempt on demand.
It writes a small trajectories.h5 and session.json as idtracker.ai does."""

import csv
import re
import sys

from conftest import task_command  # noqa: F401 (the launcher's command, as users run it)

STAND_IN = """\
import argparse, json, os, signal, sys
from pathlib import Path
import h5py, numpy as np
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
info = {"number_of_animals": 2, "track_wo_identities": False, "id_image_size": [20, 20, 1],
        "video_paths": ["v.avi"], "version": "stand-in"}
(session / "session.json").write_text(json.dumps(info))
(session / "idtrackerai.log").write_text("Success\\n")
sys.exit(1)  # idtracker.ai's exit status on success
"""


def state_words(text: str) -> dict[str, str]:
    """<name> -> its line of the console's end list or the notice ("failed: <reason>")."""
    found = {}
    for match in re.finditer(r"^\s+failed: (\S+): (.*)$", text, re.M):
        found[match[1]] = match[2].strip()
    return found


def test_the_end_of_a_run_status_and_the_notice_agree(workspace):
    ws = workspace
    ws.add_video("demo", n_frames=40)
    ws.add_job("demo", "good")
    ws.add_job("demo", "killed")
    ws.add_video("named", n_frames=40)
    ws.add_job("named", "x")
    ws.add_video("rec", n_frames=40)
    for part in ("rec-00", "rec-01"):
        ws.add_job("rec", part, video_path="videos/rec.avi", track_wo_identities=False)
    fake = ws.path("stand_in.py")
    fake.write_text(STAND_IN)
    notice = ws.path("notice.txt")
    config = ws.path("config", "config.yaml")
    config.write_text(
        config.read_text()
        + f'idtrackerai_command: ["{sys.executable}", "{fake}"]\nthreads: 1\n'
        + "exports:\n  individual_names:\n    named: [only_one]\n"
        + "recordings:\n  reference:\n    rec: nope\n"
        + f'notify:\n  command: ["{sys.executable}", "-c",'
        + f" \"import sys; open('{notice}', 'w').write(sys.stdin.read())\"]\n"
    )

    run = ws.track(timeout=1200)

    console = run.stdout + run.stderr
    assert run.returncode == 1, console[-3000:]
    _, rows = run_status_rows(ws)
    ended = state_words(console)
    noticed = state_words(notice.read_text())
    failed = {name: row["reason"] for name, row in rows.items() if row["state"] == "failed"}
    assert set(failed) == {"named/x"}, rows
    assert rows["demo/killed"]["state"] == rows["demo/good"]["state"] == "done"
    assert ended == noticed == failed, (ended, noticed, failed)
    assert "writing the analysis files failed" in failed["named/x"]
    printed = ws.task("status", timeout=300).stdout
    assert re.search(r"^named\s+x\s+failed", printed, re.M), printed
    # The refused recording: the same words in the console, status and the notice.
    recording = re.search(r"^\s+rec: failed: (.*)$", printed, re.M)
    assert recording and "is not one of this recording's jobs" in recording[1]
    assert f"rec: failed: {recording[1]}" in console
    assert f"rec: failed: {recording[1]}" in notice.read_text()
    assert "?/?" not in console and "no error message" not in console
    # The title counts jobs, not tracking steps, the same in both.
    title = re.search(r"^idtracker-flow run .*$", console, re.M)[0]
    assert title.split(" in ")[0] == notice.read_text().splitlines()[0].split(" in ")[0]
    assert ", 1 failed of 5 jobs" in title, title
    print("\n--- console end ---\n" + console[console.index(title) :])
    print("--- notice ---\n" + notice.read_text())
    print("--- status ---\n" + printed)


def run_status_rows(ws):
    result = ws.task("status", "--csv", "status.csv", timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    with open(ws.path("status.csv"), newline="", encoding="utf-8") as handle:
        return result.stdout, {f"{r['video']}/{r['job']}": r for r in csv.DictReader(handle)}
