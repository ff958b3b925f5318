"""Every page of the demo, public and signed in, in headless Chromium: axe-core finds no WCAG 2.2 A or AA failure.

Also the journeys a person takes, with and without JavaScript.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from keepitlocal.network.models import Champion, CommunityConversation, Event, Organisation

pytestmark = pytest.mark.e2e

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
PASSWORD = "keepitlocal-demo"


def check(page: Any, path: str, base: str) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    if path:
        response = page.goto(base + path)
        assert response is not None and response.status < 500, f"{path}: {response.status if response else 'no response'}"
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    if results.violations_count:
        return [f"{page.url}\n{results.generate_report()}"]
    return []


def sign_in(page: Any, base: str, email: str) -> None:
    page.goto(base + "/account/sign-in/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert "/account/sign-in/" not in page.url, f"{email} could not sign in"


def _directory_entry() -> str:
    from keepitlocal.directory.models import DirectoryOrganisation

    entry = DirectoryOrganisation.objects.filter(council__gss_code="E08000033").first()
    assert entry is not None
    return str(entry.pk)


def test_public_pages_pass_axe(browser: Any, demo_server: str) -> None:
    page = browser.new_page()
    failures: list[str] = []
    for path in [
        "/",
        "/principles/",
        "/councils/",
        "/councils/?region=London",
        "/councils/E08000033/",
        "/councils/E10000011/",
        "/join/",
        "/join/done/",
        "/accessibility/",
        "/glossary/",
        "/compare/spend/",
        "/assessment/framework/",
        "/compare/spend/?sort=council",
        "/account/sign-in/",
        "/account/password-reset/",
        "/account/password-reset/sent/",
        "/no-such-page/",
        "/councils/E08000033/directory/",
        "/councils/E08000033/directory/?sector=vcse",
        f"/directory/organisations/{_directory_entry()}/",
        "/reconcile/docs",
    ]:
        failures += check(page, path, demo_server)
    # Error states: the GOV.UK error summary and inline messages must be accessible too.
    page.goto(demo_server + "/join/")
    page.get_by_role("button", name="Send my request").click()
    page.wait_for_load_state()
    assert page.title().startswith("Error: ")
    failures += check(page, "", demo_server)
    page.goto(demo_server + "/account/sign-in/")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    failures += check(page, "", demo_server)
    assert failures == [], "\n\n".join(failures)


def test_signed_in_pages_pass_axe(browser: Any, demo_server: str) -> None:
    calderdale = "/manage/councils/E08000033/"
    champion = Champion.objects.filter(membership__council__gss_code="E08000033").first()
    conversation = CommunityConversation.objects.filter(membership__council__gss_code="E08000033").first()
    event = Event.objects.get(title__startswith="West Yorkshire")
    assert champion and conversation
    failures: list[str] = []

    page = browser.new_context().new_page()
    sign_in(page, demo_server, "editor@calderdale.example")
    for path in [
        "/dashboard/",
        calderdale,
        calderdale + "membership/",
        calderdale + "status/",
        calderdale + "endorsement/",
        calderdale + "champions/new/",
        f"{calderdale}champions/{champion.pk}/",
        calderdale + "conversations/new/",
        f"{calderdale}conversations/{conversation.pk}/",
        "/network/events/",
        f"/network/events/{event.pk}/",
        calderdale + "spend/",
        calderdale + "spend/suppliers/",
        calderdale + "spend/payments/?type=vcse",
        calderdale + "spend/suppliers/calder-valley-community-hub-cic-demo/correct/",
        calderdale + "spend/suppliers/pennine-care-services-ltd-demo/",  # with another council's suggestion
        calderdale + "spend/suppliers/?q=demo&confidence=low&sort=name",
        calderdale + "spend/?year=all",
        calderdale + "directory/import/",
        "/reconcile/upload/",
        "/account/",
        "/manage/councils/E06000023/",  # the 403 page
    ]:
        failures += check(page, path, demo_server)
    page.goto(demo_server + calderdale + "champions/new/")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert page.title().startswith("Error: ")
    failures += check(page, "", demo_server)

    page = browser.new_context().new_page()
    sign_in(page, demo_server, "admin@example.org")
    for path in [
        "/dashboard/",
        "/network/",
        "/network/events/new/",
        "/network/registers/",
        "/manage/councils/E10000011/",
        "/value/deflator/",
    ]:
        failures += check(page, path, demo_server)

    page = browser.new_context().new_page()
    sign_in(page, demo_server, "org@example.org")
    organisation = Organisation.objects.get(name__startswith="Calder Valley")
    failures += check(page, f"/manage/organisations/{organisation.pk}/", demo_server)
    failures += check(page, f"/manage/organisations/{organisation.pk}/value-cases/", demo_server)

    page = browser.new_context().new_page()
    sign_in(page, demo_server, "viewer@bristol.example")
    failures += check(page, "/manage/councils/E06000023/", demo_server)
    assert failures == [], "\n\n".join(failures)


def test_recording_a_champion_works_without_javascript(browser: Any, demo_server: str) -> None:
    page = browser.new_context(java_script_enabled=False).new_page()
    sign_in(page, demo_server, "admin@example.org")
    page.goto(demo_server + "/manage/councils/E10000011/champions/new/")
    page.get_by_label("Cabinet champion").check()
    page.get_by_label("Full name").fill("Cllr Test Person")
    page.get_by_label("Role title").fill("Lead member for communities")
    page.locator("#id_started_on-day").fill("1")
    page.locator("#id_started_on-month").fill("10")
    page.locator("#id_started_on-year").fill("2026")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert page.url.endswith("/manage/councils/E10000011/")
    assert "Champion saved" in page.content()
    assert "Cllr Test Person" in page.content()


def test_demo_accounts_sign_in(browser: Any, demo_server: str) -> None:
    for email in ("admin@example.org", "editor@calderdale.example", "viewer@bristol.example", "org@example.org"):
        sign_in(browser.new_context().new_page(), demo_server, email)


def test_the_axe_check_does_find_failures(browser: Any) -> None:
    # Guard against a check that passes everything: a page with known failures must be reported.
    page = browser.new_page()
    page.set_content('<html><body><img src="x.png"><input type="text"><a href="#"></a></body></html>')
    failures = check(page, "", "")
    assert failures and "image-alt" in failures[0]


def test_spend_upload_progress_dashboard_and_suppliers_pass_axe(browser: Any, demo_server: str, tmp_path: Any) -> None:
    spend = tmp_path / "calderdale-april.csv"
    spend.write_text(
        "Supplier Name,Amount,Date,Expense Area\n"
        "Acme Construction Ltd,1200,2024-04-02,Highways\n"
        "Calder Valley Hub CIC,500,02/04/2024,Communities\n"
        "REDACTED UNDER DP ACT,750,2024-04-03,Children\n"
        "Acme Construction Ltd,abc,2024-04-04,Highways\n"
    )
    page = browser.new_context().new_page()
    sign_in(page, demo_server, "editor@calderdale.example")
    failures = check(page, "/manage/councils/E08000033/spend/", demo_server)
    failures += check(page, "/manage/councils/E08000033/spend/upload/", demo_server)
    page.get_by_role("button", name="Upload and analyse").click()
    page.wait_for_load_state()
    assert page.title().startswith("Error: ")
    failures += check(page, "", demo_server)
    page.get_by_label("Upload spend files").set_input_files(str(spend))
    page.get_by_role("button", name="Upload and analyse").click()
    page.wait_for_load_state()
    assert "/spend/runs/" in page.url
    page.get_by_role("link", name="See the results").wait_for(timeout=20000)
    failures += check(page, "", demo_server)
    page.get_by_role("link", name="See the results").click()
    page.wait_for_load_state()
    assert "calderdale-april.csv" in page.content()  # analysed together with the demo year already there
    failures += check(page, "", demo_server)
    failures += check(page, "/manage/councils/E08000033/spend/suppliers/", demo_server)
    failures += check(page, "/manage/councils/E08000033/spend/suppliers/?type=unknown", demo_server)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as CSV").click()
    assert download.value.suggested_filename.endswith(".csv")
    assert failures == [], "\n\n".join(failures)


def test_calderdale_editor_uploads_a_real_month_corrects_a_supplier_and_downloads(browser: Any, demo_server: str) -> None:
    from tests.paths import real_file

    month = real_file("spend/calderdale/fy2021_22/calderdale_2021-04.csv")
    page = browser.new_context().new_page()
    sign_in(page, demo_server, "editor@calderdale.example")
    page.goto(demo_server + "/manage/councils/E08000033/spend/upload/")
    page.get_by_label("Upload spend files").set_input_files(str(month))
    page.get_by_role("button", name="Upload and analyse").click()
    page.get_by_role("link", name="See the results").wait_for(timeout=120000)
    failures = check(page, "", demo_server)
    page.get_by_role("link", name="See the results").click()
    page.wait_for_load_state()
    assert "calderdale_2021-04.csv" in page.content() and "2,138" in page.content()  # rows read from the real month
    failures += check(page, "", demo_server)
    page.goto(demo_server + "/manage/councils/E08000033/spend/suppliers/?type=unknown")
    failures += check(page, "", demo_server)
    page.locator("table.kil-suppliers tbody th a").first.click()
    page.wait_for_load_state()
    failures += check(page, "", demo_server)
    page.get_by_role("link", name="Correct").first.click()
    page.wait_for_load_state()
    failures += check(page, "", demo_server)
    page.get_by_label("Public body").check()
    page.get_by_label("Why is this correct?").fill("It is a government agency")
    page.get_by_role("button", name="Save the correction").click()
    page.wait_for_load_state()
    assert "the figures are updated" in page.content()  # applied at once, not by reading the files again
    failures += check(page, "", demo_server)
    page.goto(demo_server + "/manage/councils/E08000033/spend/suppliers/")
    assert "Corrected by editor@calderdale.example" in page.content()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as CSV").click()
    assert "Corrected by editor@calderdale.example" in Path(download.value.path()).read_text()
    assert failures == [], "\n\n".join(failures)


def test_an_editor_searches_filters_and_corrects_several_suppliers_at_once(browser: Any, demo_server: str) -> None:
    from keepitlocal.network.models import AuditEntry
    from keepitlocal.spend.models import Supplier, SupplierCorrection

    page = browser.new_context().new_page()
    sign_in(page, demo_server, "editor@calderdale.example")
    failures = check(page, "/manage/councils/E08000033/spend/suppliers/", demo_server)
    # Search, then narrow with a filter whose count says what it will show.
    # The demo's two fixed limited companies (generated names never say "demo").
    page.get_by_label("Name or org-id").fill("ltd (demo)")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_load_state()
    rows = page.locator("table.kil-suppliers tbody tr")
    assert rows.count() == 2, page.content()
    label = page.locator("label.govuk-checkboxes__label", has_text=re.compile(r"^Private business \(\d+\)$"))
    found = re.search(r"\((\d+)\)", label.inner_text())
    assert found is not None
    private_count = int(found.group(1))
    label.click()
    page.get_by_role("button", name="Apply").click()
    page.wait_for_load_state()
    assert rows.count() == private_count
    failures += check(page, "", demo_server)
    # Submitting nothing is refused with an accessible error summary; the search is kept.
    page.get_by_role("button", name="Correct the selected suppliers").click()
    page.wait_for_load_state()
    assert page.title().startswith("Error: ") and "Select at least one supplier to correct" in page.content()
    assert page.get_by_label("Name or org-id").input_value() == "ltd (demo)"
    failures += check(page, "", demo_server)
    chosen = [page.locator("table.kil-suppliers tbody tr").nth(i).locator("th a").inner_text() for i in range(rows.count())]
    for name in chosen:
        page.get_by_label(f"Select {name}").check()
    page.get_by_label("Public body").check()
    page.get_by_label("Why is this correct?").fill("Both are council-owned companies")
    page.get_by_role("button", name="Correct the selected suppliers").click()
    page.wait_for_load_state()
    assert f"{len(chosen)} suppliers corrected to Public body; the figures are updated" in page.content()
    page.goto(demo_server + "/manage/councils/E08000033/spend/suppliers/?corrected=yes")
    listed = page.locator("table.kil-suppliers tbody tr")
    corrected = {listed.nth(i).locator("th a").inner_text() for i in range(listed.count())}
    # The chosen suppliers, beside any the demo itself corrected (it gives the community hub its charity number).
    by_corrections = SupplierCorrection.objects.filter(council__gss_code="E08000033").values("supplier_key")
    on_record = Supplier.objects.filter(council__gss_code="E08000033", key__in=by_corrections)
    assert set(chosen) <= corrected and corrected == set(on_record.values_list("name", flat=True))
    assert all(s.supplier_type == "public" for s in Supplier.objects.filter(council__gss_code="E08000033", name__in=chosen))
    assert AuditEntry.objects.filter(council__gss_code="E08000033", action="corrected").count() == len(chosen)
    failures += check(page, "", demo_server)
    page.locator("table.kil-suppliers tbody th a").first.click()
    page.wait_for_load_state()
    assert "Both are council-owned companies" in page.content()
    failures += check(page, "", demo_server)
    assert failures == [], "\n\n".join(failures)
