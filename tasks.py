"""Run the project's Pixi tasks without Pixi, in a pip virtual environment (.venv).

    python3 tasks.py            list the tasks
    python3 tasks.py demo       set up .venv on first use, then run the task
    python3 tasks.py track -n   extra words go to the task, as with `pixi run`
    python3 tasks.py setup-dlc  the DeepLabCut environment (.venv-dlc), for DeepLabCut jobs
                                (setup-<name>: a tracker's own environment, .venv-<name>, from
                                requirements-<name>.txt)

The tasks themselves are read from pixi.toml, so both set-ups run the same commands.
Works on Windows, macOS and Linux with Python 3.11 or newer.
"""

import hashlib
import os
import shlex
import shutil
import subprocess
import sys
import venv

if sys.version_info < (3, 11):  # noqa: UP036 (tomllib; idtracker.ai 6 needs 3.11 too)
    sys.exit(
        f"tasks.py needs Python 3.11 or newer; this is {sys.version.split()[0]}. Install a newer"
        " Python (e.g. `sudo apt install python3.11 python3.11-venv`) and run it with that one."
    )

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
REQUIREMENTS = ROOT / "requirements-dev.txt"
STAMP = VENV / ".requirements.sha256"
# A tracker that cannot share the workflow's environment has its own: requirements-<name>.txt
# makes .venv-<name> (`setup-<name>`). DeepLabCut pins pandas<3, the workflow pandas 3: "dlc".
OWN_ENVIRONMENTS = {"dev"}  # requirements-dev.txt is the workflow's own (tests, linters)


def tracker_environments() -> dict[str, Path]:
    """name -> requirements file of each tracker environment (requirements-<name>.txt)."""
    found = {p.stem.removeprefix("requirements-"): p for p in ROOT.glob("requirements-*.txt")}
    return {name: path for name, path in sorted(found.items()) if name not in OWN_ENVIRONMENTS}


def read_tasks() -> dict[str, dict]:
    tasks = tomllib.loads((ROOT / "pixi.toml").read_text())["tasks"]
    return {name: task if isinstance(task, dict) else {"cmd": task} for name, task in tasks.items()}


def lock_of(requirements: Path) -> Path:
    """The lock of a requirements file: every package, its exact version and its hashes
    (`uv pip compile --generate-hashes`; README, "What gets installed"). requirements-dev.txt,
    the workflow's own environment, has requirements.lock; requirements-<name>.txt has
    requirements-<name>.lock."""
    if requirements == REQUIREMENTS:
        return ROOT / "requirements.lock"
    return requirements.with_suffix(".lock")


def requirements_hash(files=None) -> str:
    separate = set(tracker_environments().values())
    files = files or [p for p in sorted(ROOT.glob("requirements*.txt")) if p not in separate]
    locks = [lock for p in files if (lock := lock_of(p)).is_file()]
    files = [*files, *dict.fromkeys(locks)]  # requirements.txt and -dev.txt share one lock
    text = "".join(p.read_text() for p in files)
    return hashlib.sha256(text.encode()).hexdigest()


def install_command(python: Path, requirements: Path) -> list[str]:
    """From the lock, with its hashes checked: uv when it is installed (several times faster,
    bench/README.md), else pip. Without a lock, the short list."""
    lock = lock_of(requirements)
    if not lock.is_file():
        return [str(python), "-m", "pip", "install", "--quiet", "-r", str(requirements)]
    if uv := shutil.which("uv"):
        return [uv, "pip", "install", "--quiet", "--python", str(python), "--require-hashes",
                "-r", str(lock)]  # fmt: skip
    return [str(python), "-m", "pip", "install", "--quiet", "--require-hashes", "-r", str(lock)]


def ensure_venv(venv_dir: Path = VENV, requirements: Path = REQUIREMENTS, hashed=None) -> None:
    """Create the environment and install the locked packages, again whenever they change."""
    python = venv_dir / BIN.name / PYTHON.name
    stamp = venv_dir / STAMP.name
    wanted = requirements_hash(hashed)
    if stamp.is_file() and stamp.read_text() == wanted and python.exists():
        return
    if not python.exists():
        print(f"Creating a Python environment in {venv_dir} ...", flush=True)
        venv.create(venv_dir, with_pip=True)
    print("Installing the Python packages (a few GB, a few minutes the first time) ...", flush=True)
    pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check"]
    subprocess.run([*pip, "--quiet", "--upgrade", "pip"], check=True)
    env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1")
    subprocess.run(install_command(python, requirements), check=True, env=env)
    stamp.write_text(wanted)


def command_for(task: dict, extra: list[str]) -> list[str]:
    words = shlex.split(task["cmd"]) + extra
    if words[0] == "python":
        words[0] = str(PYTHON)
    else:
        words[0] = shutil.which(words[0], path=str(BIN)) or words[0]
    return words


def main(argv: list[str]) -> int:
    tasks = read_tasks()
    if not argv or argv[0] in {"-h", "--help"}:
        print(__doc__)
        for name, task in tasks.items():
            print(f"  {name:14} {task.get('description', '')}")
        return 0
    name, extra = argv[0], argv[1:]
    if name == "setup":
        ensure_venv()
        return 0
    environments = tracker_environments()
    if name.startswith("setup-") and (requirements := environments.get(name[6:])):
        ensure_venv(ROOT / f".venv-{name[6:]}", requirements, [requirements])
        return 0
    if name not in tasks:
        setups = ", ".join(f"setup-{env}" for env in environments)
        print(f"Unknown task {name!r}. Tasks: {', '.join(tasks)} (and setup, {setups}).")
        return 2
    ensure_venv()
    env = dict(os.environ, VIRTUAL_ENV=str(VENV), PATH=str(BIN) + os.pathsep + os.environ["PATH"])
    return run_to_end(command_for(tasks[name], extra), env)


def run_to_end(command: list[str], env: dict) -> int:
    """Run a task and wait for it. Ctrl+C reaches the task too (same terminal): wait while it
    stops and cleans up, with no traceback from here, so the prompt comes back at the end."""
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    while True:
        try:
            return process.wait()
        except KeyboardInterrupt:
            continue


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
