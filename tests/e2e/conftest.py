"""Headless Debian Chromium driven by Playwright, against the demo served by Django's live server."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]

# Playwright's sync API runs an event loop in this thread; the ORM calls made by fixtures are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="module")
def browser(live_server: Any) -> Iterator[Any]:
    # Depends on the server so that it closes first: its keep-alive connections end before the server stops.
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed: `make test` installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def live_server(django_db_blocker: Any) -> Iterator[Any]:
    """pytest-django's server, but stopped at the end of this module so its teardown stays within e2e tests."""
    from pytest_django.live_server_helper import LiveServer

    with django_db_blocker.unblock():
        server = LiveServer("127.0.0.1")
    yield server
    server.stop()
    gc.collect()


@pytest.fixture
def demo_server(live_server: Any, transactional_db: None, settings: Any) -> str:
    from keepitlocal.assessment.demo import load_demo_assessment
    from keepitlocal.connections.demo import load_demo_connections
    from keepitlocal.network.demo import load_demo
    from keepitlocal.spend.demo import load_demo_spend

    load_demo()
    load_demo_spend()
    load_demo_assessment()
    load_demo_connections()
    from keepitlocal.directory.demo import load_demo_directory
    from keepitlocal.value.demo import load_demo_value

    load_demo_value()
    load_demo_directory()
    settings.KIL_BASE_URL = str(live_server.url)  # links in emails point at this server, as they would at the platform's
    return str(live_server.url)
