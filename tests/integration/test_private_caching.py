"""Nothing a signed-in person sees may be kept by a browser cache, a shared computer or a proxy; public pages may."""

from __future__ import annotations

import pytest

from tests.conftest import StrictHTMLClient, signed_in_client

pytestmark = pytest.mark.django_db


def test_private_pages_and_downloads_are_never_stored(demo: list[str]) -> None:
    editor = signed_in_client("editor@calderdale.example")
    for path in ("/manage/councils/E08000033/", "/councils/?format=csv", "/network/events/"):
        response = editor.get(path)
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"], path
    public = StrictHTMLClient().get("/principles/")
    assert "no-store" not in public.get("Cache-Control", "")
