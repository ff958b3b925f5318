"""Security headers: a Content-Security-Policy with a nonce and no 'unsafe-inline', a Permissions-Policy, a session
that ends when idle, and `check --deploy` clean under the production settings."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import StrictHTMLClient, signed_in_client


@pytest.mark.django_db
def test_pages_carry_a_policy_whose_nonce_is_on_the_one_inline_script(client: StrictHTMLClient) -> None:
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
    nonce = re.search(r"script-src 'self' 'nonce-([^']+)'", policy)
    assert nonce is not None
    page = response.content.decode()
    scripts = re.findall(r"<script([^>]*)>(?!</script>)", page)
    inline = [attributes for attributes in scripts if "src=" not in attributes]
    assert inline == [f' nonce="{nonce.group(1)}"']
    assert client.get("/")["Content-Security-Policy"] != policy  # a new nonce each response
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]


@pytest.mark.django_db
def test_pages_with_charts_use_no_style_attributes_or_elements(demo: list[str]) -> None:
    page = signed_in_client("admin@example.org").get("/network/").content.decode()
    assert "<svg" in page and "network-stages-title" in page
    assert ' style="' not in page and "<style" not in page


@pytest.mark.django_db
def test_a_signed_in_session_ends_after_two_idle_hours(demo: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from django.contrib.sessions.models import Session

    client = signed_in_client("admin@example.org")
    assert client.get("/dashboard/").status_code == 200
    written = Session.objects.get().expire_date
    # Reading pages within a few minutes does not write the session each time.
    assert client.get("/dashboard/").status_code == 200 and Session.objects.get().expire_date == written
    start = time.time()
    monkeypatch.setattr(time, "time", lambda: start + 119 * 60)  # still within two hours: kept, and noted
    assert client.get("/dashboard/").status_code == 200
    monkeypatch.setattr(time, "time", lambda: start + (119 + 121) * 60)  # two hours idle since
    response = client.get("/dashboard/")
    assert response.status_code == 302 and response["Location"].startswith("/account/sign-in/")
    page = client.get(response["Location"]).content.decode()
    assert "You were signed out after a time without using the service" in page


@pytest.mark.django_db
def test_a_busy_session_still_ends_after_twelve_hours(demo: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    client = signed_in_client("admin@example.org")
    start = time.time()
    for hour in range(12):  # a request every hour keeps it from being idle
        monkeypatch.setattr(time, "time", lambda hour=hour: start + hour * 3600)
        assert client.get("/dashboard/").status_code == 200
    monkeypatch.setattr(time, "time", lambda: start + 12 * 3600 + 60)
    response = client.get("/dashboard/")
    assert response.status_code == 302 and "a session lasts 12 hours" in client.get(response["Location"]).content.decode()


@pytest.mark.django_db
def test_answers_to_api_token_requests_are_never_stored_by_a_cache(demo: list[str]) -> None:
    from django.test import Client

    answer = Client(headers={"Authorization": "Bearer kil_anything"}).get("/api/v1/principles")
    assert "no-store" in answer["Cache-Control"]


def test_check_deploy_is_clean_under_production_settings(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "keepitlocal.settings",
        "KIL_VAR_DIR": str(tmp_path),
        "KIL_SECRET_KEY": "x" * 20 + "a-long-random-production-key-9f8e7d6c5b4a3210zyxwvu",
        "KIL_ALLOWED_HOSTS": "keepitlocal.example.org",
        "KIL_HTTPS": "1",
        "KIL_DEBUG": "",
    }
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests' fixtures; never in production
    done = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_without_https_behind_a_proxy_nothing_forces_https(settings: Any) -> None:
    # Locally (make run) the platform is served over plain HTTP on 127.0.0.1: no redirect, no HSTS.
    assert not getattr(settings, "SECURE_SSL_REDIRECT", False) and not getattr(settings, "SECURE_HSTS_SECONDS", 0)
