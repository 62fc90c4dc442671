"""Headless Chromium for map tests: load a page from file:// with networking disabled."""
from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome")


def find_chromium() -> str | None:
    for name in CHROMIUM_CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


def _flags(profile: str) -> list[str]:
    return [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-default-apps", "--disable-extensions", f"--user-data-dir={profile}",
        # No network at all: every host resolves to nothing, every connection goes to a dead proxy.
        "--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND",
        "--window-size=1400,1000", "--virtual-time-budget=10000", "--enable-logging=stderr", "--v=0",
    ]


def render(chromium: str, page: Path, screenshot: Path | None = None, fragment: str = "") -> tuple[str, list[str]]:
    """DOM after scripts ran, and the console/network error lines Chromium logged (``fragment``: e.g. ``#ja``)."""
    uri = page.resolve().as_uri() + fragment
    with tempfile.TemporaryDirectory() as profile:
        dom = subprocess.run([chromium, *_flags(profile), "--dump-dom", uri], capture_output=True, text=True, timeout=120)
        if screenshot is not None:
            subprocess.run([chromium, *_flags(profile), f"--screenshot={screenshot}", uri],
                           capture_output=True, text=True, timeout=120)
    errors = [line for line in dom.stderr.splitlines()
              if re.search(r"CONSOLE|Uncaught|ERR_|Failed to load", line) and "dbus" not in line]
    return dom.stdout, errors
