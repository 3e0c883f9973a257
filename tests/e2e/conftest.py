"""Real-browser tests: the app served by a real HTTP server on 127.0.0.1, driven in Debian's
Chromium by Playwright, with axe-core (from npm) for accessibility.

Without Chromium (or axe-core) these tests are skipped with the reason, except under CI=true,
where a missing browser is a failure."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium")
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "tests" / "artifacts"
IN_CI = os.environ.get("CI") == "true"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    missing = []
    if not CHROMIUM:
        missing.append("Chromium is not installed (apt-get install chromium, or set CHROMIUM)")
    for item in items:
        if "e2e" not in item.nodeid:
            continue
        reasons = list(missing)
        if item.get_closest_marker("axe") and not AXE_JS.exists():
            reasons.append("axe-core is not installed (npm ci)")
        if reasons:
            if IN_CI:
                raise pytest.UsageError("Browser tests cannot run under CI: " + "; ".join(reasons))
            item.add_marker(pytest.mark.skip(reason="browser test skipped: " + "; ".join(reasons)))


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, object]:
    """Debian's Chromium, never a downloaded one, with its calls home switched off."""
    return {
        "executable_path": CHROMIUM,
        "args": [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
        ],
    }


class LiveServer:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> LiveServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)


@pytest.fixture
def live_server(app: Flask) -> Iterator[LiveServer]:
    """The app on a free port of 127.0.0.1, stopped when the test ends."""
    with LiveServer(app) as server:
        yield server


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
