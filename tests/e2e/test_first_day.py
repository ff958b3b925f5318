"""A real council's first day, in Chromium, with no Django admin, command line or mapping file: the network team adds
a council that is not in the demo and invites its editor; the editor sets a password through the emailed link,
uploads a year of real monthly spend files at once (with a card-transactions file among them, which is not spend),
sees how the files were read, changes a column for every file of their layout, corrects a supplier, checks what
limits each figure and publishes; the public profile shows what was published, with honest figures. Every page on the
way passes axe-core."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from keepitlocal.spend.models import AnalysisRun, ColumnChoice, SpendPublication, Supplier
from tests.e2e.test_accessibility import check, sign_in
from tests.paths import real_file

pytestmark = pytest.mark.e2e
SHEFFIELD = "E08000019"  # a metropolitan borough that is not in the demo
PASSWORD = "a-long-password-for-sheffield"


def _months() -> list[Path]:
    folder = real_file("spend/calderdale/fy2021_22/calderdale_2021-04.csv").parent
    return sorted(folder.glob("calderdale_2021-*.csv"))


def test_a_council_not_in_the_demo_from_joining_to_published_figures(
    browser: Any, demo_server: str, email_outbox: list[Any]
) -> None:
    failures: list[str] = []
    admin = browser.new_context().new_page()
    sign_in(admin, demo_server, "admin@example.org")
    admin.goto(demo_server + "/network/")
    admin.get_by_role("link", name=re.compile("^Councils: add a council")).click()
    admin.get_by_label("Council name or GSS code").fill("Sheffield")
    admin.get_by_role("button", name="Search").click()
    admin.wait_for_load_state()
    failures += check(admin, "", demo_server)
    admin.get_by_role("button", name=re.compile("^Add to the network.*Sheffield")).click()
    admin.wait_for_load_state()
    assert "Sheffield is in the network as a prospect" in admin.content()
    failures += check(admin, "", demo_server)
    admin.get_by_label("Email address").fill("ed@sheffield.example")
    admin.get_by_label("Full name (optional)").fill("Ed Itor")
    admin.get_by_label("Editor").check()
    admin.get_by_role("button", name="Send the invitation").click()
    admin.wait_for_load_state()
    assert "Invited ed@sheffield.example" in admin.content() and "Invited" in admin.content()
    link = re.search(r"https?://\S+/invitation/[\w-]+/", email_outbox[-1].body)
    assert link and link.group(0).startswith(demo_server), email_outbox[-1].body

    editor = browser.new_context().new_page()  # not signed in: the link is all they have
    editor.goto(link.group(0))
    failures += check(editor, "", demo_server)
    editor.get_by_label("New password", exact=True).fill(PASSWORD)
    editor.get_by_label("Confirm new password").fill(PASSWORD)
    editor.get_by_role("button", name="Set password").click()
    editor.wait_for_load_state()
    assert "Your password is set" in editor.content()
    editor.get_by_label("Email address").fill("ed@sheffield.example")
    editor.get_by_label("Password", exact=True).fill(PASSWORD)
    editor.get_by_role("button", name="Sign in").click()
    editor.wait_for_load_state()
    assert f"/manage/councils/{SHEFFIELD}/" in editor.url

    # A year of monthly files at once, and a card-transactions file that is not spend over £500.
    spend = f"{demo_server}/manage/councils/{SHEFFIELD}/spend/"
    editor.goto(spend + "upload/")
    failures += check(editor, "", demo_server)
    card = real_file("spend/calderdale/calderdale_2022-03-card.csv")
    editor.get_by_label("Upload spend files").set_input_files([str(p) for p in [*_months(), card]])
    editor.get_by_role("button", name="Upload and analyse").click()
    editor.wait_for_load_state()
    run = AnalysisRun.objects.filter(council__gss_code=SHEFFIELD).first()
    assert run is not None and run.status == "succeeded", run and run.message
    editor.goto(spend)
    page = editor.content()
    assert "1 file was not read" in page and "purchase card transactions" in page
    assert "No payments in the files" not in page  # the months no file covers are not known, never without payments
    failures += check(editor, "", demo_server)

    # How the monthly files were read: one reading for all nine, each field with its heading, values and what decided it.
    editor.get_by_role("link", name=re.compile("^How it was read.*calderdale_2021-04.csv")).click()
    editor.wait_for_load_state()
    reading = editor.content()
    assert "How this file was read" in reading and "9 files have this heading row" in reading
    assert "Supplier(Beneficiary) Name" in reading and "Its heading" in reading
    failures += check(editor, "", demo_server)
    editor.get_by_label("Service area").select_option("Purpose of Spend (Summary)")
    editor.get_by_role("button", name="Save and analyse again").click()
    editor.wait_for_load_state()
    choice = ColumnChoice.objects.get(council__gss_code=SHEFFIELD, field="service_area")
    assert choice.layout and choice.column == "Purpose of Spend (Summary)"
    assert AnalysisRun.objects.filter(council__gss_code=SHEFFIELD).first().status == "succeeded"  # type: ignore[union-attr]

    # A supplier corrected: the figures update at once.
    top = Supplier.objects.filter(council__gss_code=SHEFFIELD, supplier_type="unknown").first()
    assert top is not None
    editor.goto(f"{spend}suppliers/{top.key}/correct/")
    failures += check(editor, "", demo_server)
    editor.get_by_label("Private business").check()
    editor.get_by_label("Why is this correct?").fill("A private company, checked at Companies House")
    editor.get_by_role("button", name=re.compile("^Save")).click()
    editor.wait_for_load_state()
    assert "the figures are updated" in editor.content()

    # Check what limits each figure, then publish.
    editor.goto(spend)
    editor.get_by_role("link", name="Check and publish these figures").click()
    editor.wait_for_load_state()
    limits = editor.content()
    assert "What limits each figure" in limits and "Registers not loaded" in limits
    failures += check(editor, "", demo_server)
    editor.get_by_role("button", name="Publish these figures").click()
    editor.wait_for_load_state()
    publication = SpendPublication.objects.get(council__gss_code=SHEFFIELD)
    assert publication.suppliers.exists()

    public = browser.new_context().new_page()
    public.goto(f"{demo_server}/councils/{SHEFFIELD}/")
    profile = public.content()
    assert "Where the money goes" in profile
    assert "Not measured" in profile  # no supplier's locality is known here: never a near-empty local share
    failures += check(public, "", demo_server)
    assert failures == [], "\n\n".join(failures)
