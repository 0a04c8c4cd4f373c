"""The calm console's logic: idtracker.ai's stage from a real log, the time-left estimate,
the batch counts and the launcher's arguments. The notifier is in test_notify.py."""

import json
import random
from pathlib import Path

from idtracker_flow.console import estimate, launch
from idtracker_flow.console.batch import Batch
from idtracker_flow.console.durations import finished_durations
from idtracker_flow.console.logs import JobLogs, recording_part
from idtracker_flow.recordings.state import PART_LINE
from idtracker_flow.trackers.idtrackerai.stages import StageReader

LOGS = Path(__file__).resolve().parents[1] / "data" / "idtrackerai_logs"


def stages_in(log: Path, chunk: int) -> list[str]:
    """The stages a reader reports, fed the real log in pieces of `chunk` characters (as
    the console reads a growing file), without repeats."""
    reader, seen = StageReader(), []
    text = log.read_text(encoding="utf-8")
    for start in range(0, len(text), chunk):
        name = reader.feed(text[start : start + chunk]).name
        if not seen or seen[-1] != name:
            seen.append(name)
    return seen


def test_stages_of_a_real_run_with_identities_in_order():
    """A real idtracker.ai 6.0.14 log (the demo with identities, contrastive training)."""
    expected = [
        "starting", "segmentation", "crossing detection", "identification", "contrastive",
        "identification", "trajectories", "saving",
    ]  # fmt: skip
    for chunk in (1, 97):  # each character alone, and pieces that cut lines anywhere
        assert stages_in(LOGS / "contrastive.log", chunk) == expected


def test_stages_of_a_real_run_without_identities():
    assert stages_in(LOGS / "no_identities.log", 50) == [
        "starting", "segmentation", "crossing detection", "identification", "trajectories",
    ]  # fmt: skip


def test_contrastive_progress_is_the_latest_batch_and_score():
    text = (LOGS / "contrastive.log").read_text(encoding="utf-8")
    cut = text.index("19:15:32   600")
    reader = StageReader()
    reader.feed(text[:cut])
    assert reader.stage.describe() == "contrastive (batch 500, silhouette 0.97)"
    reader.feed(text[cut : text.index("19:16:12")])
    assert reader.stage.describe() == "contrastive (batch 600, silhouette 0.96)"


def test_segmentation_names_the_frames():
    text = (LOGS / "contrastive.log").read_text(encoding="utf-8")
    reader = StageReader()
    reader.feed(text[: text.index("START Crossing detection")])
    assert reader.stage.describe() == "segmentation (200 frames, 1 episodes)"


def test_job_logs_read_only_what_was_added(tmp_path):
    log = tmp_path / "job.log"
    logs = JobLogs()
    assert logs.stage(str(log)).name == "starting"  # not written yet
    text = (LOGS / "contrastive.log").read_text(encoding="utf-8")
    middle = text.index("START Contrastive step") + 200
    log.write_text(text[:middle])
    assert logs.stage(str(log)).name == "contrastive"
    log.write_text(text)
    assert logs.stage(str(log)).name == "saving"


def simulated_batch(durations: list[float], slots: int) -> tuple[float, list[float]]:
    """When each job ends if `slots` run side by side, in order: (end of the first, ends)."""
    free = [0.0] * slots
    ends = []
    for seconds in durations:
        start = min(free)
        free[free.index(start)] = start + seconds
        ends.append(start + seconds)
    return min(ends), ends


def test_time_left_after_the_first_job_is_within_a_quarter():
    """Equal synthetic jobs (10 % noise, as tracking times of equal videos vary), one and
    two GPU slots: after the first job ends, the estimate is within 25 % of what is left."""
    rng = random.Random(19)
    for slots in (1, 2):
        durations = [600 * rng.uniform(0.9, 1.1) for _ in range(20)]
        first, ends = simulated_batch(durations, slots)
        finished = [seconds for seconds, end in zip(durations, ends) if end <= first]
        running = [first - (end - seconds) for seconds, end in zip(durations, ends)
                   if end - seconds <= first < end]  # fmt: skip
        waiting = len(durations) - len(finished) - len(running)
        guess = estimate.time_left(finished, running, waiting, slots)
        real = max(ends) - first
        assert abs(guess - real) <= 0.25 * real, (slots, guess, real)


def test_time_left_counts_the_slots_and_the_running_jobs():
    assert estimate.time_left([], [10], 5, 1) is None  # nothing finished yet: unknown
    assert estimate.time_left([100, 100], [], 4, 1) == 400
    assert estimate.time_left([100, 100], [], 4, 2) == 200
    assert estimate.time_left([100], [30], 0, 1) == 70  # the running job's rest
    assert estimate.time_left([100], [], 1, 4) == 100  # one job left: not a quarter of it
    assert estimate.clock(3 * 3600 + 5 * 60) == "3 h 05 min"


def test_batch_counts_and_line():
    batch = Batch(started=0)
    batch.plan({"repair_settings": 3, "track": 3, "copy_trajectories": 3})
    batch.job_started(1, "repair_settings", {"video": "v", "job": "a"}, ["r.log"])
    batch.job_started(2, "track", {"video": "v", "job": "b"}, ["t.log"])
    assert (batch.done, batch.failed, len(batch.running), batch.waiting) == (0, 0, 1, 2)
    batch.job_failed(1, "repair_settings", ["r.log"])
    batch.job_finished(2)
    assert (batch.done, batch.failed, len(batch.running), batch.waiting) == (1, 1, 0, 1)
    line = batch.summary_line(now=batch.started + 90)
    assert line.startswith("1 done, 1 failed, 0 running, 1 waiting of 3 tracking jobs")
    assert "1 min elapsed" in line


def test_steps_after_tracking_are_named_and_counted_in_the_time_left():
    """A recording's matching and each job's analysis come after the tracking: the batch
    names them while they run and counts them in the time left, at the time their kind took."""
    batch = Batch(started=0, durations=[100.0])
    batch.plan({"track": 1, "analyse_job": 2, "match_recording": 1, "copy_trajectories": 2})
    batch.job_started(1, "analyse_job", {"video": "v", "job": "a"}, ["e.log"])
    batch.job_started(2, "match_recording", {"recording": "fish1"}, ["m.log"])
    batch.job_started(3, "copy_trajectories", {"video": "v", "job": "a"}, ["c.log"])  # quick
    assert [s.name for s in batch.steps_running.values()] == ["analysing v/a", "matching fish1"]
    assert batch.time_left() is None  # no analysis or match has finished: unknown
    batch.steps_running[1].started -= 20
    batch.job_finished(1)
    batch.steps_running[2].started -= 50
    batch.job_failed(2, "match_recording", ["m.log"])
    # One tracking job (100 s) and one analysis (20 s) still to come.
    assert round(batch.time_left()) == 120
    assert batch.summary_line(now=batch.started + 5).endswith("2 min left")
    batch.job_started(4, "analyse_job", {"video": "v", "job": "b"}, ["e2.log"])
    batch.job_finished(4)
    batch.job_started(5, "track", {"video": "v", "job": "b"}, ["t.log"])
    batch.job_finished(5)
    assert not batch.busy and batch.summary_line().endswith("0 s left")


def test_the_part_being_matched_is_read_from_the_log(tmp_path):
    log = tmp_path / "match.log"
    assert recording_part(str(log)) == ""
    log.write_text("".join(
        PART_LINE.format(number=n, count=3, name=f"fish1/fish1-0{n}") + "\nidmatcher.ai says\n"
        for n in (1, 2)
    ))  # fmt: skip
    assert recording_part(str(log)) == " (part 2 of 3)"


def test_durations_come_from_the_tracking_records(tmp_path):
    for job, seconds in (("a", 300.5), ("b", 310)):
        record = tmp_path / "results" / "sessions" / "v" / f"{job}.tracked.json"
        record.parent.mkdir(parents=True, exist_ok=True)
        record.write_text(json.dumps({"job": job, "seconds": seconds, "started": "x"}))
    (tmp_path / "results/sessions/v/c.tracked.json").write_text("not json")
    assert sorted(finished_durations(tmp_path)) == [300.5, 310.0]
    assert finished_durations(tmp_path, before=0) == []


def test_launcher_turns_verbose_into_the_full_output():
    # After the user's words: `--logger` takes every word that follows it.
    assert launch.logger_args(["-n", "all"]) == ["-n", "all", "--logger", "idtracker-flow"]
    assert launch.logger_args(["all", "--verbose"]) == [
        "all", "--logger", "idtracker-flow", "--logger-idtracker-flow-full",
    ]  # fmt: skip
    assert launch.environment()["PYTHONPATH"].split(":")[0] == str(launch.SCRIPTS)
    assert (launch.SCRIPTS / "snakemake_logger_plugin_idtracker_flow").is_dir()


def test_snakemake_through_the_launcher_leaves_out_only_the_profile_line(tmp_path):
    """The same dry run of a one-rule Snakefile with the project's profile, by Snakemake and by
    console/snakemake_cli.py: the profile line is Snakemake's (printed before any logger) and
    is gone through ours; the rest is the same, and a wrong option is still reported."""
    import subprocess
    import sys

    (tmp_path / "Snakefile").write_text('rule all:\n    output: "a"\n    shell: "touch {output}"\n')
    profile = str(launch.SCRIPTS.parents[0] / "profiles" / "default")
    common = ["-s", "Snakefile", "-n", "--workflow-profile", profile]
    env = launch.environment(["--verbose"])  # PYTHONPATH; the console itself stays off

    def run(module, *extra):
        return subprocess.run([sys.executable, "-m", module, *common, *extra], cwd=tmp_path,
                              env=env, capture_output=True, text=True)  # fmt: skip

    plain, ours = run("snakemake"), run("idtracker_flow.console.snakemake_cli")
    assert plain.returncode == ours.returncode == 0, ours.stderr
    assert "for setting default command line arguments" in plain.stderr
    assert "for setting default command line arguments" not in ours.stderr
    assert "Job stats" in ours.stdout + ours.stderr
    wrong = run("idtracker_flow.console.snakemake_cli", "--no-such-option")
    assert wrong.returncode != 0 and "--no-such-option" in wrong.stderr
    assert launch.snakemake_command([])[2] == "idtracker_flow.console.snakemake_cli"
    assert launch.snakemake_command(["--verbose"])[2] == "snakemake"
