"""One truth (issue 26): a run with one job killed once (retried, done), one export failing,
one refused recording and one good job. The console's end list, the exit status, `status`,
`status --csv` and the notice say the same thing about every job, word for word.

A stand-in for idtracker.ai (config `idtrackerai_command`, the documented test hook) is used
for the kill alone: the real one cannot be made to be killed on its first attempt on demand.
It writes a small trajectories.h5 and session.json as idtracker.ai does."""

import csv
import re
import sys

from conftest import REPO
from project_files import full_small_disk

STAND_IN = REPO / "tests" / "fakes" / "idtrackerai_stand_in.py"


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
    fake = STAND_IN
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
    assert "Cannot restore" not in console  # Snakemake's bookkeeping of update() outputs
    # The title counts jobs, not tracking steps, the same in both.
    title = re.search(r"^idtracker-flow run .*$", console, re.M)[0]
    assert title.split(" in ")[0] == notice.read_text().splitlines()[0].split(" in ")[0]
    assert ", 1 failed of 5 jobs" in title, title
    # The behaviour table of the jobs measured, although one job failed its export.
    behaviour = ws.path("results", "behaviour", "summary.csv").read_text()
    assert "demo,good," in behaviour and "named,x," not in behaviour
    page = ws.path("results", "behaviour", "summary.html").read_text()
    assert "are not measured yet (failed or waiting)" in page
    print("\n--- console end ---\n" + console[console.index(title) :])
    print("--- notice ---\n" + notice.read_text())
    print("--- status ---\n" + printed)


def run_status_rows(ws):
    result = ws.task("status", "--csv", "status.csv", timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    with open(ws.path("status.csv"), newline="", encoding="utf-8") as handle:
        return result.stdout, {f"{r['video']}/{r['job']}": r for r in csv.DictReader(handle)}


def test_a_full_disk_during_the_copy_is_said_in_words_everywhere(workspace):
    """tracking/ on a real 1 MB filesystem (tmpfs; CI runs as root), filled up: the copy
    fails with which disk, how much is free and what to do, in the end list and in status,
    with no traceback; once there is room, the next run finishes the job."""
    import os

    import pytest

    if os.geteuid() != 0:
        pytest.skip("mounting a small filesystem needs root (CI runs as root)")
    ws = workspace
    ws.add_video("demo", n_frames=40)
    ws.add_job("demo", "good")
    config = ws.path("config", "config.yaml")
    config.write_text(
        config.read_text()
        + f'idtrackerai_command: ["{sys.executable}", "{STAND_IN}"]\nthreads: 1\n'
        + "min_free_space_mb: 0\n"
    )
    tracking = ws.path("tracking")
    tracking.mkdir()
    with full_small_disk(tracking, folders=("demo",)) as filler:
        run = ws.track("trajectories", timeout=900)
        console = run.stdout + run.stderr
        assert run.returncode == 1, console[-3000:]
        _, rows = run_status_rows(ws)
        reason = rows["demo/good"]["reason"]
        assert rows["demo/good"]["state"] == "failed"
        assert "the disk that holds tracking/demo is full (0 MB free)" in reason, reason
        assert f"  failed: demo/good: {reason}" in console
        assert "Traceback" not in console and "no error message" not in console
        filler.unlink()
        again = ws.track("trajectories", timeout=900)
        assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
        assert (tracking / "demo" / "good.h5").is_file()
