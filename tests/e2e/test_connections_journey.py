"""Connections in Chromium: an organisation records an element and a connection to it, asks the other side to
confirm, the other side confirms through the emailed link without an account, and the confirmation shows on the map;
every page on the way, the organisation's home, import and sharing pages and the council's area page pass axe-core."""

from __future__ import annotations

import re
from typing import Any

import pytest

from keepitlocal.connections.models import MapConnection
from keepitlocal.network.models import Organisation
from tests.e2e.test_accessibility import check, sign_in

pytestmark = pytest.mark.e2e


def test_record_a_connection_and_the_other_side_confirms_it(browser: Any, demo_server: str, email_outbox: list[Any]) -> None:
    failures: list[str] = []
    hub = Organisation.objects.get(name="Calder Valley Community Hub (demo)")
    page = browser.new_context().new_page()
    sign_in(page, demo_server, "org@example.org")
    assert page.url.endswith(f"/manage/organisations/{hub.pk}/home/"), page.url  # one organisation: its home page
    failures += check(page, "", demo_server)
    page.get_by_role("link", name="See and change your map").click()
    failures += check(page, "", demo_server)

    page.get_by_role("link", name="Add an element").click()
    page.get_by_role("button", name="Save").click()
    assert page.title().startswith("Error: ")
    failures += check(page, "", demo_server)
    page.get_by_label("Name").fill("Hillside Surgery e2e")
    page.get_by_label("Public body").check()
    page.get_by_label("What kind of organisation or group is it? (optional)").fill("GP practice")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert "Hillside Surgery e2e added to your map" in page.content()

    page.get_by_role("link", name="Add a connection").click()
    failures += check(page, "", demo_server)
    page.get_by_label("To", exact=True).select_option(label="Hillside Surgery e2e")
    page.get_by_label("Referral in").check()
    page.locator("#id_since-day").fill("1")
    page.locator("#id_since-month").fill("4")
    page.locator("#id_since-year").fill("2025")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert "Connection added to your map" in page.content()
    connection = MapConnection.objects.get(target__label="Hillside Surgery e2e")
    assert connection.kind == "referral-in" and connection.since is not None and connection.confirmed_at is None

    page.goto(f"{demo_server}/manage/organisations/{hub.pk}/map/connections/{connection.pk}/ask/")
    failures += check(page, "", demo_server)
    page.get_by_label("Email address of someone at the other organisation").fill("practice.manager@example.org")
    page.get_by_role("button", name="Send the link").click()
    page.wait_for_load_state()
    assert "We have emailed practice.manager@example.org" in page.content()
    link = re.search(r"https?://\S+/connections/confirm/[\w-]+/", email_outbox[-1].body)
    assert link and email_outbox[-1].to == "practice.manager@example.org", email_outbox[-1].body

    other = browser.new_context().new_page()  # not signed in: the link is all they have
    other.goto(link.group(0))
    assert "Hillside Surgery e2e" in other.content()
    failures += check(other, "", demo_server)
    other.get_by_role("button", name="Send your answer").click()
    assert other.title().startswith("Error: ")
    failures += check(other, "", demo_server)
    other.get_by_label("Yes, it is right").check()
    other.get_by_label("Your organisation or role (optional)").fill("Practice manager, Hillside Surgery")
    other.get_by_role("button", name="Send your answer").click()
    other.wait_for_load_state()
    assert "Your answer has been recorded" in other.content()
    failures += check(other, "", demo_server)
    connection.refresh_from_db()
    assert connection.confirmed_at is not None and connection.confirmed_by == "Practice manager, Hillside Surgery"
    other.goto(link.group(0))
    assert "You have already answered" in other.content()

    page.goto(f"{demo_server}/manage/organisations/{hub.pk}/map/")
    page.get_by_role("link", name=re.compile("^See every connection")).click()
    failures += check(page, "", demo_server)
    last = -(-MapConnection.objects.filter(map__organisation=hub).count() // 50)  # the newest is on the last page
    page.goto(f"{demo_server}/manage/organisations/{hub.pk}/map/connections/?page={last}")
    row = page.get_by_role("row", name=re.compile("Hillside Surgery e2e"))
    assert "Confirmed" in row.inner_text() and "Practice manager" in row.inner_text()
    for path in ("import/", "sharing/", "elements/add/", "?then=2025-12-01"):
        failures += check(page, f"/manage/organisations/{hub.pk}/map/{path}", demo_server)
    failures += check(page, f"/organisations/{hub.pk}/connections/", demo_server)

    council = browser.new_context().new_page()
    sign_in(council, demo_server, "editor@calderdale.example")
    failures += check(council, "/manage/councils/E08000033/connections/", demo_server)
    assert "receive little or none of your spend" in council.content()
    assert failures == [], "\n\n".join(failures)
