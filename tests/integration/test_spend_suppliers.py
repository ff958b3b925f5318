"""Supplier work at a council's scale: search, filters with counts, sorting, a page per supplier, corrections many at
a time (each audited), and other councils' corrections offered as suggestions, never applied silently."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from keepitlocal.network.models import AuditEntry
from keepitlocal.spend.models import AnalysisRun, Supplier, SupplierCorrection
from tests.conftest import StrictHTMLClient, signed_in_client

CALDERDALE = "E08000033"
BRISTOL = "E06000023"
SUPPLIERS = f"/manage/councils/{CALDERDALE}/spend/suppliers/"
FILE = (
    "Supplier Name,Amount,Date,Expense Area,Charity Number\n"
    "Acme Construction Ltd,1200000,2024-04-02,Highways,\n"
    "Acme Construction Ltd,5000,2024-05-02,Highways,\n"
    "Calder Valley Hub CIC,25000,2024-04-03,Communities,\n"
    "Halifax Food Bank,800,2024-04-04,Communities,1123456\n"
    "Northgate Widgets,150000,2024-04-05,Facilities,\n"
    "Pennine Print Solutions,2000,2024-04-06,Facilities,\n"
    "Todmorden Tenants Forum,300,2024-04-07,Housing,\n"
)


def _upload(client: StrictHTMLClient, gss: str, content: str, name: str = "spend.csv") -> None:
    client.post(f"/manage/councils/{gss}/spend/upload/", {"spend_file": SimpleUploadedFile(name, content.encode())})
    assert AnalysisRun.objects.filter(council__gss_code=gss).first().status == "succeeded"  # type: ignore[union-attr]


def _names(page: str) -> list[str]:
    """Supplier names in the table, in order."""
    return re.findall(
        r'<th scope="row" class="govuk-table__header kil-break"><a class="govuk-link" href="[^"]+">([^<]+)</a>', page
    )


def _count(page: str, label: str) -> int:
    found = re.search(re.escape(label) + r" \((\d+)\)", page)
    assert found, f"no option {label!r}"
    return int(found.group(1))


@pytest.fixture
def editor(demo: list[str]) -> StrictHTMLClient:
    client = signed_in_client("editor@calderdale.example")
    _upload(client, CALDERDALE, FILE)
    return client


@pytest.mark.django_db
def test_search_filters_count_what_choosing_them_would_show(editor: StrictHTMLClient) -> None:
    page = editor.get(SUPPLIERS).content.decode()
    assert _names(page)[0] == "Acme Construction Ltd"  # most spend first
    assert _count(page, "VCSE organisation") == 3 and _count(page, "Private business") == 1 and _count(page, "Unknown") == 2
    # Searching narrows every count; each word must match.
    page = editor.get(SUPPLIERS + "?q=calder+hub").content.decode()
    assert _names(page) == ["Calder Valley Hub CIC"] and "1 supplier matching" in page
    # A facet's own counts ignore its own choice (so a person sees what adding an option would give) but follow the others.
    page = editor.get(SUPPLIERS + "?type=vcse&spend=under-1k").content.decode()
    assert sorted(_names(page)) == ["Halifax Food Bank", "Todmorden Tenants Forum"]
    assert _count(page, "VCSE organisation") == 2 and "Unknown (" not in page  # no unknown supplier under £1,000
    assert _count(page, "Under £1,000 (or net refunds)") == 2 and _count(page, "£10,000 to £100,000") == 1
    # Several options of one facet are alternatives.
    page = editor.get(SUPPLIERS + "?type=vcse&type=private").content.decode()
    assert len(_names(page)) == 4
    # How sure, in words, and what decided the type.
    page = editor.get(SUPPLIERS + "?confidence=high").content.decode()
    assert _names(page) == ["Halifax Food Bank"]  # the council publishes its charity number
    page = editor.get(SUPPLIERS + "?evidence=name&sort=name").content.decode()
    assert _names(page) == ["Acme Construction Ltd", "Calder Valley Hub CIC", "Todmorden Tenants Forum"]
    # Values it does not know are ignored, not an error.
    assert editor.get(SUPPLIERS + "?type=nonsense&sort=nonsense&confidence=").status_code == 200
    # Where each supplier is: no register is loaded, so none is placed, and the filter says so with its count.
    page = editor.get(SUPPLIERS + "?place=unknown").content.decode()
    assert _count(page, "Not known") == 6 and len(_names(page)) == 6 and "Where it is" in page
    assert "In the council&#39;s area (" not in page and _names(editor.get(SUPPLIERS + "?place=local").content.decode()) == []


@pytest.mark.django_db
def test_the_list_speaks_in_words_and_downloads_what_it_shows(editor: StrictHTMLClient) -> None:
    page = editor.get(SUPPLIERS + "?sort=confidence").content.decode()
    assert _names(page)[:2] == ["Northgate Widgets", "Pennine Print Solutions"]  # nothing decided these: first to check
    assert "None: not classified" in page and "Low: worth checking" in page and "score 0.00" in page
    for code in ("vcse", "private", "unknown", "register-number", "in_progress"):
        assert f">{code}<" not in page and f"> {code} <" not in page
    download = editor.get(SUPPLIERS + "?type=vcse&format=csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(download.streaming_content).decode().lstrip("\ufeff"))))  # type: ignore[attr-defined]
    assert {r["Supplier"] for r in rows} == {"Calder Valley Hub CIC", "Halifax Food Bank", "Todmorden Tenants Forum"}
    assert {r["Type"] for r in rows} == {"VCSE organisation"} and rows[0]["How sure"] in {"High", "Medium", "Low: worth checking"}


@pytest.mark.django_db
def test_many_suppliers_corrected_at_once_each_audited(editor: StrictHTMLClient) -> None:
    # Nothing ticked, no type, no reason: the page comes back with every message and the filters kept.
    response = editor.post(SUPPLIERS + "?type=unknown", {})
    body = response.content.decode()
    assert response.status_code == 400 and body.startswith("<!DOCTYPE html>") and "Error: " in body
    assert "Select at least one supplier to correct" in body and "Enter why this is correct" in body
    assert sorted(_names(body)) == ["Northgate Widgets", "Pennine Print Solutions"]
    # A key of another council's supplier is not this council's to correct.
    response = editor.post(SUPPLIERS, {"key": ["someone-elses"], "supplier_type": "private", "reason": "x"})
    assert response.status_code == 400
    response = editor.post(
        SUPPLIERS + "?type=unknown",
        {
            "key": ["northgate-widgets", "pennine-print-solutions"],
            "supplier_type": "private",
            "reason": "Both trade as businesses",
        },
    )
    assert response["Location"] == SUPPLIERS + "?type=unknown"  # the figures updated at once, the page as it was
    for key in ("northgate-widgets", "pennine-print-solutions"):
        supplier = Supplier.objects.get(council__gss_code=CALDERDALE, key=key)
        assert supplier.supplier_type == "private" and supplier.evidence_kind == "correction"
        assert "Both trade as businesses" in supplier.evidence
    entries = AuditEntry.objects.filter(council__gss_code=CALDERDALE, action="corrected")
    assert {e.record_id for e in entries} == {"northgate-widgets", "pennine-print-solutions"}
    assert all({"field": "Supplier type", "from": "Unknown", "to": "Private business"} in e.changes for e in entries)
    page = editor.get(SUPPLIERS + "?corrected=yes").content.decode()
    assert sorted(_names(page)) == ["Northgate Widgets", "Pennine Print Solutions"]
    assert _count(page, "Not corrected") == 4


@pytest.mark.django_db
def test_viewers_cannot_correct(editor: StrictHTMLClient) -> None:
    from keepitlocal.accounts.models import Role, User

    viewer = User.objects.get(email="viewer@bristol.example")
    Role.objects.create(user=viewer, council_id=Supplier.objects.first().council_id, kind=Role.Kind.COUNCIL_VIEWER)  # type: ignore[union-attr]
    client = signed_in_client("viewer@bristol.example")
    page = client.get(SUPPLIERS).content.decode()
    assert "Correct the selected suppliers" not in page and 'name="key"' not in page
    response = client.post(SUPPLIERS, {"key": ["northgate-widgets"], "supplier_type": "vcse", "reason": "x"})
    assert response.status_code == 403
    assert Supplier.objects.get(key="northgate-widgets", council__gss_code=CALDERDALE).supplier_type == "unknown"


@pytest.mark.django_db
def test_a_suppliers_page_shows_spellings_identifiers_payments_and_history(editor: StrictHTMLClient) -> None:
    _upload(
        editor,
        CALDERDALE,
        "Supplier Name,Amount,Date\nHALIFAX FOOD BANK LTD,50,2024-06-01\nHalifax Food Bank,70,2024-06-02\n",
        "june.csv",
    )
    page = editor.get(SUPPLIERS + "halifax-food-bank/").content.decode()
    assert "Halifax Food Bank" in page and "GB-CHC-1123456" in page
    assert "https://register-of-charities.charitycommission.gov.uk/charity-search/-/charity-details/1123456" in page
    assert "A charity number the council publishes" in page and "High (score 0.90 out of 1)" in page
    assert "3 payments, most recent first" in page
    assert "Nobody at Calderdale" in page
    editor.post(
        SUPPLIERS + "halifax-food-bank/correct/", {"supplier_type": "vcse", "org_id": "", "reason": "Checked the register"}
    )
    page = editor.get(SUPPLIERS + "halifax-food-bank/").content.decode()
    assert "Checked the register" in page and "editor@calderdale.example" in page
    assert editor.get(SUPPLIERS + "no-such-supplier/").status_code == 404


@pytest.mark.django_db
def test_another_councils_correction_is_offered_never_applied(editor: StrictHTMLClient) -> None:
    admin = signed_in_client("admin@example.org")
    _upload(admin, BRISTOL, "Supplier Name,Amount,Date\nNorthgate Widgets,900,2024-04-01\n", "bristol.csv")
    admin.post(
        f"/manage/councils/{BRISTOL}/spend/suppliers/northgate-widgets/correct/",
        {"supplier_type": "vcse", "org_id": "GB-CHC-1000001", "reason": "A registered charity that sells widgets"},
    )
    assert Supplier.objects.get(council__gss_code=BRISTOL, key="northgate-widgets").supplier_type == "vcse"
    # Calderdale's figures are untouched: the same supplier stays as Calderdale's analysis found it.
    assert Supplier.objects.get(council__gss_code=CALDERDALE, key="northgate-widgets").supplier_type == "unknown"
    page = editor.get(SUPPLIERS + "?corrected=suggested").content.decode()
    assert _names(page) == ["Northgate Widgets"] and "Suggestion from another council" in page
    page = editor.get(SUPPLIERS + "northgate-widgets/").content.decode()
    assert "Bristol" in page and "marked this a VCSE organisation, GB-CHC-1000001" in page
    suggestion = SupplierCorrection.objects.get(council__gss_code=BRISTOL)
    form = editor.get(SUPPLIERS + f"northgate-widgets/correct/?suggestion={suggestion.pk}").content.decode()
    assert "Filled in from a suggestion" in form and "A registered charity that sells widgets" in form
    assert 'value="vcse" checked' in form and "GB-CHC-1000001" in form
    # A suggestion id that is not a suggestion for this supplier fills nothing in.
    assert "Filled in" not in editor.get(SUPPLIERS + "northgate-widgets/correct/?suggestion=999999").content.decode()
    # Once Calderdale agrees, it is no longer offered.
    editor.post(
        SUPPLIERS + "northgate-widgets/correct/",
        {"supplier_type": "vcse", "org_id": "GB-CHC-1000001", "reason": "As Bristol's editor found"},
    )
    assert "Suggestions from other councils" not in editor.get(SUPPLIERS + "northgate-widgets/").content.decode()


@pytest.mark.django_db
def test_the_demo_shows_a_suggestion_from_another_council(demo: list[str]) -> None:
    from keepitlocal.spend.demo import load_demo_spend

    load_demo_spend()
    editor = signed_in_client("editor@calderdale.example")
    leeds = Supplier.objects.get(council__gss_code="E08000035", key="pennine-care-services-ltd-demo")
    calderdale = Supplier.objects.get(council__gss_code=CALDERDALE, key="pennine-care-services-ltd-demo")
    assert leeds.supplier_type == "vcse" and leeds.evidence_kind == "correction"
    assert calderdale.supplier_type == "private"  # offered, never applied
    page = editor.get(SUPPLIERS + "pennine-care-services-ltd-demo/").content.decode()
    assert "Leeds" in page and "Suggestions from other councils" in page


@pytest.mark.django_db
def test_corrections_on_a_council_with_years_of_spend_give_the_figures_a_full_analysis_gives(
    demo: list[str], settings: Any
) -> None:
    """The demo's three financial years (service areas, credit notes, payees not published): the largest suppliers of
    unknown type corrected in place, then the files analysed again, and every figure of every year compared."""
    from keepitlocal.spend import services
    from keepitlocal.spend.demo import load_demo_spend

    load_demo_spend()
    editor = signed_in_client("editor@calderdale.example")
    unknown = list(Supplier.objects.filter(council__gss_code=CALDERDALE, supplier_type="unknown")[:3])
    local = Supplier.objects.filter(council__gss_code=CALDERDALE, supplier_type="private", is_local=True).first()
    assert unknown and local is not None
    editor.post(SUPPLIERS, {"key": [s.key for s in unknown], "supplier_type": "vcse", "reason": "Registered charities"})
    # The second correction reads the payments from the database, as where the kept file is missing (a restored backup).
    for kept in settings.KIL_FIGURES_DIR.glob(f"{CALDERDALE}-*.parquet"):
        kept.unlink()
    editor.post(f"{SUPPLIERS}{local.key}/correct/", {"supplier_type": "public", "org_id": "", "reason": "A council company"})
    fast = AnalysisRun.objects.filter(council__gss_code=CALDERDALE).first()
    assert fast is not None and fast.based_on is not None and len(fast.analysis_figures.years) == 3
    assert Supplier.objects.get(council__gss_code=CALDERDALE, key=local.key).org_id == local.org_id  # kept: none given
    services.start_analysis(local.council)  # tasks run at once in the tests
    full = AnalysisRun.objects.filter(council__gss_code=CALDERDALE).first()
    assert full is not None and full.based_on is None and full.pk != fast.pk
    assert full.analysis_figures == fast.analysis_figures and full.period == fast.period
