"""A rule script's own output goes to its log, never to the terminal of the run: a real child
Python writes the ways libraries do (print, logging, warnings, rich markup, a C-level write,
a child process, a traceback), and its terminal streams stay empty."""

import subprocess
import sys
import textwrap
from pathlib import Path

SCRIPTS = str(Path(__file__).resolve().parents[2] / "workflow" / "scripts")

SCRIPT = textwrap.dedent(
    """
    import logging, os, subprocess, sys, warnings
    from idtracker_flow.project import step_log

    logging.basicConfig()  # a handler holding the stderr of before, as libraries make them
    with step_log.open_log(sys.argv[1]) as log:
        print("our line", file=log)
        print("print to stdout")
        logging.warning("[bold red]No graphic device was found available[/]")
        warnings.warn("a library warning")
        os.write(2, b"written by C code\\n")
        subprocess.run([sys.executable, "-c", "print('a child process')"], check=True)
        print("our last line", file=log)
    raise RuntimeError("a traceback")
    """
)


def test_everything_a_step_prints_lands_in_its_log(tmp_path):
    log = tmp_path / "step.log"
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(log)],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": SCRIPTS},
    )
    assert done.returncode == 1
    assert (done.stdout, done.stderr) == ("", "")
    text = log.read_text()
    for line in (
        "our line", "print to stdout", "No graphic device", "a library warning",
        "written by C code", "a child process", "our last line", "RuntimeError: a traceback",
    ):  # fmt: skip
        assert line in text, text
    assert text.index("our line") < text.index("written by C code") < text.index("our last line")


def test_a_retry_appends_to_the_log(tmp_path):
    log = tmp_path / "step.log"
    log.write_text("attempt 1\n")
    script = "import sys; from idtracker_flow.project import step_log\n"
    script += "step_log.open_log(sys.argv[1], 'a'); print('attempt 2')"
    subprocess.run(
        [sys.executable, "-c", script, str(log)], check=True, env={"PYTHONPATH": SCRIPTS}
    )
    assert log.read_text() == "attempt 1\nattempt 2\n"
