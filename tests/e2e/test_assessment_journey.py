"""The assessment in Chromium: an editor invites a community partner, who answers every question through the
emailed link and submits; every page on the way, and the council's assessment pages, pass axe-core."""

from __future__ import annotations

import re
from typing import Any

import pytest

from keepitlocal.assessment.engine.framework import CURRENT
from keepitlocal.assessment.models import Action, Response, Round
from tests.e2e.test_accessibility import check, sign_in

pytestmark = pytest.mark.e2e
CALDERDALE = "/manage/councils/E08000033/"


def test_a_community_partner_completes_a_response(browser: Any, demo_server: str, email_outbox: list[Any]) -> None:
    failures: list[str] = []
    editor = browser.new_context().new_page()
    sign_in(editor, demo_server, "editor@calderdale.example")
    editor.goto(demo_server + CALDERDALE)
    editor.get_by_role("link", name=re.compile("^Principles assessment")).click()
    editor.get_by_role("link", name="Self-assessment 2026").click()
    editor.get_by_role("button", name="Invite someone").click()
    failures += check(editor, "", demo_server)
    editor.get_by_label("Community partner").check()
    editor.get_by_label("Email address").fill("partner.e2e@example.org")
    editor.get_by_role("button", name="Send the invitation").click()
    editor.wait_for_load_state()
    assert "Invitation sent to partner.e2e@example.org" in editor.content()
    link = re.search(r"https?://\S+/respond/[\w-]+/", email_outbox[-1].body)
    assert link, email_outbox[-1].body

    partner = browser.new_context().new_page()  # not signed in: the link is all they have
    partner.goto(link.group(0))
    assert "You have answered 0 of 24 questions" in partner.content()
    failures += check(partner, "", demo_server)
    partner.get_by_role("link", name="About you").click()
    failures += check(partner, "", demo_server)
    partner.get_by_role("button", name="Save and continue").click()  # the anonymity question is required
    assert partner.title().startswith("Error: ")
    failures += check(partner, "", demo_server)
    partner.get_by_label("No, answer anonymously").check()
    partner.get_by_role("button", name="Save and continue").click()

    partner.get_by_role("link", name=re.compile(r"^1\.1 ")).click()
    partner.get_by_role("button", name="Save and continue").click()
    assert partner.title().startswith("Error: ")
    failures += check(partner, "", demo_server)
    for number, code in enumerate(CURRENT.codes):
        assert f"question {number + 1} of 24" in partner.content()
        partner.get_by_label(("Emerging", "Developing")[number % 2]).check()
        partner.get_by_label("What is your evidence?").fill(f"What we saw for {code}")
        if number == 0:
            failures += check(partner, "", demo_server)
        partner.get_by_role("button", name="Save and continue").click()
        partner.wait_for_load_state()
    assert "You have answered 24 of 24 questions" in partner.content()
    partner.get_by_role("button", name="Check your answers").click()
    failures += check(partner, "", demo_server)
    partner.get_by_role("button", name="Submit your answers").click()
    partner.wait_for_load_state()
    assert "Answers submitted" in partner.content()
    failures += check(partner, "", demo_server)

    response = Response.objects.get(invitation__email="partner.e2e@example.org")
    assert response.submitted_at is not None and response.anonymous and response.answers.count() == 24
    partner.goto(link.group(0))
    assert "You have already submitted your answers" in partner.content()
    assert failures == [], "\n\n".join(failures)


def test_council_assessment_pages_pass_axe(browser: Any, demo_server: str) -> None:
    closed = Round.objects.filter(council__gss_code="E08000033", closed_at__isnull=False).order_by("-opened_on").first()
    opened = Round.objects.get(council__gss_code="E08000033", closed_at__isnull=True)
    action = Action.objects.filter(council__gss_code="E08000033").first()
    assert closed and action
    base = CALDERDALE + "assessment/"
    failures: list[str] = []
    page = browser.new_context().new_page()
    sign_in(page, demo_server, "editor@calderdale.example")
    for path in [
        base,
        base + "rounds/new/",
        f"{base}rounds/{opened.pk}/",
        f"{base}rounds/{opened.pk}/results/",
        f"{base}rounds/{closed.pk}/",
        f"{base}rounds/{closed.pk}/results/",
        f"{base}rounds/{closed.pk}/answers/",
        f"{base}rounds/{closed.pk}/report/",
        f"{base}rounds/{closed.pk}/invite/",  # refused: the round is closed
        f"{base}rounds/{opened.pk}/close/",  # the confirmation before closing
        base + "actions/",
        base + "actions/new/",
        f"{base}actions/{action.pk}/",
        base + "sharing/",
        base + "benchmark/",
        "/respond/not-a-real-link/",
    ]:
        failures += check(page, path, demo_server)
    page.goto(demo_server + base + "actions/new/")
    page.get_by_role("button", name="Add the action").click()
    assert page.title().startswith("Error: ")
    failures += check(page, "", demo_server)
    assert failures == [], "\n\n".join(failures)
