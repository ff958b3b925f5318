"""A value case in Chromium: a council editor builds one through its forms (errors first), adds an outcome from the
unit cost library and reads the result with its range and agency split; every page passes axe-core."""

from __future__ import annotations

import re
from typing import Any

import pytest

from keepitlocal.network.models import Organisation
from keepitlocal.value.models import ValueCase
from tests.e2e.test_accessibility import check, sign_in

pytestmark = pytest.mark.e2e


def test_a_council_builds_a_value_case(browser: Any, demo_server: str) -> None:
    failures: list[str] = []
    page = browser.new_context().new_page()
    sign_in(page, demo_server, "editor@calderdale.example")
    page.goto(demo_server + "/manage/councils/E08000033/")
    page.get_by_role("link", name=re.compile("^Value cases")).click()
    failures += check(page, "", demo_server)
    page.get_by_role("link", name="Start a value case").click()
    page.get_by_role("button", name="Save and continue").click()
    assert page.title().startswith("Error: ")
    failures += check(page, "", demo_server)
    page.get_by_label("Title").fill("Young carers service e2e")
    page.get_by_label("Price year").fill("2019/20")
    page.get_by_label("Cost of the intervention each year (£)").fill("50,000, 60,000, 70,000")
    page.get_by_label("Years of delivery").fill("2")
    page.get_by_label("People reached each year").fill("40")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_load_state()
    assert "Add an outcome" in page.title()
    failures += check(page, "", demo_server)
    page.get_by_label("Outcome", exact=True).fill("Police call-outs avoided")
    page.get_by_label("Unit cost codes").fill("CR2.0.3")
    page.get_by_label("Events per person").fill("1")
    page.get_by_label("Success rate").fill("20%, 30%, 40%")
    page.get_by_label("Grade 3: optimism bias 10%").check()
    page.get_by_label("Years the effect lasts").fill("1")
    page.get_by_role("button", name="Add the outcome").click()
    page.wait_for_load_state()
    errors = page.locator(".govuk-error-summary").all_inner_texts()
    assert "Outcome added" in page.content(), errors
    assert re.search(r"of fiscal savings for every £1 spent</strong> \(range £", page.content())
    assert "Police and criminal justice" in page.content()
    failures += check(page, "", demo_server)
    assert ValueCase.objects.get(title="Young carers service e2e").outcomes.count() == 1

    demo = ValueCase.objects.get(is_demo=True)
    failures += check(page, f"/manage/councils/E08000033/value/{demo.pk}/", demo_server)
    failures += check(page, "/value/unit-costs/?q=domestic", demo_server)
    failures += check(page, "/manage/councils/E08000033/value/unit-costs/new/", demo_server)
    failures += check(page, "/manage/councils/E08000033/value/lm3/", demo_server)
    failures += check(page, f"/manage/councils/E08000033/value/{demo.pk}/claims/add/", demo_server)
    organisation = browser.new_context().new_page()
    sign_in(organisation, demo_server, "org@example.org")
    hub = Organisation.objects.get(name__startswith="Calder Valley")
    failures += check(organisation, f"/manage/organisations/{hub.pk}/lm3/", demo_server)
    organisation.get_by_role("button", name="Save the survey").click()
    assert organisation.title().startswith("Error: ")
    failures += check(organisation, "", demo_server)
    public = browser.new_context().new_page()
    failures += check(public, f"/councils/E08000033/value/{demo.pk}/", demo_server)
    assert failures == [], "\n\n".join(failures)
