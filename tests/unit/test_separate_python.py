"""trackers/separate_python.py: a pose tracker's own Python and the verdict on its runner,
shared by DeepLabCut and SLEAP (and the next tracker with an environment of its own)."""

import sys
from pathlib import Path

import pytest

from idtracker_flow.trackers import registered, separate_python
from idtracker_flow.trackers.separate_python import NotFound, SeparatePython

TOOL = SeparatePython("Tool", "tool", "tool_python", "Tool 2", "Tool (tool-core)")


def test_the_configured_python_is_used_and_auto_looks_in_both_set_ups(tmp_path):
    assert TOOL.python({"tool_python": sys.executable}) == Path(sys.executable)
    pixi, venv = TOOL.candidates()
    assert pixi.parts[-4:-2] == ("envs", "tool") and venv.parts[-3] == ".venv-tool"
    with pytest.raises(NotFound) as error:
        TOOL.python({"tool_python": "auto"})  # neither set-up exists in the checkout
    message = str(error.value)
    assert "this is a Tool job, and no Python with Tool (tool-core) was found" in message
    assert str(pixi) in message and str(venv) in message
    assert "`pixi install -e tool`" in message and "`python3 tasks.py setup-tool`" in message
    assert "Tool 2 in config/config.yaml (tool_python)" in message


def test_a_file_that_is_not_executable_is_not_a_python(tmp_path):
    text = tmp_path / "python"
    text.write_text("not a program")
    with pytest.raises(NotFound, match=str(text)):
        TOOL.python({"tool_python": str(text)})


def test_the_verdict_prefers_the_runners_message_then_the_exit_status_then_the_result(tmp_path):
    log_path = tmp_path / "job.log"
    log_path.write_text("loading\n\nTraceback (most recent call last):\nValueError: bad frame\n")
    asked = []

    def result_problem():
        asked.append(True)
        return "the tracks file is empty"

    with open(log_path, "a") as log:
        said = {"error": "The video cannot be read.\nWhat to do: convert it."}
        assert separate_python.failure("Tool", said, 2, log, result_problem) == said["error"]
        crashed = separate_python.failure("Tool", {}, 1, log, result_problem)
        assert asked == []  # a run that stopped is not judged by its (partial) result
        assert crashed.splitlines()[0] == "it stopped with exit status 1: ValueError: bad frame"
        assert f"What to do: read Tool's output in {log_path}" in crashed
        assert "    Traceback (most recent call last):" in crashed
        empty = separate_python.failure("Tool", {}, 0, log, result_problem)
        assert empty.startswith("the tracks file is empty.\nWhat to do: read Tool's output")
        assert separate_python.failure("Tool", {}, 0, log, lambda: None) is None


def test_a_run_without_a_result_fails_the_job_and_out_of_gpu_memory_may_be_retried(tmp_path):
    import json

    from idtracker_flow.trackers.protocol import CUDA_OUT_OF_MEMORY, RunFailed, RunRequest

    request = RunRequest("v/j", tmp_path, {}, tmp_path, tmp_path, tmp_path, {})
    summary = tmp_path / "tool.json"
    with open(tmp_path / "job.log", "w") as log:
        summary.write_text(json.dumps({"device": "cpu"}))
        made = separate_python.runner_summary("Tool", request, 0, log, summary.name, lambda: None)
        assert made == {"device": "cpu"}
        said = f"{CUDA_OUT_OF_MEMORY}.\nWhat to do: run it alone."
        summary.write_text(json.dumps({"error": said}))
        with pytest.raises(RunFailed) as failed:
            separate_python.runner_summary("Tool", request, 2, log, summary.name, lambda: None)
        assert str(failed.value) == f"Job v/j: Tool did not produce tracks: {said}"
        assert failed.value.transient
        summary.write_text("{}")
        with pytest.raises(RunFailed) as failed:
            separate_python.runner_summary("Tool", request, 0, log, summary.name, lambda: "empty")
        assert not failed.value.transient and "What to do: read Tool's output" in str(failed.value)


def test_every_tracker_with_its_own_environment_is_described_once():
    """Each pose tracker's folder names its environment; none is named twice."""
    from importlib import import_module

    described = []
    for tracker in registered():
        package = tracker.__name__.rpartition(".")[0]
        try:
            environment = import_module(f"{package}.environment")
        except ModuleNotFoundError:
            continue  # idtracker.ai runs in the workflow's own environment
        described += [v for v in vars(environment).values() if isinstance(v, SeparatePython)]
    assert sorted(d.environment for d in described) == ["dlc", "sleap"]
    assert len({d.config_key for d in described}) == len(described)
