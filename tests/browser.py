"""A real browser for the tests: headless Chromium (Debian's `chromium`), a fresh profile
each time, offline."""

import re
import shutil
import subprocess
import tempfile


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def run_chromium(url: str, *args) -> subprocess.CompletedProcess:
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    try:
        return subprocess.run(
            [
                chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                f"--user-data-dir={profile}", "--virtual-time-budget=10000",
                "--window-size=1400,1100", *args, url,
            ],
            capture_output=True, text=True, timeout=180,
        )  # fmt: skip
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def visible_part(dom: str) -> str:
    """The rendered page without its <script> blocks (the report app's data lives there)."""
    return re.sub(r"<script\b.*?</script>", "", dom, flags=re.S | re.I)
