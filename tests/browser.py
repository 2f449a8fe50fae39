"""The site as a person meets it: `cqc-ledger serve` in a process of its own, and Debian's
Chromium driven by Playwright, with every request that is not to the site refused and counted.

Playwright's own browser download is not used: `CHROMIUM` is the system's (installed by
`.ci/run` with apt-get when missing).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = os.environ.get("CQC_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(db: str) -> Iterator[str]:
    """`cqc-ledger --db DB serve` on a free port of 127.0.0.1, until the block ends; its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "cqc_ledger.cli", "--db", db, "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(base, process)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_for(base: str, process: subprocess.Popen[bytes], patience: float = 30.0) -> None:
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"serve stopped: {process.stderr.read().decode() if process.stderr else ''}")
        try:
            with urllib.request.urlopen(f"{base}/static/style.css", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"serve did not answer at {base} within {patience} s")


@contextmanager
def browsing(base: str, outside: list[str]) -> Iterator[Any]:
    """A page of Chromium in which every request not to `base` is aborted and added to `outside`."""
    from playwright.sync_api import sync_playwright

    def only_the_site(route: Any) -> None:
        url = route.request.url
        if url.startswith(base + "/") or url == base:
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.route("**/*", only_the_site)
            yield context.new_page()
        finally:
            browser.close()


def shoot(page: Any, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path
