"""The value case on the platform: the unit-cost library import (idempotent, versioned), building a case through its
forms with GOV.UK errors for bad input, the result with its range and agency split, the tagged PDF, the demo."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from keepitlocal.network.models import Council
from keepitlocal.value import services
from keepitlocal.value.demo import load_demo_value
from keepitlocal.value.models import UnitCost, UnitCostImport, ValueCase
from tests.paths import SHARED
from tests.pdfs import inflated as _inflated

pytestmark = pytest.mark.django_db
GMCA = SHARED / "gmca" / "gmca_unit_cost_database_v1_4.xlsx"
BASE = "/manage/councils/E08000033/value/"


def page_of(client: Any) -> str:
    return str(client.get(BASE).content.decode())


@pytest.mark.skipif(not GMCA.exists(), reason="../shared GMCA workbook not present")
def test_importing_the_library_twice_changes_nothing_and_an_edit_is_a_new_version() -> None:
    data = GMCA.read_bytes()
    first = services.import_library(GMCA.name, data)
    assert (first.rows_read, first.created, first.updated, first.problems, first.succeeded) == (683, 683, 0, [], True)
    second = services.import_library(GMCA.name, data)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 683)
    assert UnitCostImport.objects.count() == 2 and UnitCost.objects.count() == 683
    row = UnitCost.objects.get(code="CR2.0.1")
    assert row.agency == "nhs" and row.values["fiscal"] == {"value": 1171.0, "price_year": 2008}


def test_a_council_builds_a_value_case_through_its_forms(demo: list[str], editor_client: Any) -> None:
    load_demo_value()  # the library lines and deflator the demo needs
    bad = editor_client.post(
        BASE + "new/", {"title": "", "price_year": "twenty", "cost_per_year": "a lot", "years": "0", "cohort_per_year": "0"}
    )
    text = bad.content.decode()
    assert bad.status_code == 400 and "<title>Error:" in text
    for message in (
        "Enter a title for the value case",
        "Enter a financial year",
        "must be a number",
        "People reached each year must be more than 0",
    ):
        assert message in text, message
    created = editor_client.post(
        BASE + "new/",
        {
            "title": "Test service",
            "price_year": "2019/20",
            "cost_per_year": "90,000, 100,000, 120,000",
            "years": "2",
            "cohort_per_year": "50",
        },
    )
    assert created.status_code == 302
    case = ValueCase.objects.get(title="Test service")
    assert case.cost_per_year == {"low": 90000.0, "central": 100000.0, "high": 120000.0}
    outcome_url = BASE + f"{case.pk}/outcomes/add/"
    refused = editor_client.post(outcome_url, {"name": "Incidents avoided", "unit_costs": "NOPE", "events_per_person": "1", "success": "150%", "confidence_grade": "3", "persistence": "2"})  # fmt: skip
    text = refused.content.decode()
    assert refused.status_code == 400
    assert "No unit cost with the code NOPE" in text and "between 0% and 100%" in text and "Enter the drop-off each year" in text
    added = editor_client.post(
        outcome_url,
        {"name": "Incidents avoided", "unit_costs": "CR2.0.1, CR2.0.3", "kinds": ["fiscal"], "events_per_person": "1.5",
         "success": "30%, 40%, 50%", "deadweight": "20%", "attribution": "10%", "confidence_grade": "3", "persistence": "2",
         "drop_off": "50%"},
    )  # fmt: skip
    assert added.status_code == 302, added.content.decode()[:3000]
    page = editor_client.get(BASE + f"{case.pk}/").content.decode()
    assert "of fiscal savings for every £1 spent" in page and "(range £" in page
    assert "NHS" in page and "Police and criminal justice" in page
    result = services.calculate(case).result
    assert result is not None and result.low.npv <= result.central.npv <= result.high.npv
    # The case keeps the versions it used: a new version of a unit cost does not change it.
    used = {c.pk for c in case.outcomes.get().unit_costs.all()}
    UnitCost.objects.filter(code="CR2.0.1").update(is_current=False)
    UnitCost.objects.create(code="CR2.0.1", version=99, description="Changed", agency="nhs", values={"fiscal": {"value": 1, "price_year": 2008}}, source="X")  # fmt: skip
    assert {c.pk for c in case.outcomes.get().unit_costs.all()} == used
    assert services.calculate(case).result.central.npv == pytest.approx(result.central.npv)  # type: ignore[union-attr]


def test_the_report_is_a_tagged_pdf_and_the_demo_case_has_its_range_and_agency_split(demo: list[str], editor_client: Any) -> None:
    assert load_demo_value() and not load_demo_value()
    case = ValueCase.objects.get(is_demo=True)
    result = services.calculate(case).result
    assert result is not None
    agencies = {agency for agency, _ in result.central.by_agency}
    assert {a.value for a in agencies} == {"nhs", "police", "children", "housing"}
    assert result.low.bcr_fiscal is not None and result.high.bcr_fiscal is not None
    assert result.low.bcr_fiscal < result.central.bcr_fiscal < result.high.bcr_fiscal  # type: ignore[operator]
    pdf = editor_client.get(BASE + f"{case.pk}/report.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and b"/StructTreeRoot" in _inflated(pdf.content)  # tagged for screen readers
    bristol = StrictClient("viewer@bristol.example")
    assert bristol.get(BASE + f"{case.pk}/").status_code == 403


def StrictClient(email: str) -> Any:
    from tests.conftest import signed_in_client

    return signed_in_client(email)


def test_grants_import_once_and_show_beside_local_vcse_spend(demo: list[str], editor_client: Any, tmp_path: Any) -> None:
    from keepitlocal.spend.demo import load_demo_spend
    from keepitlocal.value.demo import demo_grants
    from keepitlocal.value.models import Grant

    load_demo_spend()
    first = services.import_grants("grants.json", demo_grants())
    again = services.import_grants("grants.json", demo_grants())
    assert first.created == first.rows_read > 0 and (again.created, again.unchanged) == (0, first.rows_read)
    assert Grant.objects.filter(lad="E08000033").count() == first.rows_read
    levered = services.levered_in(Council.objects.get(gss_code="E08000033"))
    assert levered.grants == first.rows_read and levered.grants_total > 0
    # The demo's own registers place its suppliers, so the ratio is there: grants over local VCSE spend.
    # One year of each: the analysis's latest financial year of spend, and the grants awarded that year.
    assert levered.year == "2025/26" and levered.local_vcse_spend
    # The spend side worked out from the payments themselves: 2025/26's payments to local VCSE suppliers, netted per
    # supplier (a supplier whose credits exceed its payments counts as nothing), not the VCSE spend nor every year's.
    from datetime import date as day

    from keepitlocal.spend.models import Payment

    nets: dict[str, Decimal] = {}
    for payment in Payment.objects.filter(
        council__gss_code="E08000033", supplier_type="vcse", is_local=True, date__gte=day(2025, 4, 1), date__lt=day(2026, 4, 1)
    ):
        nets[payment.supplier_key] = nets.get(payment.supplier_key, Decimal(0)) + payment.amount
    assert levered.local_vcse_spend == pytest.approx(float(sum(max(n, Decimal(0)) for n in nets.values())), abs=0.01)
    that_year = sum(g.amount for g in Grant.objects.filter(lad="E08000033", financial_year="2025/26"))
    assert levered.year_grants == that_year < levered.grants_total
    assert levered.per_pound == pytest.approx(float(that_year) / levered.local_vcse_spend)
    assert "In 2025/26, for every £1 Calderdale spent with local VCSE organisations" in page_of(editor_client)
    page = page_of(editor_client)
    assert "Funding levered into the area" in page and "went to organisations based in Calderdale" in page
    assert "Read with care" in page
    hub = services.grants_received("GB-CHC-1000002")
    assert hub and all(total > 0 for _, _, total in hub)
    with pytest.raises(Exception, match="360Giving"):
        services.import_grants("not.json", b'{"hello": 1}')


def test_an_organisation_records_an_lm3_survey_and_a_council_estimate_is_labelled(demo: list[str], editor_client: Any) -> None:
    from keepitlocal.network.models import Organisation
    from tests.conftest import signed_in_client

    hub = Organisation.objects.get(name__startswith="Calder Valley")
    org = signed_in_client("org@example.org")
    url = f"/manage/organisations/{hub.pk}/lm3/"
    bad = org.post(url, {"period": "2025/26", "income": "100", "local_staff_pay": "80", "local_suppliers": "30",
                         "staff_respend_share": "50%", "supplier_respend_share": "50%", "round3_basis": "survey", "local": "Calderdale"})  # fmt: skip
    assert bad.status_code == 400 and "cannot be more than round 1" in bad.content.decode()
    good = org.post(url, {"period": "2025/26", "income": "100000", "local_staff_pay": "40000", "local_suppliers": "20000",
                          "staff_respend_share": "50%", "supplier_respend_share": "25%", "round3_basis": "survey", "local": "Calderdale"}, follow=True)  # fmt: skip
    assert "£1.85" in good.content.decode()
    page = editor_client.get(BASE).content.decode()
    assert "Local multiplier (LM3)</a>: an estimate from your spend" in page
    assert "No spend has been analysed yet." in page or "not known yet" in page or "State a re-spend share" in page
    saved = editor_client.post(
        BASE + "lm3/", {"respend_share": "25%", "source": "Our supplier survey 2024", "local": "In Calderdale"}
    )
    assert saved.status_code == 302
    from keepitlocal.value.models import LM3Estimate

    assert LM3Estimate.objects.get(council__gss_code="E08000033").respend_share == 0.25


def test_value_without_a_price_and_a_councils_own_unit_cost(demo: list[str], editor_client: Any) -> None:
    load_demo_value()
    case = ValueCase.objects.get(is_demo=True)
    assert case.claims.count() == 3
    refused = editor_client.post(BASE + f"{case.pk}/claims/add/", {"what": "", "for_whom": "", "evidence": "javascript:alert(1)"})
    assert refused.status_code == 400 and "Enter what was done" in refused.content.decode()
    added = editor_client.post(
        BASE + f"{case.pk}/claims/add/",
        {
            "what": "Trained 40 frontline staff",
            "when_day": "1",
            "when_month": "6",
            "when_year": "2025",
            "for_whom": "GP practices",
        },
    )
    assert added.status_code == 302
    page = editor_client.get(BASE + f"{case.pk}/").content.decode()
    assert "Value without a price" in page and "Trained 40 frontline staff" in page
    own = {"code": "LAC1", "description": "Looked-after child, a year", "value": "52000", "price_year": "2023/24", "agency": "children",
           "kind": "fiscal", "source": "Finance outturn 2023/24, table 4"}  # fmt: skip
    assert editor_client.post(BASE + "unit-costs/new/", own).status_code == 302
    assert editor_client.post(BASE + "unit-costs/new/", {**own, "value": "53000"}).status_code == 302
    versions = UnitCost.objects.filter(code="E08000033-LAC1").order_by("version")
    assert [(v.version, v.is_current, v.values["fiscal"]["value"]) for v in versions] == [(1, False, 52000.0), (2, True, 53000.0)]


def test_cli_loads_a_deflator_series_and_refuses_one_with_gaps(tmp_path: Any) -> None:
    from click.testing import CliRunner

    from keepitlocal.cli import main
    from keepitlocal.value.models import DeflatorSeries

    good, gappy = tmp_path / "good.csv", tmp_path / "gappy.csv"
    good.write_text("year,index\n2023/24,100\n2024/25,102.1\n2025/26,104.3\n")
    gappy.write_text("year,index\n2023/24,100\n2025/26,104.3\n")
    result = CliRunner().invoke(main, ["value", "load-deflator", str(good), "--source", "Test series"])
    assert result.exit_code == 0, result.output
    assert DeflatorSeries.objects.first().citation == "Test series"  # type: ignore[union-attr]
    refused = CliRunner().invoke(main, ["value", "load-deflator", str(gappy), "--source", "Gappy"])
    assert refused.exit_code == 1 and "gaps" in refused.output


def test_a_published_case_shows_on_the_public_profile_and_an_unpublished_one_does_not(
    demo: list[str], editor_client: Any
) -> None:
    from tests.conftest import StrictHTMLClient

    load_demo_value()
    case = ValueCase.objects.get(is_demo=True)
    public = StrictHTMLClient()
    profile = public.get("/councils/E08000033/").content.decode()
    assert case.title in profile and "of fiscal savings for every £1 spent (range" in profile
    assert public.get(f"/councils/E08000033/value/{case.pk}/").status_code == 200
    assert editor_client.post(BASE + f"{case.pk}/publish/", {"publish": "no"}).status_code == 302
    assert public.get(f"/councils/E08000033/value/{case.pk}/").status_code == 404
    assert case.title not in public.get("/councils/E08000033/").content.decode()


def test_the_intervention_can_be_changed_and_the_outcomes_stay(demo: list[str], editor_client: Any) -> None:
    load_demo_value()
    case = ValueCase.objects.get(is_demo=True)
    form = editor_client.get(BASE + f"{case.pk}/change/").content.decode()
    assert 'value="180000, 200000, 230000"' in form and 'value="2019/20"' in form
    changed = editor_client.post(
        BASE + f"{case.pk}/change/",
        {
            "title": case.title,
            "price_year": "2019/20",
            "cost_per_year": "150000",
            "years": "3",
            "cohort_per_year": "100, 120, 140",
        },
    )
    assert changed.status_code == 302
    case.refresh_from_db()
    assert case.cost_per_year == {"low": 150000.0, "central": 150000.0, "high": 150000.0} and case.outcomes.count() == 3


def test_an_organisation_attaches_its_connections_to_a_published_case_as_counts(demo: list[str], editor_client: Any) -> None:
    from keepitlocal.connections import services as connections
    from keepitlocal.network.models import Organisation
    from tests.conftest import StrictHTMLClient, signed_in_client

    load_demo_value()
    case = ValueCase.objects.get(is_demo=True)
    case.contexts.all().delete()
    hub = Organisation.objects.get(name__startswith="Calder Valley")
    cmap = connections.map_for(hub)
    cmap.connections.all().delete()
    cmap.elements.exclude(is_self=True).delete()
    me = connections.self_element(cmap)
    park = connections.save_element(cmap, None, {"label": "Park Ward Residents (private name)", "sector": "residents"}, None)
    flats = connections.save_element(cmap, None, {"label": "Beech Hill Tenants", "sector": "residents"}, None)
    gp = connections.save_element(cmap, None, {"label": "Park Lane Surgery", "sector": "public"}, None)
    for other in (park, flats, gp):
        connections.save_connection(cmap, None, {"source": me, "target": other, "kind": "partnership"}, None)
    org = signed_in_client("org@example.org")
    url = f"/manage/organisations/{hub.pk}/value-cases/"
    listed = org.get(url).content.decode()
    assert case.title in listed and "Not attached" in listed
    assert org.post(url, {"case": case.pk, "action": "attach"}).status_code == 302
    context = case.contexts.get(organisation=hub)
    # Two resident groups whose only path to the surgery runs through the hub; one public body; two sectors.
    assert (context.resident_groups, context.residents_cut_off, context.public_bodies, context.sectors) == (2, 2, 1, 2)
    assert (context.connections, context.confirmed) == (3, 0)
    public = StrictHTMLClient().get(f"/councils/E08000033/value/{case.pk}/").content.decode()
    assert "What the organisations&#39; connections show" in public or "What the organisations' connections show" in public
    home = org.get(f"/manage/organisations/{hub.pk}/home/").content.decode()
    assert "Your connections are shown with:" in home and case.title in home
    assert hub.name in public and "Park Ward Residents" not in public  # counts only: no one on the map is named
    # Only published cases take context; removing takes it away.
    services.publish(case, False)
    assert org.post(url, {"case": case.pk, "action": "attach"}).status_code == 404
    services.publish(case, True)
    assert org.post(url, {"case": case.pk, "action": "remove"}).status_code == 302
    assert not case.contexts.exists()


def test_the_network_team_loads_a_deflator_series_from_the_page_and_a_gappy_one_is_refused(
    demo: list[str], network_admin_client: Any, editor_client: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from keepitlocal.value.models import DeflatorSeries

    url = "/value/deflator/"
    assert editor_client.get(url).status_code == 403  # the series is the whole network's: the network team loads it
    gappy = SimpleUploadedFile("gappy.csv", b"year,index\n2020/21,90\n2022/23,95\n", content_type="text/csv")
    refused = network_admin_client.post(url, {"file": gappy, "source": "Gappy series"})
    assert refused.status_code == 400 and "2021/22" in refused.content.decode()
    assert not DeflatorSeries.objects.exists()
    good = SimpleUploadedFile("hmt.csv", b"Year,Index\n2022/23,95.5\n2023/24,100\n2024/25,102.1\n", content_type="text/csv")
    assert network_admin_client.post(url, {"file": good, "source": "HM Treasury GDP deflators, test"}).status_code == 302
    assert DeflatorSeries.objects.get().index == {"2022": 95.5, "2023": 100.0, "2024": 102.1}
    page = network_admin_client.get(url).content.decode()
    assert "In use for new cases: HM Treasury GDP deflators, test" in page and "102.10" in page
    assert "HM Treasury GDP deflators, test" in editor_client.get("/value/unit-costs/").content.decode()


def test_the_demo_council_has_an_lm3_estimate_from_its_spend_labelled_as_one(demo: list[str], editor_client: Any) -> None:
    from keepitlocal.spend.demo import load_demo_spend

    load_demo_spend()
    load_demo_value()
    estimate = services.council_lm3(Council.objects.get(gss_code="E08000033"))
    assert estimate.reason == "" and estimate.low and estimate.central and estimate.high
    assert estimate.low.lm3 <= estimate.central.lm3 <= estimate.high.lm3
    page = editor_client.get(BASE).content.decode()
    assert "an estimate from your spend" in page and "Demonstration assumption" in page


def test_an_lm3_estimate_from_a_local_share_known_for_too_little_spend_is_its_range_alone(
    demo: list[str], editor_client: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from keepitlocal.spend.demo import load_demo_registers

    load_demo_registers()
    # A tenth of the spend to a charity the registers place in Calderdale; the rest to a supplier placed nowhere.
    paid = b"Supplier Name,Amount,Date\nTodmorden Food Bank (demo),100,2024-04-01\nZeta Holdings,900,2024-04-02\n"
    editor_client.post("/manage/councils/E08000033/spend/upload/", {"spend_file": SimpleUploadedFile("p.csv", paid)})
    answer = {"respend_share": "25%", "source": "A survey of our suppliers", "local": "In Calderdale"}
    assert editor_client.post(BASE + "lm3/", answer).status_code == 302
    estimate = services.council_lm3(Council.objects.get(gss_code="E08000033"))
    assert estimate.central is None and estimate.low and estimate.high and estimate.low.lm3 < estimate.high.lm3
    assert estimate.coverage == 10.0
    page = page_of(editor_client)
    assert "known for only 10.0% of spend, too little for one figure" in page and "an estimated" not in page


def test_monetary_answers_are_read_as_people_write_them(demo: list[str]) -> None:
    from keepitlocal.value.forms import SurveyForm

    form = SurveyForm(
        {
            "period": "2025/26",
            "income": "£100,000",
            "local_staff_pay": "40,000",
            "local_suppliers": "£ 12,500.50",
            "staff_respend_share": "40%",
            "supplier_respend_share": "25%",
            "round3_basis": "survey",
            "local": "In Calderdale",
        }
    )
    assert form.is_valid(), form.errors
    assert (form.cleaned_data["income"], form.cleaned_data["local_staff_pay"]) == (Decimal("100000"), Decimal("40000"))
    assert form.cleaned_data["local_suppliers"] == Decimal("12500.50")


def test_the_council_can_take_an_organisations_connections_off_its_case(demo: list[str], editor_client: Any) -> None:
    from keepitlocal.connections.demo import load_demo_connections
    from tests.conftest import signed_in_client

    load_demo_connections()
    load_demo_value()
    case = ValueCase.objects.get(is_demo=True)
    context = case.contexts.get()
    assert "Remove" in editor_client.get(BASE + f"{case.pk}/").content.decode()
    org = signed_in_client("org@example.org")
    assert org.post(BASE + f"{case.pk}/contexts/{context.pk}/remove/").status_code == 403
    assert org.post(f"/manage/organisations/{context.organisation_id}/value-cases/", {"case": "abc"}).status_code == 404
    assert editor_client.post(BASE + f"{case.pk}/contexts/{context.pk}/remove/").status_code == 302
    assert not case.contexts.exists()
