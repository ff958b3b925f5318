"""Guards for every test: strict HTML parsing of each page, no email leaves, demo data on request."""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from typing import Any

import html5lib
import pytest
from django.test import Client

from keepitlocal.accounts.email import OutboxEmailService
from keepitlocal.accounts.models import User
from keepitlocal.config import prepare
from keepitlocal.network.demo import DEMO_PASSWORD, load_demo

prepare()  # as the entry points do: the var folder the static files and uploads go under


class StrictHTMLClient(Client):
    """A test client that fails the test on any HTML response that is not well-formed HTML5."""

    def request(self, **request: Any) -> Any:
        response = super().request(**request)
        content_type = response.get("Content-Type", "")
        if content_type.startswith("text/html") and not response.streaming and response.content:
            parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
            try:
                parser.parse(response.content)
            except html5lib.html5parser.ParseError as error:
                line, column = parser.errors[0][0] if parser.errors else ("?", "?")
                lines = response.content.decode(errors="replace").splitlines()
                context = lines[line - 1] if isinstance(line, int) and 0 < line <= len(lines) else ""
                raise AssertionError(f"{request.get('PATH_INFO')}: invalid HTML at {line}:{column}: {error}\n{context}") from None
        return response


@pytest.fixture(autouse=True, scope="session")
def small_demo() -> Iterator[None]:
    """The demo's spend with a fiftieth of its suppliers (about a hundred each): loaded in seconds rather than a minute.
    tests/unit/test_spend_demo.py checks the full-size population."""
    from django.test import override_settings

    with override_settings(KIL_DEMO_SCALE=0.02):
        yield


@pytest.fixture
def client() -> StrictHTMLClient:
    return StrictHTMLClient()


@pytest.fixture(autouse=True)
def email_outbox(settings: Any) -> Iterator[list[Any]]:
    settings.KIL_EMAIL_SERVICE = "keepitlocal.accounts.email.OutboxEmailService"
    OutboxEmailService.outbox.clear()
    yield OutboxEmailService.outbox
    OutboxEmailService.outbox.clear()


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    # Pages keep rendered parts in the cache; one test's database rows must never show in another's pages.
    from django.core.cache import cache

    from keepitlocal.connections import services as connections
    from keepitlocal.reconcile import services as reconcile
    from keepitlocal.spend import queries, suppliers

    cache.clear()
    suppliers.forget_indexes()
    connections.forget_snapshots()
    reconcile.forget()
    queries.forget_comparisons()
    yield
    cache.clear()
    suppliers.forget_indexes()
    connections.forget_snapshots()
    reconcile.forget()
    queries.forget_comparisons()


@pytest.fixture(autouse=True)
def immediate_tasks(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    # Background tasks run at once in tests, and uploads go to a temporary folder.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
    settings.KIL_REGISTERS_DIR = tmp_path_factory.mktemp("no-registers")
    settings.KIL_FIGURES_DIR = tmp_path_factory.mktemp("figures")


@pytest.fixture
def demo(db: None) -> list[str]:
    return load_demo()


def signed_in_client(email: str) -> StrictHTMLClient:
    client = StrictHTMLClient()
    user = User.objects.get(email=email)
    client.force_login(user, backend="keepitlocal.accounts.backends.EmailBackend")
    return client


@pytest.fixture
def editor_client(demo: list[str]) -> StrictHTMLClient:
    return signed_in_client("editor@calderdale.example")


@pytest.fixture
def network_admin_client(demo: list[str]) -> StrictHTMLClient:
    return signed_in_client("admin@example.org")


__all__ = ["DEMO_PASSWORD", "StrictHTMLClient", "signed_in_client"]


# CI (.ci/run) sets KIL_REQUIRE_EVERY_TEST: there a skipped test fails, whatever skipped it (real data not beside the
# repository, no browser, a database the test needs), so that CI cannot pass on tests that did not run. Locally a
# test whose inputs are missing still skips, saying why.
REQUIRE_EVERY_TEST = os.environ.get("KIL_REQUIRE_EVERY_TEST", "") == "1"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    outcome = yield
    report = outcome.get_result()
    if REQUIRE_EVERY_TEST and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"Skipped in CI, where every test must run (KIL_REQUIRE_EVERY_TEST=1): {reason}"
