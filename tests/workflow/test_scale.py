"""At scale (1,000 settings files) the DAG's shortcuts stay correct: one edited settings file,
one replaced video or one new knowledge-transfer edge reruns exactly the jobs it should.

What makes the DAG cheap (what it needs from the settings files remembered between runs, keyed
by file time and size; target lists built only for the rule asked for; unnamed inputs; the
videos as inputs of the repair step only) must not hide a change. Finished jobs are faked (their
files, with times in the order the workflow writes them): Snakemake and `pixi run status` judge
a job by those files and times alone, and tracking 1,000 videos for real is out of reach here;
the real runs in test_workflow_e2e.py show that a tracked job leaves exactly these files.
"""

import os
import time

import pytest
from conftest import copy_workspace, dry_run_steps, fake_finished, make_workspace, run_status

from idtracker_flow.project import steps
from idtracker_flow.settings import digest as settings_digest

N_JOBS = 1000
PARTS_PER_VIDEO = 10
SETTINGS = """\
video_paths = ['videos/{job}.avi']
intensity_ths = [0, 130]
area_ths = [100.0, inf]
tracking_intervals = ""
number_of_animals = 2
use_bkg = false
check_segmentation = false
track_wo_identities = true
roi_list = ""
"""
STEPS = tuple(step.name for step in steps.STEPS)
DIGESTS = (".snakemake", "idtracker-flow", "settings-digests.json")


def job_name(index: int) -> tuple[str, str]:
    video = f"rec{index // PARTS_PER_VIDEO:03d}"
    return video, f"{video}-{index % PARTS_PER_VIDEO:02d}"


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """1,000 jobs, every one finished an hour ago."""
    ws = make_workspace(tmp_path_factory.mktemp("scale") / "project")
    stamp = time.time() - 3600
    for index in range(N_JOBS):
        video, job = job_name(index)
        settings = ws.write_settings(video, job, SETTINGS.format(job=job))
        placeholder = ws.path("videos", f"{job}.avi")
        placeholder.write_bytes(b"placeholder: the dry run only looks at its time")
        for path in (settings, placeholder):
            os.utime(path, (stamp, stamp))
        fake_finished(ws, video, job, stamp)
    assert planned(ws) == set()  # and the settings digests are remembered from here on
    assert ws.path(*DIGESTS).is_file()
    return ws


@pytest.fixture
def project(finished, tmp_path):
    return copy_workspace(finished, tmp_path / "project")


def planned(ws) -> set[tuple[str, str]]:
    return dry_run_steps(ws, "trajectories")


def status_rows(ws) -> dict[str, str]:
    """job -> state, from `pixi run status`."""
    return {name: row["state"] for name, row in run_status(ws)[1].items()}


def test_nothing_to_do_when_every_job_is_finished(finished):
    assert planned(finished) == set()
    states = status_rows(finished)
    assert len(states) == N_JOBS
    assert set(states.values()) == {"done"}


def test_editing_one_settings_file_reruns_exactly_that_job(project):
    video, job = job_name(427)
    path = project.settings_path(video, job)
    path.write_text(path.read_text().replace("[0, 130]", "[0, 120]"))  # same size, newer

    assert planned(project) == {(f"{video}/{job}", step) for step in STEPS}
    states = status_rows(project)
    assert states.pop(f"{video}/{job}") == "outdated"
    assert set(states.values()) == {"done"}


def test_replacing_one_video_reruns_exactly_its_job(project):
    video, job = job_name(999)
    os.utime(project.path("videos", f"{job}.avi"))  # copied again from the microscope PC

    assert planned(project) == {(f"{video}/{job}", step) for step in STEPS}


def test_a_new_knowledge_transfer_edge_at_scale(project):
    """A job edited to learn identities from another reruns alone (its source is done); once
    it is tracked, tracking the source again re-tracks the learner too."""
    source_video, source = job_name(10)
    learner_video, learner = job_name(611)
    path = project.settings_path(learner_video, learner)
    path.write_text(
        path.read_text().replace("track_wo_identities = true", "track_wo_identities = false")
        + f"knowledge_transfer_folder = 'results/sessions/{source_video}/session_{source}'\n"
    )
    assert planned(project) == {(f"{learner_video}/{learner}", step) for step in STEPS}

    fake_finished(project, learner_video, learner, time.time())
    assert planned(project) == set()
    os.utime(project.settings_path(source_video, source))
    assert planned(project) == {(f"{source_video}/{source}", step) for step in STEPS} | {
        (f"{learner_video}/{learner}", step) for step in ("track", "copy_trajectories")
    }


def test_settings_digests_are_read_again_when_a_file_changes(tmp_path, monkeypatch):
    """The cache itself, as plain Python: time or size changed, code changed, cache damaged."""
    monkeypatch.chdir(tmp_path)
    settings = tmp_path / "job.toml"
    settings.write_text("video_paths = ['a.avi']\n")
    os.utime(settings, (1_000_000, 1_000_000))
    cache = tmp_path / "digests.json"

    first = settings_digest.DigestCache(cache)
    assert first.get("job.toml") == {
        "videos": ["a.avi"],
        "tracker": "idtrackerai",
        "identities": False,
        "inputs": {"transfer": None},
    }
    first.save()
    again = settings_digest.DigestCache(cache)
    assert again.entries  # loaded, not re-read
    assert again.get("job.toml")["videos"] == ["a.avi"]
    assert not again.changed

    settings.write_text("video_paths = ['b.avi']\n")  # same size, new time
    assert settings_digest.DigestCache(cache).get("job.toml")["videos"] == ["b.avi"]
    settings.write_text("video_paths = ['bb.avi']\n")
    os.utime(settings, (1_000_000, 1_000_000))  # old time, new size
    assert settings_digest.DigestCache(cache).get("job.toml")["videos"] == ["bb.avi"]

    monkeypatch.setattr(settings_digest, "FORMAT", settings_digest.FORMAT + 1)
    assert settings_digest.DigestCache(cache).entries == {}  # another version of the code

    cache.write_text("{not json")
    damaged = settings_digest.DigestCache(cache)
    assert damaged.get("job.toml")["videos"] == ["bb.avi"]
    damaged.save()
    settings.unlink()
    other = tmp_path / "other.toml"
    other.write_text("number_of_animals = 2\n")
    pruned = settings_digest.DigestCache(cache)
    # Two animals and no track_wo_identities: tracked with identities (a recording's part).
    assert pruned.get("other.toml") == {
        "videos": [],
        "tracker": "idtrackerai",
        "identities": True,
        "inputs": {"transfer": None},
    }
    pruned.save()
    assert set(settings_digest.DigestCache(cache).entries) == {"other.toml"}
    assert settings_digest.DigestCache(cache).get("missing.toml") is None

    # Snakemake run with --directory returns to where it was started before the cache is saved.
    project = settings_digest.DigestCache(settings_digest.CACHE)
    project.get("other.toml")
    monkeypatch.chdir(tmp_path.parent)
    project.save()
    assert (tmp_path / settings_digest.CACHE).is_file()
    assert not (tmp_path.parent / settings_digest.CACHE).exists()
