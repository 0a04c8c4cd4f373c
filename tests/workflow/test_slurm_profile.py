"""The cluster profile against a real single-node SLURM (Debian's slurm-wlm and munge).

tests/slurm/single_node_slurm.sh starts munged, slurmctld and slurmd with one fake GPU (a GRES
backed by /dev/null), so `--gpus=1` jobs are schedulable here. Snakemake submits the workflow
through workflow/profiles/slurm, changed only where this cluster differs from a real one: no
accounting, so job states come from squeue, and status checks start after 1 s instead of 20.

One workspace, two runs:
1. A fake tracker (configured as `idtrackerai_command`): SLURM states that the real idtracker.ai
   cannot produce on demand. Job demo/cancelled hangs until the test cancels it with scancel;
   job demo/broken fails at once. Snakemake must report both as failed, with their SLURM log
   paths, and end by itself.
2. The real idtracker.ai on demo/cancelled only: the cancelled job is submitted again, tracked as
   a SLURM job with a GPU, and its trajectories arrive in tracking/. Its copy, analysis files,
   QC row and behaviour then run as one small CPU job of SLURM (the profile's job group
   `analysis`): the login node only plans, checks the settings and writes the batch's tables.

Skips (with the reason) only where SLURM cannot start: not installed, not root, or a real SLURM
configured on this machine. With CI=true those are failures, and a missing SLURM is installed.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
from datetime import datetime
from pathlib import Path

import h5py
import pytest
from conftest import make_workspace

SLURM_SCRIPT = Path(__file__).parents[1] / "slurm" / "single_node_slurm.sh"
ON_CI = os.environ.get("CI", "").lower() == "true"
# This cluster has no accounting (sacct would never report a finished job), and the test should
# not wait 20 s for the first status check.
TEST_CLUSTER_ARGS = (
    "--slurm-status-command", "squeue",
    "--slurm-init-seconds-before-status-checks", "1",
    # One CPU per job (the test machine has two); the profile asks SLURM for `threads` CPUs.
    "--config", "threads=1",
    # The plugin deletes the SLURM log of a job that succeeded; the test reads it.
    "--slurm-keep-successful-logs",
)  # fmt: skip
FAILED_RUN_LIMIT_S = 300


def cannot_run(reason: str):
    """On CI the test must run: a reason to skip is a failure there."""
    if ON_CI:
        pytest.fail(f"SLURM test cannot run on CI: {reason}")
    pytest.skip(reason)


def install_slurm_on_ci() -> None:
    """CI only (root): apt-get install slurm-wlm munge, without starting their services."""
    policy = Path("/usr/sbin/policy-rc.d")
    had_policy = policy.exists()
    if not had_policy:
        policy.write_text("#!/bin/sh\nexit 101\n")
        policy.chmod(0o755)
    try:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "slurm-wlm", "munge"],
            check=True,
            env=env,
        )
    finally:
        if not had_policy:
            policy.unlink()


@pytest.fixture(scope="session")
def slurm_cluster(tmp_path_factory):
    """A running single-node SLURM for the whole test session; stopped afterwards."""
    if not sys.platform.startswith("linux"):
        cannot_run("a local SLURM cluster needs Linux")
    try:
        import snakemake_executor_plugin_slurm  # noqa: F401
    except ImportError:
        cannot_run("pip install snakemake-executor-plugin-slurm (the profile's executor)")
    if os.geteuid() != 0:
        cannot_run("starting slurmd and munged needs root")
    if shutil.which("slurmctld") is None or shutil.which("munged") is None:
        if not ON_CI:
            pytest.skip("SLURM is not installed: apt-get install slurm-wlm munge (as root)")
        install_slurm_on_ci()
    state = tmp_path_factory.mktemp("slurm")
    started = time.monotonic()
    start = subprocess.run(
        ["bash", str(SLURM_SCRIPT), "start", str(state)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    start_seconds = time.monotonic() - started
    if start.returncode != 0:
        cannot_run(f"SLURM did not start:\n{start.stderr[-3000:]}")
    print(f"\nSLURM started in {start_seconds:.1f} s")
    env = dict(line.split("=", 1) for line in start.stdout.split() if "=" in line)
    try:
        yield {"env": env, "state": state, "start_seconds": start_seconds}
    finally:
        subprocess.run(["bash", str(SLURM_SCRIPT), "stop", str(state)], timeout=60, check=False)


def slurm_jobs(env: dict, workdir: Path) -> list[dict]:
    """Every SLURM job submitted from workdir (slurmctld keeps finished ones for MinJobAge)."""
    listing = subprocess.run(
        ["scontrol", "show", "job", "--oneliner"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **env},
    ).stdout
    jobs = [dict(re.findall(r"(\S+?)=(\S*)", line)) for line in listing.splitlines()]
    return [job for job in jobs if job.get("WorkDir") == str(workdir)]


def by_comment(jobs: list[dict], comment: str) -> list[dict]:
    # The plugin labels each SLURM job rule_<rule>_wildcards_<values>.
    return [job for job in jobs if job.get("Comment") == comment]


FAKE_TRACKER = textwrap.dedent(
    """\
    # Fake idtracker.ai for tests: records the environment SLURM gave the job, then hangs
    # (job "cancelled", the test cancels it) or fails at once (any other job).
    import json, os, sys, time
    from pathlib import Path

    name = sys.argv[sys.argv.index("--name") + 1]
    record = Path(__file__).parent / "fake_runs" / f"{name}.json"
    record.parent.mkdir(exist_ok=True)
    keys = ("CUDA_VISIBLE_DEVICES", "SLURM_JOB_ID")
    record.write_text(json.dumps({key: os.environ.get(key) for key in keys}))
    if name == "cancelled":
        time.sleep(3600)
    print("CRITICAL fake tracker failure on purpose", file=sys.stderr)
    sys.exit(2)
    """
)


def wait_until_tracker_runs(env: dict, ws, job_name: str, process, limit_s: int = 240):
    """The SLURM job of a job once its (fake) tracker has started inside it."""
    comment = f"rule_track_wildcards_demo_{job_name}"
    record = ws.path("fake_runs", f"{job_name}.json")
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline and process.poll() is None:
        if record.is_file():
            (job,) = by_comment(slurm_jobs(env, ws.root), comment)
            assert job["JobState"] == "RUNNING"
            return job
        time.sleep(1)
    raise AssertionError(f"the tracker of SLURM job {comment} did not start in {limit_s} s")


@pytest.fixture(scope="module")
def cluster_runs(slurm_cluster, tmp_path_factory):
    env = slurm_cluster["env"]
    ws = make_workspace(tmp_path_factory.mktemp("cluster") / "project")
    ws.add_video("demo")
    ws.add_job("demo", "cancelled")
    ws.add_job("demo", "broken")
    ws.path("fake_idtrackerai.py").write_text(FAKE_TRACKER)
    config = ws.path("config", "config.yaml")
    real_config = config.read_text()
    # One SLURM job per tracking job here (`retries: 0`): what is asserted is how each failure
    # is reported; retrying a killed job is tested in tests/workflow/test_failures_explained.py.
    config.write_text(
        real_config
        + f"idtrackerai_command: [{sys.executable}, {ws.path('fake_idtrackerai.py')}]\n"
        + "retries: 0\n"
    )
    command = [
        sys.executable, "-m", "snakemake",
        "--workflow-profile", "workflow/profiles/slurm",
        *TEST_CLUSTER_ARGS,
    ]  # fmt: skip

    # Run 1: scancel one job while it runs; the other fails by itself.
    started = time.monotonic()
    # Output to a file: a full pipe would block Snakemake.
    transcript = ws.root.parent / "failed_run.txt"
    with transcript.open("w") as sink:
        process = subprocess.Popen(
            command,
            cwd=ws.root,
            stdout=sink,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, **env},
        )
        try:
            victim = wait_until_tracker_runs(env, ws, "cancelled", process)
            subprocess.run(["scancel", victim["JobId"]], check=True, env={**os.environ, **env})
            cancelled_at = time.monotonic()
            process.wait(timeout=FAILED_RUN_LIMIT_S)
        finally:
            if process.poll() is None:  # a hang: stop it so the session ends
                process.kill()
                process.wait()
    ended = time.monotonic()
    failed_run = {
        "returncode": process.returncode,
        "output": transcript.read_text(),
        "seconds": ended - started,
        "seconds_after_cancel": ended - cancelled_at,
        "victim": victim["JobId"],
        "jobs": slurm_jobs(env, ws.root),
        "trajectories": sorted(ws.path("tracking").rglob("*.h5")),
    }

    # Run 2: the real idtracker.ai on the cancelled job only.
    config.write_text(real_config)
    ws.settings_path("demo", "broken").unlink()
    started = time.monotonic()
    result = ws.snakemake(*TEST_CLUSTER_ARGS, profile="slurm", env=env, timeout=1200)
    tracked_run = {
        "returncode": result.returncode,
        "output": result.stdout + result.stderr,
        "seconds": time.monotonic() - started,
        "jobs": slurm_jobs(env, ws.root),
    }
    print(
        f"\nSLURM start {slurm_cluster['start_seconds']:.1f} s; failed run"
        f" {failed_run['seconds']:.0f} s ({failed_run['seconds_after_cancel']:.0f} s after"
        f" scancel); tracking run {tracked_run['seconds']:.0f} s"
    )
    return ws, failed_run, tracked_run


def test_cancelled_and_failed_jobs_reported_with_their_logs(cluster_runs):
    ws, failed, _ = cluster_runs
    output = failed["output"]
    assert failed["returncode"] != 0, output
    # Ended by itself, well within the limit: nothing waits on a status that never comes.
    assert failed["seconds_after_cancel"] < FAILED_RUN_LIMIT_S
    for job_name, expected_state in (("cancelled", "CANCELLED"), ("broken", "FAILED")):
        (job,) = by_comment(failed["jobs"], f"rule_track_wildcards_demo_{job_name}")
        assert job["JobState"] == expected_state
        slurm_log = job["StdOut"]
        assert Path(slurm_log).is_file()
        assert slurm_log.startswith(str(ws.path("results", "logs", "slurm")))
        assert f"SLURM-job '{job['JobId']}' failed, SLURM status is: '{expected_state}'" in output
        assert slurm_log in output, f"the failure must name the SLURM log {slurm_log}"
        assert f"results/logs/track/demo/{job_name}.log" in output
        # The fake tracker ran inside this SLURM job, with the (fake) GPU it was given.
        seen = json.loads(ws.path("fake_runs", f"{job_name}.json").read_text())
        assert seen == {"CUDA_VISIBLE_DEVICES": "0", "SLURM_JOB_ID": job["JobId"]}
    # Once per SLURM job (the SLURM logs shown after it hold the job's own error lines).
    assert output.count("failed, SLURM status is:") == 2
    assert failed["trajectories"] == []


def test_next_run_resubmits_and_tracks_as_gpu_job(cluster_runs):
    ws, failed, tracked = cluster_runs
    assert tracked["returncode"] == 0, tracked["output"][-5000:]
    comment = "rule_track_wildcards_demo_cancelled"
    (first,) = by_comment(failed["jobs"], comment)
    resubmitted = [
        job for job in by_comment(tracked["jobs"], comment) if job["JobId"] != first["JobId"]
    ]
    assert len(resubmitted) == 1, "the cancelled job must be submitted again"
    job = resubmitted[0]
    assert job["JobState"] == "COMPLETED"
    assert job["TresPerJob"] == "gres:gpu:1", "each tracking job asks SLURM for one GPU"
    assert job["NumCPUs"] == "1"  # threads=1 in this test
    assert job["MinMemoryNode"] == "8000M"  # the profile's 4000 * threads + 4000
    with h5py.File(ws.path("tracking", "demo", "cancelled.h5")) as h5:
        assert h5["trajectories"].shape == (200, 2, 2)
    record = json.loads(
        ws.path("results", "sessions", "demo", "cancelled.tracked.json").read_text()
    )
    assert record["seconds"] > 0


# The plugin labels a group's SLURM job rule_<group>_<its rules>.
ANALYSIS_COMMENT = "rule_analysis_analyse_job_copy_trajectories"


def test_a_jobs_analysis_runs_in_a_slurm_job_not_on_the_login_node(cluster_runs):
    """After its tracking job, a job's copy and analysis (analysis files, QC row, behaviour)
    ran inside one small SLURM job of their own, which that job's SLURM log shows; Snakemake
    on the login node checked the settings and wrote the batch's tables only."""
    ws, failed, tracked = cluster_runs
    comments = {job["Comment"] for job in tracked["jobs"]}
    assert comments == {
        "rule_track_wildcards_demo_cancelled",
        "rule_track_wildcards_demo_broken",
        ANALYSIS_COMMENT,
    }
    # The failed run submitted no analysis: its jobs never tracked.
    assert all(job["Comment"] != ANALYSIS_COMMENT for job in failed["jobs"])
    # The settings check runs before any GPU time (in the first run): errors come first.
    assert "localrule repair_settings:" in failed["output"]
    output = tracked["output"]
    assert "localrule qc_summary:" in output  # the batch's table
    for step in ("copy_trajectories", "analyse_job"):
        assert f"localrule {step}:" not in output, step
    (job,) = by_comment(tracked["jobs"], ANALYSIS_COMMENT)
    assert job["JobState"] == "COMPLETED"
    assert "TresPerJob" not in job or "gpu" not in job["TresPerJob"]  # no GPU held for it
    slurm_log = Path(job["StdOut"]).read_text()
    for step in ("copy_trajectories", "analyse_job"):
        assert f"rule {step}:" in slurm_log, step
    start, end = (datetime.fromisoformat(job[key]).timestamp() for key in ("StartTime", "EndTime"))
    for step in ("copy_trajectories", "export_job", "qc_job", "behaviour_job"):
        # Each step's log was written while that SLURM job ran (scontrol's times are local, to
        # the second; Snakemake on the login node touches a group's outputs afterwards, not
        # its logs).
        log = ws.path("results", "logs", step, "demo", "cancelled.log")
        assert start - 1 <= log.stat().st_mtime <= end + 1, log
    for made in ("cancelled.provenance.json", "cancelled.movement.nc"):
        assert ws.path("tracking", "demo", made).is_file()
