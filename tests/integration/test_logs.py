"""Logs name their request: an id from a sound X-Request-ID or made here, sent back, and on every line written while
the request is served; JSON lines for a log service."""

from __future__ import annotations

import json
import logging
import re
import sys

import pytest

from keepitlocal.logs import REQUEST_ID, JsonFormatter, RequestContext, request_id_from
from tests.conftest import StrictHTMLClient


def test_a_sound_id_is_kept_and_anything_else_replaced() -> None:
    assert request_id_from("abc-123.def_456") == "abc-123.def_456"
    for unsound in (None, "", "short", "x" * 65, "bad id", "evil\nline", "<script>alert(1)</script>"):
        made = request_id_from(unsound)
        assert made != unsound and len(made) == 32 and made.isalnum()
    assert request_id_from(None) != request_id_from(None)


@pytest.mark.django_db
def test_each_answer_names_its_request_and_the_lines_written_meanwhile_carry_it(demo: list[str]) -> None:
    from keepitlocal.network.models import Council

    records: list[logging.LogRecord] = []

    class Kept(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Kept(level=logging.INFO)
    handler.addFilter(RequestContext())
    logger = logging.getLogger("keepitlocal.events")
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.INFO)
    try:
        client = StrictHTMLClient()
        council = Council.objects.get(gss_code="E08000005")  # Rochdale: not in the demo
        asked = client.post(
            "/join/",
            {"kind": "council", "name": "Pat Asker", "email": "pat@rochdale.example", "home_council": str(council.pk)},
            headers={"X-Request-ID": "proxy-given-0001"},
        )
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    assert asked.status_code == 302, re.findall(r"govuk-error-message[^<]*<[^<]*</span>([^<]*)", asked.content.decode())
    assert asked["X-Request-ID"] == "proxy-given-0001"
    joined = [r for r in records if getattr(r, "event", "") == "join-requested"]
    assert len(joined) == 1 and joined[0].request_id == "proxy-given-0001"  # type: ignore[attr-defined]
    made = client.get("/principles/", headers={"X-Request-ID": "not sound"})
    assert made["X-Request-ID"] != "not sound" and len(made["X-Request-ID"]) == 32
    assert REQUEST_ID.get() == "-"  # nothing leaks past the request


def test_json_lines_carry_the_request_the_event_and_the_traceback() -> None:
    token = REQUEST_ID.set("req-12345678")
    try:
        try:
            raise ValueError("broken")
        except ValueError:
            record = logging.LogRecord("keepitlocal.x", logging.ERROR, __file__, 1, "Failed %s", ("here",), sys.exc_info())
        record.event = "spend-published"
        RequestContext().filter(record)
    finally:
        REQUEST_ID.reset(token)
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "Failed here" and line["request_id"] == "req-12345678" and line["event"] == "spend-published"
    assert "ValueError: broken" in line["traceback"] and line["level"] == "ERROR"
