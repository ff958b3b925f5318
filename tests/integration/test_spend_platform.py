"""Spend in the platform: upload, background analysis, results, re-upload, removal, bad files."""

from __future__ import annotations

import gzip
import io
import re
import zipfile
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from keepitlocal.network.models import AuditEntry, Council
from keepitlocal.spend.engine.figures import IndicatorId
from keepitlocal.spend.models import AnalysisRun, Payment, RejectedRow, SpendFile, Supplier
from tests.conftest import StrictHTMLClient, signed_in_client

CALDERDALE = "E08000033"
BRISTOL = "E06000023"
APRIL = (
    "Spend over £500, April 2024\n\n"
    "Supplier Name,Amount,Date,Expense Area\n"
    'Acme Construction Ltd,"£1,200.00",2024-04-02,Highways\n'
    "Calder Valley Hub CIC,500,02/04/2024,Communities\n"
    "REDACTED UNDER DP ACT,750,2024-04-03,Children\n"
    "Acme Construction Ltd,abc,2024-04-04,Highways\n"
)
MAY = "Supplier Name,Amount,Date\nACME CONSTRUCTION LIMITED,300,2024-05-02\nCalder Valley Hub CIC,(100),2024-05-03\n"


def upload(client: StrictHTMLClient, name: str, content: bytes) -> object:
    return client.post(f"/manage/councils/{CALDERDALE}/spend/upload/", {"spend_file": SimpleUploadedFile(name, content)})


@pytest.mark.django_db
def test_upload_analyse_and_see_the_results(demo: list[str]) -> None:
    editor = signed_in_client("editor@calderdale.example")
    response = upload(editor, "april.csv", APRIL.encode())
    run = AnalysisRun.objects.get()
    assert response["Location"] == f"/manage/councils/{CALDERDALE}/spend/runs/{run.pk}/"  # type: ignore[index]
    assert run.status == "succeeded", run.message
    assert Payment.objects.filter(council__gss_code=CALDERDALE).count() == 3
    assert RejectedRow.objects.get().reason == "The amount 'abc' is not a number"
    assert run.files_report[0]["rows_read"] == 4 and run.files_report[0]["kept"] == 3
    progress = editor.get(f"/manage/councils/{CALDERDALE}/spend/runs/{run.pk}/").content.decode()
    assert "Finished" in progress and "See the results" in progress
    assert 'hx-trigger="every 2s"' not in progress  # no more polling once finished
    page = editor.get(f"/manage/councils/{CALDERDALE}/spend/").content.decode()
    assert "£2,450" in page and "april.csv" in page
    assert (
        "The amount &#39;abc&#39; is not a number" in page and "Acme Construction Ltd,abc,2024-04-04,Highways" in page
    )  # reason with its example
    assert "2024/25" in page  # by financial year
    # The table of types adds up: each type's spend and, under them, every type's, with why it may exceed the total.
    assert "Every type" in page and "counts as nil here" in page
    assert "spend/payments/?area=Highways" in page
    highways = editor.get(f"/manage/councils/{CALDERDALE}/spend/payments/?area=Highways").content.decode()
    assert "in Highways" in highways and "1 payments" in highways
    hub = Supplier.objects.get(key="calder-valley-hub")
    assert hub.supplier_type == "vcse" and "community interest company" in hub.evidence
    assert Supplier.objects.get(key="redacted-personal-data").supplier_type == "individual"
    redacted = editor.get(f"/manage/councils/{CALDERDALE}/spend/suppliers/redacted-personal-data/").content.decode()
    assert "Many payees, not one supplier" in redacted and "add it with a correction" not in redacted

    # The same file again changes nothing.
    response = upload(editor, "april-again.csv", APRIL.encode())
    assert response["Location"] == f"/manage/councils/{CALDERDALE}/spend/"  # type: ignore[index]
    assert SpendFile.objects.count() == 1 and AnalysisRun.objects.count() == 1

    # A second month: every file is analysed together and suppliers are grouped across spellings.
    upload(editor, "may.csv", MAY.encode())
    assert Payment.objects.filter(council__gss_code=CALDERDALE).count() == 5
    acme = Supplier.objects.get(key="acme-construction")
    assert acme.transactions == 2 and str(acme.total_amount) == "1500.00"

    # Removing a file removes exactly its rows and recomputes.
    may = SpendFile.objects.get(original_name="may.csv")
    editor.post(f"/manage/councils/{CALDERDALE}/spend/files/{may.pk}/remove/")
    assert Payment.objects.filter(council__gss_code=CALDERDALE).count() == 3
    assert str(Supplier.objects.get(key="acme-construction").total_amount) == "1200.00"

    suppliers = editor.get(f"/manage/councils/{CALDERDALE}/spend/suppliers/?type=unknown")
    assert suppliers.status_code == 200
    csv_text = b"".join(editor.get(f"/manage/councils/{CALDERDALE}/spend/suppliers/?format=csv").streaming_content).decode()  # type: ignore[attr-defined]
    assert csv_text.splitlines()[0].startswith("Supplier,Type,Evidence,What decided the type,How sure")
    rejected = b"".join(editor.get(f"/manage/councils/{CALDERDALE}/spend/rejected/?format=csv").streaming_content).decode()  # type: ignore[attr-defined]
    assert "abc" in rejected


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def _xlsx_with_formula() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Supplier Name", "Amount", "Date"])
    sheet.append(["Acme Ltd", "=1+1", "2024-04-01"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("spend.pdf", b"%PDF-1.4", "must be a CSV, an XLSX spreadsheet, or a ZIP or GZIP"),
        ("spend.csv", b"", "The selected file is empty"),
        ("spend.csv", b"\x00\x01binary", "not a text CSV file"),
        ("spend.zip", _zip({"inner.zip": b"PK"}), "holds another archive"),
        ("spend.zip", _zip({"readme.md": b"hello"}), "holds no CSV or XLSX"),
        ("spend.zip", b"not a zip at all", "damaged"),
        ("spend.csv.gz", gzip.compress(b"Supplier Name,Amount,Date\n" * 50)[:-12], "damaged or cut short"),
        ("spend.xlsx", _xlsx_with_formula(), "formulae"),
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_saved(demo: list[str], name: str, content: bytes, message: str) -> None:
    editor = signed_in_client("editor@calderdale.example")
    response = upload(editor, name, content)
    body = response.content.decode()  # type: ignore[attr-defined]
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert message in body and "govuk-error-summary" in body and "<title>Error: " in body
    assert not SpendFile.objects.exists() and not AnalysisRun.objects.exists()


@pytest.mark.django_db
def test_too_large_and_zip_bombs_are_refused(demo: list[str], settings: object) -> None:
    settings.KIL_SPEND_MAX_UPLOAD = 100  # type: ignore[attr-defined]
    editor = signed_in_client("editor@calderdale.example")
    assert "smaller than" in upload(editor, "big.csv", b"x" * 200).content.decode()  # type: ignore[attr-defined]
    settings.KIL_SPEND_MAX_UPLOAD = 10_000_000  # type: ignore[attr-defined]
    settings.KIL_SPEND_MAX_EXPANDED = 1000  # type: ignore[attr-defined]
    bomb = _zip({"spend.csv": b"Supplier Name,Amount,Date\n" + b"A,1,2024-01-01\n" * 1000})
    assert "expands to more than" in upload(editor, "bomb.zip", bomb).content.decode()  # type: ignore[attr-defined]
    assert not SpendFile.objects.exists()


@pytest.mark.django_db
def test_a_file_that_is_not_spend_fails_the_run_with_a_reason(demo: list[str]) -> None:
    editor = signed_in_client("editor@calderdale.example")
    upload(
        editor,
        "contracts.csv",
        b"Supplier Company Name,Annual Value,Total Contract Value,Start Date,End Date\nAcme,1,2,2024-01-01,2025-01-01\n",
    )
    run = AnalysisRun.objects.get()
    assert run.status == "failed" and "contracts.csv: it looks like a contracts register" in run.message
    page = editor.get(f"/manage/councils/{CALDERDALE}/spend/runs/{run.pk}/").content.decode()
    assert "did not finish" in page and "contracts register" in page


@pytest.mark.django_db
def test_a_failure_while_saving_leaves_the_previous_results(demo: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from keepitlocal.spend import analysis

    editor = signed_in_client("editor@calderdale.example")
    upload(editor, "april.csv", APRIL.encode())
    before = sorted(Payment.objects.values_list("supplier_name", "amount"))
    real_load = analysis._load

    def failing_load(*args: object) -> None:
        real_load(*args)  # type: ignore[arg-type]
        raise RuntimeError("disk full")

    monkeypatch.setattr(analysis, "_load", failing_load)
    upload(editor, "may.csv", MAY.encode())
    run = AnalysisRun.objects.first()
    assert run is not None and run.status == "failed" and "disk full" in run.message
    assert sorted(Payment.objects.values_list("supplier_name", "amount")) == before
    # The whole traceback is kept for the network team, who see it; the council sees the short message.
    assert "Traceback (most recent call last)" in run.traceback and "failing_load" in run.traceback
    dashboard = f"/manage/councils/{CALDERDALE}/spend/"
    assert "failing_load" not in editor.get(dashboard).content.decode()
    assert "failing_load" in signed_in_client("admin@example.org").get(dashboard).content.decode()


@pytest.mark.django_db
def test_viewers_see_but_cannot_upload(demo: list[str]) -> None:
    from keepitlocal.accounts.models import Role, User
    from keepitlocal.network.models import Council

    viewer = User.objects.create_user("viewer@calderdale.example", "a-long-test-password")
    Role.objects.create(user=viewer, kind=Role.Kind.COUNCIL_VIEWER, council=Council.objects.get(gss_code=CALDERDALE))
    client = signed_in_client("viewer@calderdale.example")
    page = client.get(f"/manage/councils/{CALDERDALE}/spend/").content.decode()
    assert "Upload spend data" not in page
    assert upload(client, "april.csv", APRIL.encode()).status_code == 403  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_every_figure_links_to_the_payments_behind_it(demo: list[str]) -> None:
    from keepitlocal.spend.demo import load_demo_spend

    load_demo_spend()
    editor = signed_in_client("editor@calderdale.example")
    page = editor.get(f"/manage/councils/{CALDERDALE}/spend/").content.decode()
    # Three charts, each beside its table: by type, by month, and the trend over the demo's three years.
    assert page.count('role="img"') == 3 and "<title" in page and 'id="trend-title"' in page
    assert "spend/payments/?type=vcse" in page and "spend/payments/?month=2025-04" in page
    # The largest suppliers link to their own pages, which link to their payments.
    top = Supplier.objects.filter(council__gss_code=CALDERDALE).first()
    assert top is not None and f"spend/suppliers/{top.key}/" in page
    assert "spend/payments/?supplier=" in editor.get(f"/manage/councils/{CALDERDALE}/spend/suppliers/{top.key}/").content.decode()
    vcse = editor.get(f"/manage/councils/{CALDERDALE}/spend/payments/?type=vcse").content.decode()
    assert "Payments to VCSE organisations" in vcse and "National Facilities" not in vcse
    expected = Payment.objects.filter(council__gss_code=CALDERDALE, supplier_type="vcse").count()
    assert f"{expected:,} payments" in vcse
    april = editor.get(f"/manage/councils/{CALDERDALE}/spend/payments/?month=2025-04").content.decode()
    assert "Payments in April 2025" in april
    second = editor.get(f"/manage/councils/{CALDERDALE}/spend/payments/?page=2").content.decode()
    assert "page 2 of" in second and "govuk-pagination" in second
    json_rows = editor.get(f"/manage/councils/{CALDERDALE}/spend/payments/?type=vcse&format=json").json()["rows"]
    assert len(json_rows) == expected
    assert editor.get(f"/manage/councils/{CALDERDALE}/spend/payments/?month=not-a-month&page=x").status_code == 200


@pytest.mark.django_db
def test_corrections_persist_are_audited_and_recompute(demo: list[str]) -> None:
    from keepitlocal.network.models import AuditEntry

    editor = signed_in_client("editor@calderdale.example")
    upload(editor, "april.csv", APRIL.encode())
    share_before = AnalysisRun.objects.first().analysis_figures.whole.value(IndicatorId.SHARE_VCSE)  # type: ignore[union-attr]
    path = f"/manage/councils/{CALDERDALE}/spend/suppliers/acme-construction/correct/"
    body = editor.post(path, {"supplier_type": "vcse", "org_id": "not-an-id"}).content.decode()
    assert "Enter why is this correct?" in body and "Start with the register" in body
    response = editor.post(
        path, {"supplier_type": "vcse", "org_id": "GB-CHC-01234567", "reason": "A charity: registered number 1234567"}
    )
    # Applied in place, without reading the files again: a new analysis based on the last one.
    assert response["Location"] == path.removesuffix("correct/")
    fast = AnalysisRun.objects.first()
    assert fast is not None and fast.based_on is not None and fast.status == "succeeded"
    assert "the figures are updated" in editor.get(response["Location"]).content.decode()
    acme = Supplier.objects.get(key="acme-construction")
    assert acme.supplier_type == "vcse" and acme.org_id == "GB-CHC-1234567"
    assert "Corrected by editor@calderdale.example" in acme.evidence and "registered number 1234567" in acme.evidence
    assert Payment.objects.filter(supplier_key="acme-construction", supplier_type="vcse").exists()
    share_after = AnalysisRun.objects.first().analysis_figures.whole.value(IndicatorId.SHARE_VCSE)  # type: ignore[union-attr]
    assert share_after is not None and share_before is not None and share_after > share_before
    entry = AuditEntry.objects.filter(council__gss_code=CALDERDALE, action="corrected").get()
    assert {"field": "Supplier type", "from": "Private business", "to": "VCSE organisation"} in entry.changes
    assert "Supplier Acme Construction Ltd" in editor.get(f"/manage/councils/{CALDERDALE}/").content.decode()
    # The figures corrected in place are those a full analysis of the files gives.
    editor.post(f"/manage/councils/{CALDERDALE}/spend/analyse/")
    full = AnalysisRun.objects.first()
    assert full is not None and full.pk != fast.pk and full.based_on is None
    assert full.analysis_figures == fast.analysis_figures and full.figures == fast.figures and full.period == fast.period
    # Kept through a further upload and re-analysis.
    upload(editor, "may.csv", MAY.encode())
    assert Supplier.objects.get(key="acme-construction").supplier_type == "vcse"


@pytest.mark.django_db
def test_publishing_and_the_comparison_page(demo: list[str]) -> None:
    from keepitlocal.spend.demo import load_demo_spend
    from keepitlocal.spend.models import SpendPublication

    load_demo_spend()
    assert SpendPublication.objects.count() == 3
    public = StrictHTMLClient()
    compare = public.get("/compare/spend/").content.decode()
    assert "Demonstration data" in compare and "are made up for the demonstration" in compare
    assert (
        "3 published councils, financial year 2025/26" in compare
        and "Calderdale" in compare
        and "Leeds" in compare
        and 'role="img"' in compare
    )
    # Each council's VCSE share in the comparison, worked out again from its published payments of 2025/26: per
    # supplier net, credits beyond payments counting as nothing, VCSE over all.
    from datetime import date as day
    from decimal import Decimal

    for council in Council.objects.filter(spend_publication__isnull=False):
        nets: dict[tuple[str, str], Decimal] = {}
        for payment in Payment.objects.filter(council=council, date__gte=day(2025, 4, 1), date__lt=day(2026, 4, 1)):
            key = (payment.supplier_key, payment.supplier_type)
            nets[key] = nets.get(key, Decimal(0)) + payment.amount
        base = sum(max(n, Decimal(0)) for n in nets.values())
        vcse = sum(max(n, Decimal(0)) for (_, kind), n in nets.items() if kind == "vcse")
        table = compare.split('<tbody class="govuk-table__body">')[1].split("</tbody>")[0]
        row = next(r for r in table.split("</tr>") if f">{council.name}" in r)
        assert f">{100 * vcse / base:.1f}%" in row, (council.name, 100 * vcse / base, row)
    by_name = public.get("/compare/spend/?sort=council").content.decode()
    assert by_name.index("Bristol") < by_name.index("Calderdale") < by_name.index("Leeds")
    profile = public.get(f"/councils/{CALDERDALE}/").content.decode()
    assert (
        "Where the money goes" in profile
        and "Financial year 2025/26: payments from" in profile
        and "calderdale-spend-2025-26-demo.csv" in profile
    )
    # What the figures mean: where they come from, how suppliers were sorted, and what is unknown, from the figures.
    shown = SpendPublication.objects.get(council__gss_code=CALDERDALE).figures()
    assert "What these figures mean" in profile and "(3 files)" in profile
    assert shown.share_unknown is not None and shown.locality_known is not None
    assert f"{shown.share_unknown:.1f}% of the spend went to suppliers whose kind could not be found" in profile
    assert f"The locality of {100 - shown.locality_known:.1f}% of the spend is unknown" in profile

    editor = signed_in_client("editor@calderdale.example")
    editor.post(f"/manage/councils/{CALDERDALE}/spend/publish/", {"decision": "withdraw"})
    assert "Where the money goes" not in public.get(f"/councils/{CALDERDALE}/").content.decode()
    assert "2 published councils" in public.get("/compare/spend/").content.decode()
    editor.post(f"/manage/councils/{CALDERDALE}/spend/publish/", {"decision": "publish"})
    assert SpendPublication.objects.filter(council__gss_code=CALDERDALE).exists()


REGISTER = "registered_charity_number,charity_name,charity_contact_postcode\n1050123,CALDER VALLEY HUB,HX7 8AD\n"


@pytest.mark.django_db
def test_network_admins_load_registers_once_for_every_analysis(demo: list[str], tmp_path: object) -> None:
    from click.testing import CliRunner

    from keepitlocal.cli import main as kil
    from keepitlocal.spend.models import RegisterFile

    admin = signed_in_client("admin@example.org")
    refused = admin.post("/network/registers/", {"register_file": SimpleUploadedFile("notes.csv", b"just,some,words\n1,2,3\n")})
    assert refused.status_code == 400 and "notes.csv was not loaded" in refused.content.decode()
    response = admin.post("/network/registers/", {"register_file": SimpleUploadedFile("ccew.csv", REGISTER.encode())})
    assert response["Location"] == "/network/registers/"
    record = RegisterFile.objects.get()
    assert (record.kind, record.rows, record.loaded_by.email) == ("Charity Commission register", 1, "admin@example.org")  # type: ignore[union-attr]
    path = tmp_path / "same.csv"  # type: ignore[operator]
    path.write_text(REGISTER)
    result = CliRunner().invoke(kil, ["registers", "load", str(path)])
    assert result.exit_code == 0 and "already loaded ccew.csv" in result.output
    assert RegisterFile.objects.count() == 1

    editor = signed_in_client("editor@calderdale.example")
    upload(editor, "hub.csv", b"Supplier Name,Amount,Date\nCalder Valley Hub,100,2024-04-01\n")
    run = AnalysisRun.objects.get()
    assert run.registers_used == [record.describe()]
    hub = Supplier.objects.get(key="calder-valley-hub")
    assert hub.supplier_type == "vcse" and hub.org_id == "GB-CHC-1050123"
    dashboard = editor.get(f"/manage/councils/{CALDERDALE}/spend/").content.decode()
    assert f"<li>{record.describe()}</li>" in dashboard and "ccew.csv" not in dashboard  # in words, never a file's name

    admin.post("/network/registers/", {"remove": str(record.pk)})
    assert not RegisterFile.objects.exists()
    assert editor.get(f"/manage/councils/{CALDERDALE}/spend/upload/").status_code == 200
    # Removing it analysed the council again, without it: the figures never rest on registers no longer used.
    latest = AnalysisRun.objects.first()
    assert latest is not None and latest.pk != run.pk and latest.registers_used == []
    assert Supplier.objects.get(key="calder-valley-hub").org_id == ""


@pytest.mark.django_db
def test_a_real_councils_analysis_never_reads_the_registers_made_up_for_the_demo(demo: list[str]) -> None:
    from keepitlocal.spend.demo import load_demo_registers
    from keepitlocal.spend.models import RegisterFile

    load_demo_registers()
    assert RegisterFile.objects.filter(is_demo=True).count() == 4 and not RegisterFile.objects.filter(is_demo=False).exists()
    admin = signed_in_client("admin@example.org")
    paid = b"Supplier Name,Amount,Date\nTodmorden Food Bank (demo),100,2024-04-01\n"  # a charity of the demo register
    for gss_code in (CALDERDALE, "E10000008"):  # a demo council, then Devon (not in the demo)
        admin.post(f"/manage/councils/{gss_code}/spend/upload/", {"spend_file": SimpleUploadedFile("p.csv", paid)})
    demo_run, devon_run = (AnalysisRun.objects.get(council__gss_code=code) for code in (CALDERDALE, "E10000008"))
    assert Supplier.objects.get(run=demo_run).org_id == "GB-CHC-1100002"
    assert len(demo_run.registers_used) == 4
    devon = Supplier.objects.get(run=devon_run)
    assert devon.org_id == "" and devon.postcode == "" and devon_run.registers_used == []
    assert "demo-" not in admin.get("/manage/councils/E10000008/spend/").content.decode()


@pytest.mark.django_db
def test_a_register_loaded_later_reaches_every_councils_analysis_with_progress_for_the_team(demo: list[str]) -> None:
    from keepitlocal.spend.models import Reanalysis

    editor = signed_in_client("editor@calderdale.example")
    upload(editor, "hub.csv", b"Supplier Name,Amount,Date\nCalder Valley Hub,100,2024-04-01\n")
    bristol = signed_in_client("admin@example.org")
    bristol.post(
        "/manage/councils/E06000023/spend/upload/",
        {"spend_file": SimpleUploadedFile("b.csv", b"Supplier Name,Amount,Date\nCalder Valley Hub,50,2024-05-01\n")},
    )
    before = {r.council.gss_code: r.pk for r in AnalysisRun.objects.select_related("council")}
    assert Supplier.objects.get(council__gss_code=CALDERDALE, key="calder-valley-hub").supplier_type != "vcse"
    admin = signed_in_client("admin@example.org")
    response = admin.post("/network/registers/", {"register_file": SimpleUploadedFile("ccew.csv", REGISTER.encode())})
    assert response["Location"] == "/network/registers/"
    batch = Reanalysis.objects.get()
    assert sorted(batch.councils) == sorted(before) and batch.progress() == (2, []) and len(batch.runs) == 2
    for gss_code in before:
        latest = AnalysisRun.objects.filter(council__gss_code=gss_code).first()
        assert latest is not None and latest.pk != before[gss_code] and latest.status == "succeeded"
        assert Supplier.objects.get(council__gss_code=gss_code, key="calder-valley-hub").supplier_type == "vcse"
    page = admin.get("/network/registers/").content.decode()
    assert "Every council analysed again" in page and "2 of 2 councils done" in page and "ccew.csv loaded" in page


@pytest.mark.django_db
def test_ambiguous_columns_are_chosen_with_samples_and_kept_for_the_council(demo: list[str]) -> None:
    from keepitlocal.spend.models import ColumnChoice

    editor = signed_in_client("editor@calderdale.example")
    upload(
        editor,
        "two-names.csv",
        b"Supplier,Payee,Amount,Date\nHalifax Council,Acme Ltd,10,2024-04-01\nHalifax Council,Hub CIC,20,2024-04-02\n",
    )
    run = AnalysisRun.objects.get()
    assert run.status == "failed" and "Several columns could be the supplier name" in run.message
    spend_file = SpendFile.objects.get()
    progress = editor.get(f"/manage/councils/{CALDERDALE}/spend/runs/{run.pk}/").content.decode()
    assert f"/spend/files/{spend_file.pk}/columns/" in progress
    path = f"/manage/councils/{CALDERDALE}/spend/files/{spend_file.pk}/columns/"
    page = editor.get(path).content.decode()
    assert "Not read: a column needs choosing" in page and "Choose which column is the supplier name" in page
    # Every column with values from the file, so a person can see which is which.
    assert "Acme Ltd; Hub CIC" in page and "Halifax Council; Halifax Council" in page
    assert "Select the column that holds the supplier (payee) name" in editor.post(path, {}).content.decode()
    twice = editor.post(path, {"supplier_name": "Payee", "amount": "Payee", "date": "Date"}).content.decode()
    assert "&#39;Payee&#39; is already chosen for the supplier (payee) name" in twice
    editor.post(path, {"supplier_name": "Payee", "amount": "Amount", "date": "Date"})
    choices = {c.field: (c.column, c.layout) for c in ColumnChoice.objects.all()}
    assert choices["supplier_name"][0] == "Payee" and choices["supplier_name"][1]
    latest = AnalysisRun.objects.first()
    assert latest is not None and latest.status == "succeeded"
    assert sorted(Payment.objects.values_list("supplier_name", flat=True)) == ["Acme Ltd", "Hub CIC"]
    entry = AuditEntry.objects.filter(record="How spend files are read").get()
    assert {"field": "Supplier (payee) name", "from": "not read", "to": "Payee"} in entry.changes
    # The page now says how the file was read, and that a person decided it.
    page = editor.get(path).content.decode()
    assert "A person&#39;s choice" in page and "How this file was read" in page
    # The choice serves later files of the series, and files without that column are read as before.
    upload(editor, "may.csv", MAY.encode())
    assert Payment.objects.count() == 4


@pytest.mark.django_db
def test_every_dashboard_table_downloads(demo: list[str]) -> None:
    from keepitlocal.spend.demo import load_demo_spend

    load_demo_spend()
    editor = signed_in_client("editor@calderdale.example")
    page = editor.get(f"/manage/councils/{CALDERDALE}/spend/").content.decode()
    for table in ("indicators", "months", "years", "areas"):
        # Each table of the year shown downloads for that year (the years table appears once there are two).
        assert table == "years" or f"?table={table}&amp;year=2025/26&amp;format=csv" in page
        rows = editor.get(f"/manage/councils/{CALDERDALE}/spend/?table={table}&format=json").json()["rows"]
        assert rows, table
    months = b"".join(editor.get(f"/manage/councils/{CALDERDALE}/spend/?table=months&format=csv").streaming_content).decode()  # type: ignore[attr-defined]
    assert months.splitlines()[0] == "Month,Spend (£),To VCSE (£),To local suppliers (£),Payments"


@pytest.mark.django_db
def test_the_dashboard_never_shows_figures_it_kept_from_before_a_change(demo: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The rendered figures are kept between requests; each change they depend on must show at once."""
    from keepitlocal.accounts.models import Role, User
    from keepitlocal.network.models import Council
    from keepitlocal.spend import views

    rendered: list[str] = []
    from django.template import loader

    real = loader.render_to_string

    def counting(name: str, *args: object) -> str:
        rendered.append(name)
        return real(name, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(views, "render_to_string", counting)

    editor = signed_in_client("editor@calderdale.example")
    dashboard = f"/manage/councils/{CALDERDALE}/spend/"
    upload(editor, "april.csv", APRIL.encode())
    first = editor.get(dashboard).content.decode()
    assert "The amount &#39;abc&#39; is not a number" in first and ">3<" in first
    assert len(rendered) == 2  # the figures and the row accounting
    editor.get(dashboard)
    assert len(rendered) == 2  # kept, not rendered again
    # A new analysis: new figures.
    upload(editor, "may.csv", MAY.encode())
    second = editor.get(dashboard).content.decode()
    assert ">5<" in second and second != first
    # A file removed behind the analysis's back takes its rejected rows with it, before any new analysis.
    SpendFile.objects.get(original_name="april.csv").delete()
    assert "is not a number" not in editor.get(dashboard).content.decode()
    # Another reader with other rights gets the page rendered for them, not the editor's.
    viewer = User.objects.create_user("viewer@calderdale.example", "a-long-test-password")
    Role.objects.create(user=viewer, kind=Role.Kind.COUNCIL_VIEWER, council=Council.objects.get(gss_code=CALDERDALE))
    ambiguous = "Supplier,Payee,Amount,Date\nAcme Ltd,Beta Trading Ltd,10,2024-04-01\n"
    upload(editor, "ambiguous.csv", ambiguous.encode())
    assert "Choose the columns" in editor.get(dashboard).content.decode()
    assert "Choose the columns" not in signed_in_client("viewer@calderdale.example").get(dashboard).content.decode()


TWO_YEARS = (
    "Supplier Name,Amount,Date\n"
    "Acme Construction Ltd,1000,2024-03-10\n"  # financial year 2023/24
    "Calder Valley Hub CIC,3000,2024-03-12\n"
    "Acme Construction Ltd,2000,2024-04-02\n"  # 2024/25: April and June, none in May
    "Calder Valley Hub CIC,500,2024-06-03\n"
)


@pytest.mark.django_db
def test_every_figure_states_its_period_and_years_never_merge_silently(demo: list[str]) -> None:
    editor = signed_in_client("editor@calderdale.example")
    upload(editor, "two-years.csv", TWO_YEARS.encode())
    run = AnalysisRun.objects.get()
    assert [y.year for y in run.analysis_figures.years] == ["2023/24", "2024/25"] and run.period["first"] == "2024-03-10"
    assert run.year_labels == ["2023/24", "2024/25"] and run.analysis_figures.period.first == date(2024, 3, 10)
    dashboard = f"/manage/councils/{CALDERDALE}/spend/"
    # The latest financial year with payments is the default, stated with its months and its gaps.
    page = editor.get(dashboard).content.decode()
    assert "Financial year 2024/25: payments from 2 April 2024 to 3 June 2024" in page
    # May falls between payments: none in the files. July to March is beyond every file analysed: not known, never
    # "no payments" (files not yet uploaded).
    assert "no payments in the files for May 2024; not known for July 2024 to March 2025, which the files analysed" in page
    assert "£2,500" in page and "£6,500" not in page  # this year's total, not every year's
    # Shares that depend on classification or locality state their coverage.
    assert "20.0% (classification known for 100.0% of spend)" in page and "locality known for 0% of spend" in page
    assert page.count("No payments in the files") == 1 and page.count("no file analysed reaches this month") == 9
    assert 'href="?year=2023/24"' in page and 'href="?year=all"' in page
    # The trend: each year's headline shares with the pounds behind them, a chart beside the table.
    trend = page[page.index("The headline shares in each financial year") :]
    assert trend.index("2023/24") < trend.index("2024/25") and 'id="trend-title"' in page
    first, second = trend.index("2023/24"), trend.index("2024/25")
    assert "75.0%" in trend[first:second] and "£3,000" in trend[first:second]  # the hub's £3,000 of £4,000
    assert "20.0%" in trend[second:] and "£500" in trend[second:]  # and its £500 of £2,500 the next year
    # Another year, and every year together: merged only when asked for, and then said.
    earlier = editor.get(dashboard + "?year=2023/24").content.decode()
    assert "Financial year 2023/24: payments from 10 March 2024 to 12 March 2024" in earlier and "£4,000" in earlier
    merged = editor.get(dashboard + "?year=all").content.decode()
    assert "These figures merge 2 financial years" in merged and "£6,500" in merged
    # A year the run does not hold falls back to the default.
    assert "Financial year 2024/25" in editor.get(dashboard + "?year=1999/00").content.decode()
    months = editor.get(dashboard + "?year=2024/25&table=months&format=csv")
    lines = b"".join(months.streaming_content).decode().splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 13 and lines[2].startswith("May 2024,,") and lines[4].startswith("July 2024,,")  # gaps empty, not zero
    payments = editor.get(f"/manage/councils/{CALDERDALE}/spend/payments/?year=2024/25").content.decode()
    assert "in the financial year 2024/25" in payments and "2 payments" in payments
    # Published: the public profile and the comparison say which year and which months.
    editor.post(f"/manage/councils/{CALDERDALE}/spend/publish/", {"decision": "publish"})
    public = StrictHTMLClient()
    profile = public.get(f"/councils/{CALDERDALE}/").content.decode()
    assert "Financial year 2024/25: payments from 2 April 2024" in profile and "2023/24, 2024/25" in profile
    assert "The headline shares in each financial year" in profile and 'id="trend-title"' in profile
    compare = public.get("/compare/spend/").content.decode()
    assert "financial year 2024/25" in compare and "No payments in the files for May 2024" in compare
    assert "1 published council, financial year 2023/24" in public.get("/compare/spend/?year=2023/24").content.decode()


@pytest.mark.django_db
def test_a_council_without_the_comparisons_year_links_to_the_latest_year_it_published(demo: list[str]) -> None:
    admin = signed_in_client("admin@example.org")
    for gss_code, day in ((CALDERDALE, "2025-05-01"), (BRISTOL, "2024-05-01")):  # 2025/26, and 2024/25 alone
        paid = f"Supplier Name,Amount,Date\nAcme Ltd,100,{day}\n".encode()
        admin.post(f"/manage/councils/{gss_code}/spend/upload/", {"spend_file": SimpleUploadedFile("p.csv", paid)})
        admin.post(f"/manage/councils/{gss_code}/spend/publish/", {"decision": "publish"})
    compare = StrictHTMLClient().get("/compare/spend/").content.decode()
    assert "Published, but with no payments in 2025/26: Bristol" in compare and 'href="?year=2024/25"' in compare


@pytest.mark.django_db
def test_the_comparison_leads_with_the_local_vcse_share_and_downloads(demo: list[str]) -> None:
    from keepitlocal.spend.demo import load_demo_registers

    load_demo_registers()  # places the demo charity in Calderdale: its local VCSE share is known
    editor = signed_in_client("editor@calderdale.example")
    upload(editor, "p.csv", b"Supplier Name,Amount,Date\nTodmorden Food Bank (demo),100,2024-04-01\n")
    editor.post(f"/manage/councils/{CALDERDALE}/spend/publish/", {"decision": "publish"})
    public = StrictHTMLClient()
    page = public.get("/compare/spend/").content.decode()
    headers = re.findall(r'<th scope="col" class="govuk-table__header[^"]*"[^>]*>(?:<a[^>]*>)?([^<]+)', page)
    assert headers[:3] == ["Council", "Local VCSE share", "VCSE share"]  # the headline first, and sorted by it
    assert "sorted by local VCSE share" in page and "Share of spend to local VCSE organisations by council" in page
    # The caveats are one list, after the choice of year, not split by it.
    assert page.index("Read the figures with care") < page.index("every council here is compared")
    for fmt, kind in (("csv", "text/csv"), ("xlsx", "spreadsheetml"), ("json", "application/json")):
        response = public.get(f"/compare/spend/?year=2024/25&format={fmt}")
        assert (
            response.status_code == 200 and kind in response["Content-Type"] and "attachment" in response["Content-Disposition"]
        )
    csv_text = b"".join(public.get("/compare/spend/?format=csv").streaming_content).decode()  # type: ignore[attr-defined]
    assert csv_text.splitlines()[0].startswith("GSS code,Council,Share to local VCSE organisations (%)")
    # The suppliers page says where each supplier is, and filters by it.
    local = editor.get(f"/manage/councils/{CALDERDALE}/spend/suppliers/?place=local").content.decode()
    assert "Todmorden Food Bank (demo)" in local and "In the council&#39;s area (1)" in local
    # The council's public profile leads with the same headline.
    profile = public.get(f"/councils/{CALDERDALE}/").content.decode()
    headline = profile.index("spend reaching local VCSE organisations")
    assert headline < profile.index("Spend indicators") and "100.0%" in profile[headline : headline + 400]


@pytest.mark.django_db
def test_progress_counts_the_files_inside_a_zip_and_names_those_not_used(demo: list[str]) -> None:
    editor = signed_in_client("editor@calderdale.example")
    contracts = b"Supplier Company Name,Annual Value,Total Contract Value,Start Date,End Date\nAcme,1,2,2024-01-01,2025-01-01\n"
    upload(editor, "quarter.zip", _zip({"april.csv": APRIL.encode(), "may.csv": MAY.encode(), "contracts.csv": contracts}))
    run = AnalysisRun.objects.get()
    assert run.status == "succeeded", run.message
    # One upload, three files in it: three looked at, one of them not spend (it was counted "3 of 1 files read").
    assert (run.files_total, run.files_done, run.files_refused) == (3, 3, 1)
    page = editor.get(f"/manage/councils/{CALDERDALE}/spend/runs/{run.pk}/").content.decode()
    assert "2 of 3 files read, 1 not used" in page
    assert "1 file was not used" in page and "contracts.csv: it looks like a contracts register" in page


def _xlsx_with_late_formula(rows: int) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Supplier Name", "Amount", "Date"])
    for n in range(rows):
        sheet.append([f"Supplier {n} Ltd", 100 + n, "2024-04-01"])
    sheet.append(["Acme Ltd", "=SUM(B2:B3)", "2024-04-02"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.mark.django_db
def test_compression_bombs_utf16_and_late_formulas(demo: list[str]) -> None:
    editor = signed_in_client("editor@calderdale.example")
    # 200 MB of one repeated row packs into a few hundred kilobytes: refused by its ratio, gzip and zip alike.
    rows = b"Supplier Name,Amount,Date\n" + b"Acme Ltd,1,2024-04-01\n" * 9_000_000
    for name, packed in (("bomb.csv.gz", gzip.compress(rows, 9)), ("bomb.zip", _zip({"spend.csv": rows}))):
        body = upload(editor, name, packed).content.decode()  # type: ignore[attr-defined]
        assert "expands more than 100 times its size" in body, name
    # A formula below row 5,000 of a spreadsheet is found.
    body = upload(editor, "late.xlsx", _xlsx_with_late_formula(6000)).content.decode()  # type: ignore[attr-defined]
    assert "formulae" in body
    assert not SpendFile.objects.exists()
    # A 1.6 KB workbook declaring 100,000 rows x 16,384 columns with one cell at the far corner, and one whose table of
    # text holds 200,000 entries for one cell: each refused from its bytes, within the request, saying why.
    from tests.unit.test_sheets import crafted

    corner = crafted('<row r="100000"><c r="XFD100000" t="inlineStr"><is><t>x</t></is></c></row>', "A1:XFD100000")
    body = upload(editor, "corner.xlsx", corner).content.decode()  # type: ignore[attr-defined]
    assert "cell XFD100000, beyond column ZZ" in body
    swollen = crafted('<row r="1"><c r="A1" t="s"><v>0</v></c></row>', strings=["x"] * 200_000)
    body = upload(editor, "swollen.xlsx", swollen).content.decode()  # type: ignore[attr-defined]
    assert "200,000 entries for 1 cells of text" in body
    assert not SpendFile.objects.exists()
    # Excel's "Unicode text" (UTF-16 with its byte-order mark) is accepted and read.
    utf16 = "Supplier Name,Amount,Date\nCafé Société Ltd,120.50,2024-04-01\nAcme Ltd,80,2024-04-02\n".encode("utf-16")
    upload(editor, "unicode.csv", utf16)
    run = AnalysisRun.objects.get()
    assert run.status == "succeeded", run.message
    assert sorted(Payment.objects.values_list("supplier_name", flat=True)) == ["Acme Ltd", "Café Société Ltd"]


@pytest.mark.django_db
def test_an_analysis_whose_worker_died_is_marked_failed_and_can_be_started_again(
    demo: list[str],
) -> None:
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    editor = signed_in_client("editor@calderdale.example")
    upload(editor, "april.csv", APRIL.encode())
    council = Council.objects.get(gss_code=CALDERDALE)
    # A worker took the run and was killed: still "running", its heartbeat three minutes old (four beats missed), and
    # its task still "running" in the queue.
    from django_tasks_db.models import DBTaskResult

    from keepitlocal.spend.tasks import analyse_council

    dead = AnalysisRun.objects.create(
        council=council, status="running", started_at=timezone.now() - timedelta(minutes=40),
        heartbeat_at=timezone.now() - timedelta(minutes=3),
    )  # fmt: skip
    task = DBTaskResult.objects.create(
        status="RUNNING", args_kwargs={"args": [dead.pk], "kwargs": {}}, task_path=analyse_council.module_path,
        backend_name="default", run_after=timezone.now(), started_at=timezone.now(),
    )  # fmt: skip
    alive = AnalysisRun.objects.create(council=Council.objects.get(gss_code=BRISTOL), status="running",
                                       started_at=timezone.now(), heartbeat_at=timezone.now())  # fmt: skip
    out = io.StringIO()
    call_command("spend_stuck", stdout=out)
    assert f"Analysis {dead.pk} of Calderdale" in out.getvalue() and f"Analysis {alive.pk}" not in out.getvalue()
    dead.refresh_from_db()
    assert dead.status == "running"  # listing changes nothing
    page = editor.get(f"/manage/councils/{CALDERDALE}/spend/").content.decode()
    dead.refresh_from_db()
    assert dead.status == "failed" and "the worker running it stopped" in dead.message
    task.refresh_from_db()
    assert task.status == "FAILED" and task.finished_at is not None
    assert "An analysis is running" not in page and "the worker running it stopped" in page
    assert "Start the analysis again" in page
    response = editor.post(f"/manage/councils/{CALDERDALE}/spend/analyse/")
    again = AnalysisRun.objects.filter(council=council).order_by("-pk").first()
    assert again is not None and again.pk > alive.pk and again.status == "succeeded"
    assert response["Location"] == f"/manage/councils/{CALDERDALE}/spend/runs/{again.pk}/"
    alive.refresh_from_db()
    assert alive.status == "running"
    # The command clears what is stuck everywhere.
    AnalysisRun.objects.filter(pk=alive.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    call_command("spend_stuck", "--clear", stdout=out)
    alive.refresh_from_db()
    assert alive.status == "failed" and "Marked 1 failed" in out.getvalue()


@pytest.mark.django_db
def test_an_analysis_past_its_time_limit_stops_with_a_message(demo: list[str], settings: Any) -> None:
    settings.KIL_ANALYSIS_TIME_LIMIT_MINUTES = -1  # every analysis is already over its limit
    editor = signed_in_client("editor@calderdale.example")
    upload(editor, "april.csv", APRIL.encode())
    run = AnalysisRun.objects.get()
    assert run.status == "failed" and "took longer than -1 minutes and was stopped" in run.message


@pytest.mark.django_db(transaction=True)
def test_a_running_analysis_beats_while_it_works(demo: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from keepitlocal.spend import analysis

    monkeypatch.setattr(analysis, "HEARTBEAT", 0.05)
    run = AnalysisRun.objects.create(council=Council.objects.get(gss_code=CALDERDALE), status="running")
    beat = analysis._Heartbeat(run.pk)
    beat.start()
    try:
        deadline = time.monotonic() + 10
        while AnalysisRun.objects.get(pk=run.pk).heartbeat_at is None and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        beat.stopped.set()
        beat.join()
    assert AnalysisRun.objects.get(pk=run.pk).heartbeat_at is not None
    assert analysis.stuck_runs() == []


@pytest.mark.django_db
def test_uploads_in_a_row_share_the_analysis_still_waiting_to_start(demo: list[str], settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # queued, as with a real worker
    editor = signed_in_client("editor@calderdale.example")
    for n in range(6):
        upload(editor, f"month-{n}.csv", f"Supplier Name,Amount,Date\nAcme Ltd,{n + 1},2024-04-0{n + 1}\n".encode())
    assert SpendFile.objects.count() == 6
    assert AnalysisRun.objects.count() == 1 and AnalysisRun.objects.get().status == "queued"


LITTLE_KNOWN = (
    "Supplier Name,Amount,Date\n"
    "Zeta Holdings,8000,2024-04-02\n"  # of unknown type: most of the spend
    "Omega Partners,1000,2024-04-03\n"
    "Halifax Food Bank,100,2024-04-04\n"
    "Acme Construction Ltd,900,2024-04-05\n"
)


@pytest.mark.django_db
def test_a_share_known_for_little_spend_is_published_as_its_range_after_a_check(demo: list[str]) -> None:
    editor = signed_in_client("editor@calderdale.example")
    upload(editor, "little.csv", LITTLE_KNOWN.encode())
    check = editor.get(f"/manage/councils/{CALDERDALE}/spend/publish/check/").content.decode()
    assert "What limits each figure" in check and "Classification not known for 90.0% of spend" in check
    assert "Below 80% known, a share is published as its range" in check
    assert "Registers not loaded" in check and "Charity Commission" in check
    assert "The largest suppliers of unknown type" in check and "/spend/suppliers/zeta-holdings/correct/" in check
    editor.post(f"/manage/councils/{CALDERDALE}/spend/publish/", {"decision": "publish"})
    public = StrictHTMLClient()
    profile = public.get(f"/councils/{CALDERDALE}/").content.decode()
    assert "between 1.0% and 91.0%" in profile and "too little for one figure" in profile
    compare = public.get("/compare/spend/").content.decode()
    assert "1.0% to 91.0%" in compare
    api = public.get(f"/api/v1/councils/{CALDERDALE}/spend").json()
    vcse = next(i for i in api["indicators"] if i["id"] == "share_vcse")
    assert vcse["value"] is None and vcse["as_range"] and (vcse["low"], vcse["high"]) == (1.0, 91.0)
    row = next(r for r in public.get("/api/v1/comparison").json()["rows"] if r["gss_code"] == CALDERDALE)
    assert row["share_vcse"] is None and row["share_vcse_range"] == [1.0, 91.0]
    # One correction of the largest unknown supplier: known for most spend now, so one figure with its bounds.
    editor.post(
        f"/manage/councils/{CALDERDALE}/spend/suppliers/zeta-holdings/correct/",
        {"supplier_type": "private", "reason": "A holding company"},
    )
    latest = AnalysisRun.objects.first()
    assert latest is not None
    share = latest.analysis_figures.whole[IndicatorId.SHARE_VCSE]
    assert share.coverage == 90.0 and share.value == 1.0
    # Published again: one figure, and the API gives its upper bound and coverage beside it, as the comparison page does.
    editor.post(f"/manage/councils/{CALDERDALE}/spend/publish/", {"decision": "publish"})
    row = next(r for r in public.get("/api/v1/comparison").json()["rows"] if r["gss_code"] == CALDERDALE)
    assert row["share_vcse"] == 1.0 and row["share_vcse_range"] is None
    assert (row["share_vcse_high"], row["share_vcse_coverage"]) == (share.high, 90.0) and share.high is not None
    assert share.high > 1.0 and f"up to {share.high:.1f}%" in public.get("/compare/spend/").content.decode()
    csv_text = b"".join(public.get("/api/v1/comparison?format=csv").streaming_content).decode()  # type: ignore[attr-defined]
    assert "Share to VCSE organisations: the most it could be" in csv_text.splitlines()[0]


@pytest.mark.django_db
def test_a_year_of_monthly_files_uploaded_at_once_makes_one_analysis(demo: list[str]) -> None:
    editor = signed_in_client("editor@calderdale.example")
    path = f"/manage/councils/{CALDERDALE}/spend/upload/"
    assert 'multiple="multiple"' in editor.get(path).content.decode()
    files = [SimpleUploadedFile(name, text.encode()) for name, text in (("april.csv", APRIL), ("may.csv", MAY))]
    response = editor.post(path, {"spend_file": files})
    run = AnalysisRun.objects.get()
    assert response["Location"] == f"/manage/councils/{CALDERDALE}/spend/runs/{run.pk}/"
    assert run.status == "succeeded" and SpendFile.objects.count() == 2
    # One file refused among good ones: it is named with why; the others are kept and analysed.
    mixed = [
        SimpleUploadedFile("notes.pdf", b"%PDF-1.4"),
        SimpleUploadedFile("june.csv", b"Supplier Name,Amount,Date\nAcme Ltd,5,2024-06-01\n"),
    ]
    page = editor.post(path, {"spend_file": mixed}).content.decode()
    assert "notes.pdf:" in page and SpendFile.objects.filter(original_name="june.csv").exists()


@pytest.mark.django_db
def test_rejected_rows_are_kept_up_to_a_bound_per_file_and_downloadable_whole(
    demo: list[str], settings: Any, tmp_path: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """A file of mostly bad rows grows the database by a bounded amount; the counts and the download are whole."""
    from keepitlocal.spend.analysis import RAW_KEPT, REJECTED_KEPT

    settings.KIL_FIGURES_DIR = tmp_path
    editor = signed_in_client("editor@calderdale.example")
    bad = REJECTED_KEPT + 700
    lines = ["Supplier Name,Amount,Date,Description"]
    lines += [f"Supplier {n} Ltd,{100 + n},2024-04-02,ok" for n in range(40)]
    lines += [f"Payee {n} Ltd,not-{n},2024-04-02,bad" for n in range(bad)]
    lines.append("Acme Construction Ltd,oops,2024-04-03," + "x" * (RAW_KEPT * 3))
    with django_capture_on_commit_callbacks(execute=True):
        upload(editor, "mostly-bad.csv", ("\n".join(lines) + "\n").encode())
    run = AnalysisRun.objects.get()
    assert run.status == "succeeded", run.message
    assert run.files_report[0]["rejected"] == bad + 1
    assert RejectedRow.objects.count() == REJECTED_KEPT
    assert max(len(r) for r in RejectedRow.objects.values_list("raw_line", flat=True)) < RAW_KEPT + 100
    page = editor.get(f"/manage/councils/{CALDERDALE}/spend/").content.decode()
    assert f">{bad + 1:,}<" in page  # every rejected row counted, not the thousand kept
    download = b"".join(editor.get(f"/manage/councils/{CALDERDALE}/spend/rejected/?format=csv").streaming_content).decode()  # type: ignore[attr-defined]
    assert len(download.splitlines()) == 1 + bad + 1
    assert "x" * (RAW_KEPT * 3) in download  # whole, not clipped
    # Removing the file takes its rows from the download too.
    editor.post(f"/manage/councils/{CALDERDALE}/spend/files/{SpendFile.objects.get().pk}/remove/")
    download = b"".join(editor.get(f"/manage/councils/{CALDERDALE}/spend/rejected/?format=csv").streaming_content).decode()  # type: ignore[attr-defined]
    assert len(download.splitlines()) == 1


@pytest.mark.django_db(transaction=True)
def test_an_analysis_saves_in_short_transactions_and_readers_see_the_old_rows_whole_until_it_is_current(
    demo: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """No transaction is open between batches (so the database's write lock is held one batch at a time), and until
    the new rows are made current every reader sees the previous analysis's rows, never a mix."""
    from django.db import connection

    from keepitlocal.spend import analysis

    editor = signed_in_client("editor@calderdale.example")
    upload(editor, "april.csv", APRIL.encode())
    council = Council.objects.get(gss_code=CALDERDALE)
    before = (Payment.objects.filter(council=council).count(), Supplier.objects.filter(council=council).count())
    assert before == (3, 3)
    monkeypatch.setattr(analysis, "ROWS_BATCH", 1)
    seen: list[tuple[bool, tuple[int, int]]] = []
    batches: list[int] = []
    saving, batch_saving = analysis._write_rows, analysis._write_batch

    def watched(model: Any, columns: Any, rows: Any) -> None:
        # Before each table's rows (suppliers, then payments): no transaction open, readers see the previous rows.
        counts = (Payment.objects.filter(council=council).count(), Supplier.objects.filter(council=council).count())
        seen.append((connection.in_atomic_block, counts))
        saving(model, columns, rows)

    def batch_watched(sql: str, batch: Any) -> None:
        batches.append(len(batch))
        assert not connection.in_atomic_block  # each batch its own transaction, none held across batches
        batch_saving(sql, batch)

    monkeypatch.setattr(analysis, "_write_rows", watched)
    monkeypatch.setattr(analysis, "_write_batch", batch_watched)
    upload(editor, "may.csv", MAY.encode())
    assert AnalysisRun.objects.filter(status="succeeded").count() == 2
    assert len(seen) == 2 and all(not in_transaction and counts == before for in_transaction, counts in seen)
    # SQLite: a batch of one for each of three suppliers and five payments; PostgreSQL copies each table in one
    # statement, which its readers never wait for.
    assert batches == ([1] * (3 + 5) if connection.vendor == "sqlite" else [])
    assert Payment.objects.filter(council=council).count() == 5
    # The previous analysis's rows are gone, not merely hidden.
    assert Payment.every.filter(council=council).count() == 5 and Supplier.every.filter(council=council).count() == 3


@pytest.mark.django_db(transaction=True)
def test_a_file_removed_while_an_analysis_reads_it_overtakes_the_analysis_with_a_plain_message(
    demo: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from keepitlocal.spend import analysis

    editor = signed_in_client("editor@calderdale.example")
    upload(editor, "april.csv", APRIL.encode())
    saving = analysis._write_rows
    removed: list[bool] = []

    def remove_then_save(model: Any, columns: Any, rows: Any) -> None:
        if not removed:  # before the first rows are saved: the file goes, as another person removes it
            removed.append(True)
            SpendFile.objects.filter(original_name="april.csv").delete()
        saving(model, columns, rows)

    monkeypatch.setattr(analysis, "_write_rows", remove_then_save)
    upload(editor, "may.csv", MAY.encode())
    run = AnalysisRun.objects.order_by("-pk").first()
    assert run is not None and run.status == "failed"
    assert run.message == analysis.FILES_CHANGED and not run.traceback
    # Its half-saved rows are gone, and the current rows are the previous analysis's (of April's file, now removed).
    assert not Payment.every.filter(run=run).exists() and not Supplier.every.filter(run=run).exists()
