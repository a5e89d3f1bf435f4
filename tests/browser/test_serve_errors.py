"""The edit loop: during `mkdocs serve`, an invalid manifest shows in the browser and,
without a traceback around it, in the terminal; fixing it brings the page back.

Runs `mkdocs serve` on 127.0.0.1 (a free port) in a throwaway copy of the project, and
always stops it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from deepdive.browser import block_outside_requests

MANIFEST = "manifests/kubernetes/deployments/recreate/web-recreate.yaml"
PAGE = "kubernetes/rollout-strategies/"  # the page that embeds MANIFEST
BANNER = "#deepdive-serve-errors"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(url: str, server: subprocess.Popen[str], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"mkdocs serve exited: {server.stdout.read() if server.stdout else ''}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"mkdocs serve did not answer on {url}")


@pytest.fixture
def served_project(project_copy: Path, tmp_path: Path) -> Iterator[tuple[Path, str, Path]]:
    """(project copy, page URL, log file) of a running `mkdocs serve`."""
    project = project_copy
    port = _free_port()
    log_path = tmp_path / "serve.log"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    with log_path.open("w", encoding="utf-8") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}",
             "--livereload"],
            cwd=project, env=env, stdout=log, stderr=subprocess.STDOUT, text=True,
        )
        try:
            url = f"http://127.0.0.1:{port}/deepdive/{PAGE}"
            _wait_until_up(url, server)
            yield project, url, log_path
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=10)


def test_an_invalid_manifest_shows_in_the_browser_until_fixed(
    browser: Browser, served_project: tuple[Path, str, Path]
) -> None:
    project, url, log_path = served_project
    context = browser.new_context()
    try:
        block_outside_requests(context)
        page = context.new_page()
        page.goto(url)
        assert page.locator(BANNER).count() == 0
        manifest = project / MANIFEST
        good = manifest.read_text(encoding="utf-8")
        assert "replicas: 3" in good
        logged = len(log_path.read_text(encoding="utf-8"))
        manifest.write_text(good.replace("replicas: 3", 'replicas: "three"'), encoding="utf-8")

        # the page reloads by itself and lists the finding: file, line and field
        page.locator(BANNER).wait_for(timeout=90_000)
        shown = page.locator(BANNER).inner_text()
        assert MANIFEST in shown and "replicas" in shown, shown
        assert page.locator(f"{BANNER}[role=alert]").count() == 1
        assert page.locator("h1").count() >= 1  # the last good page is still there
        terminal = log_path.read_text(encoding="utf-8")[logged:]
        assert MANIFEST in terminal and "replicas" in terminal, terminal
        assert "Traceback" not in terminal, terminal
        assert "[macros]" not in terminal, terminal

        manifest.write_text(good, encoding="utf-8")
        page.locator(BANNER).wait_for(state="detached", timeout=90_000)
        assert page.locator("h1").count() >= 1
    finally:
        context.close()
