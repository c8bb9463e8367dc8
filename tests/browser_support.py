"""Helpers for browser tests: a throwaway Streamlit server and an offline Chromium page.

A helper module rather than conftest fixtures, so any test file can wrap them
in fixtures of the scope it needs.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Browser, Page, Route, sync_playwright

REPO_ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"  # Debian's build; never `playwright install` here
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
# Generous: Streamlit boots in 2-3 s on our 2-core machines, slower under load.
SERVER_START_TIMEOUT_S = 90.0
BROWSER_TIMEOUT_MS = 60_000


def free_port() -> int:
    """Return a TCP port nothing listens on now, so parallel runs do not collide."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_healthy(url: str, server: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(
                f"streamlit exited with code {server.returncode}:\n{log_path.read_text()}"
            )
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise TimeoutError(
        f"streamlit not healthy at {url} after {SERVER_START_TIMEOUT_S} s:\n{log_path.read_text()}"
    )


def _stop(server: subprocess.Popen) -> None:
    # The server runs in its own process group; end that group, nothing else.
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)


@contextmanager
def run_streamlit(app_path: Path, cwd: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """Run ``streamlit run app_path`` headless on a free port; yield its base URL.

    Static serving is on (``<app dir>/static`` at ``/app/static``), usage stats
    and the file watcher are off. ``cwd`` is also put on ``PYTHONPATH`` so the
    app can ``import lib``. The server is stopped on exit, even on failure.

    Args:
        app_path: The main script.
        cwd: Working directory of the server, normally the repository root.
        env: Extra environment variables for the server.
    """
    port = free_port()
    server_env = {**os.environ, **(env or {})}
    server_env["PYTHONPATH"] = os.pathsep.join(
        part for part in (str(cwd), server_env.get("PYTHONPATH", "")) if part
    )
    command = [
        sys.executable, "-m", "streamlit", "run", str(app_path),
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--server.enableStaticServing", "true",
        "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    with tempfile.NamedTemporaryFile("w+", prefix="streamlit-", suffix=".log") as log:
        server = subprocess.Popen(
            command,
            cwd=cwd,
            env=server_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            base_url = f"http://127.0.0.1:{port}"
            _wait_until_healthy(f"{base_url}/_stcore/health", server, Path(log.name))
            yield base_url
        finally:
            _stop(server)


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in {"data", "blob", "about"} or parts.hostname in LOCAL_HOSTS


def _abort_unless_local(route: Route) -> None:
    if _is_local(route.request.url):
        route.continue_()
    else:
        route.abort("internetdisconnected")


@contextmanager
def chromium_page(width: int, height: int, offline: bool = True) -> Iterator[Page]:
    """Yield a page in headless Debian Chromium with the given viewport.

    With ``offline`` every request not to this machine is aborted (in every
    frame), so a test passing proves the page needs no internet; aborted
    requests surface as ``requestfailed`` events the test can collect.
    """
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            context = browser.new_context(viewport={"width": width, "height": height})
            context.set_default_timeout(BROWSER_TIMEOUT_MS)
            if offline:
                context.route("**/*", _abort_unless_local)
            yield context.new_page()
        finally:
            browser.close()


@contextmanager
def chromium_browser() -> Iterator[Browser]:
    """One headless Debian Chromium for many tests (open pages with :func:`offline_page`)."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def offline_page(browser: Browser, width: int, height: int) -> Iterator[Page]:
    """A page in a fresh context of ``browser`` (no cookies carried over); non-local requests are aborted."""
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        context.set_default_timeout(BROWSER_TIMEOUT_MS)
        context.route("**/*", _abort_unless_local)
        yield context.new_page()
    finally:
        context.close()


@contextmanager
def chromium_pages(count: int, width: int, height: int) -> Iterator[list[Page]]:
    """Like :func:`chromium_page`, ``count`` pages in separate contexts (no shared cookies) of one browser."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            pages = []
            for _ in range(count):
                context = browser.new_context(viewport={"width": width, "height": height})
                context.set_default_timeout(BROWSER_TIMEOUT_MS)
                context.route("**/*", _abort_unless_local)
                pages.append(context.new_page())
            yield pages
        finally:
            browser.close()


SCRIPT_DONE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def open_and_settle(page: Page, url: str) -> None:
    """Open ``url`` and wait until the Streamlit script has finished and components mounted."""
    page.goto(url)
    page.wait_for_selector(SCRIPT_DONE)
    page.wait_for_timeout(800)
    page.wait_for_selector(SCRIPT_DONE)


def main_scrolls(page: Page) -> bool:
    """True when the main area is taller than the window (Streamlit scrolls inside stMain)."""
    return bool(page.evaluate(
        """() => { const m = document.querySelector('[data-testid="stMain"]') || document.documentElement;
                   return m.scrollHeight > m.clientHeight + 2; }"""
    ))


def horizontal_overflow(page: Page) -> bool:
    """True when anything makes the page wider than the viewport."""
    return bool(page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth + 1"))


def exceptions_on_page(page: Page) -> list[str]:
    """The text of every Streamlit exception box."""
    boxes = page.locator('[data-testid="stException"]')
    return [boxes.nth(i).inner_text() for i in range(boxes.count())]
