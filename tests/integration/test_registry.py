"""Council import, demo loading, the public pages and downloads, joining the network, events and organisations."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from django.core.management import call_command
from markupsafe import escape
from openpyxl import load_workbook

from keepitlocal.accounts.models import User
from keepitlocal.cli import main as kil
from keepitlocal.network.models import AuditEntry, Council, Event, ImportRun, Membership, NetworkMember, Organisation
from tests.conftest import StrictHTMLClient, signed_in_client
from tests.paths import real_file

NETWORK = [
    "Bradford",
    "Bristol, City of",
    "Calderdale",
    "Hackney",
    "Kirklees",
    "Lewisham",
    "Newcastle upon Tyne",
    "Oldham",
    "Rotherham",
    "South Gloucestershire",
    "Wirral",
    "Leeds",
    "Wakefield",
    "Cheshire West and Chester",
    "York",
    "East Sussex",
    "Malvern Hills",
]


@pytest.mark.django_db
def test_import_councils_command_is_idempotent_with_a_run_record(tmp_path: Path) -> None:
    path = tmp_path / "Local_Authority_Districts_May_2024.csv"
    path.write_text("LAD24CD,LAD24NM\nE08000033,Calderdale\nE08000034,Kirklees\nnonsense,Nowhere\n", encoding="utf-8-sig")
    out = io.StringIO()
    call_command("import_councils", str(path), stdout=out)
    assert "3 rows read, 2 created, 0 updated, 0 unchanged, 0 skipped, 1 rejected" in out.getvalue()
    assert "row 4: 'NONSENSE' is not a GSS code" in out.getvalue()
    call_command("import_councils", str(path), stdout=io.StringIO())
    runs = list(ImportRun.objects.order_by("started_at"))
    assert [(r.created, r.updated, r.unchanged, r.rejected) for r in runs] == [(2, 0, 0, 1), (0, 0, 2, 1)]
    assert runs[0].problems == [{"source": str(path), "row": 4, "reason": "'NONSENSE' is not a GSS code"}]
    assert Council.objects.count() == 2
    # A renamed council is updated, not duplicated.
    path.write_text("LAD24CD,LAD24NM\nE08000033,Calderdale Council\n")
    call_command("import_councils", str(path), stdout=io.StringIO())
    assert Council.objects.get(gss_code="E08000033").name == "Calderdale Council"
    assert ImportRun.objects.order_by("-started_at").first().updated == 1  # type: ignore[union-attr]


@pytest.mark.django_db(transaction=True)
def test_kil_import_councils_reads_the_real_ons_file() -> None:
    path = real_file("geography/area_all_codes_lad_utla_cauth_rgn.csv")
    result = CliRunner().invoke(kil, ["import-councils", str(path)])
    assert result.exit_code == 0, result.output
    assert Council.objects.count() == 435
    assert Council.objects.get(gss_code="E06000028").successor_code == "E06000058"
    result = CliRunner().invoke(kil, ["import-councils", str(path)])
    assert "435" in result.output  # all unchanged the second time
    assert Council.objects.count() == 435


@pytest.mark.django_db
def test_kil_import_councils_refuses_an_unrecognised_file(tmp_path: Path) -> None:
    path = tmp_path / "spend.csv"
    path.write_text("Supplier,Amount\nAcme,1\n")
    result = CliRunner().invoke(kil, ["import-councils", str(path)])
    assert result.exit_code != 0
    assert "header matches no layout" in result.output


@pytest.mark.django_db
def test_demo_loads_the_17_network_councils_and_loading_twice_changes_nothing(demo: list[str]) -> None:
    from keepitlocal.network.demo import load_demo
    from keepitlocal.spend.demo import load_demo_spend
    from keepitlocal.spend.models import Payment, SpendFile, Supplier

    assert load_demo_spend() is True
    supplier_types = dict(Supplier.objects.values_list("name", "supplier_type"))
    assert supplier_types["Northern Roads Ltd (demo)"] == "private"
    assert supplier_types["Calder Valley Community Hub CIC (demo)"] == "vcse"

    def counts() -> tuple[int, ...]:
        models = (Membership, AuditEntry, Event, Organisation, User, SpendFile, Payment)
        return tuple(model.objects.count() for model in models)

    before = counts()
    load_demo()
    assert load_demo_spend() is False
    assert counts() == before
    assert sorted(Membership.objects.values_list("council__name", flat=True)) == sorted(NETWORK)
    assert all(Membership.objects.values_list("is_demo", flat=True))
    assert Membership.objects.filter(cohort__slug="trailblazers-2020").count() == 11
    page = StrictHTMLClient().get("/councils/").content.decode()
    for name in NETWORK:
        assert name.replace(",", ",") in page or name in page
    assert "17 councils" in page
    assert "Demonstration data" in page


@pytest.mark.django_db
def test_members_filter_and_downloads(demo: list[str]) -> None:
    client = StrictHTMLClient()
    page = client.get("/councils/?region=London").content.decode()
    assert "2 councils matching the filters" in page and "Hackney" in page and "Calderdale" not in page
    page = client.get("/councils/?cohort=cohort-2022").content.decode()
    assert "4 councils matching the filters" in page

    response = client.get("/councils/?cohort=cohort-2022&format=csv")
    csv_text = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    lines = csv_text.strip().splitlines()
    assert (
        lines[0]
        == "GSS code,Council,Council type,Region or nation,Cohort,Stage,Date joined,Link to the endorsement,Demonstration data"
    )
    assert len(lines) == 5

    data = json.loads(client.get("/councils/?format=json").content)
    assert len(data["rows"]) == 17
    # Every other council in the register is listed too, each with its profile (and a way to ask to join).
    everyone = client.get("/councils/").content.decode()
    others = Council.objects.filter(membership__isnull=True, successor_code="")
    assert "Councils not yet in the network" in everyone and all(escape(c.name) in everyone for c in others)
    assert others.count() > 350  # every UK council is in the bundled register
    assert {c["heading"] for c in data["columns"]} >= {"Council", "Stage", "Cohort"}

    response = client.get("/councils/?format=xlsx")
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None and sheet.max_row == 18
    assert client.get("/councils/?format=exe").status_code == 404


@pytest.mark.django_db
def test_public_profile_shows_role_titles_never_contact_details(demo: list[str]) -> None:
    page = StrictHTMLClient().get("/councils/E08000033/").content.decode()
    assert "Active member" in page and "2020 trailblazers" in page
    assert "Cabinet member for communities" in page
    assert "Read the decision" in page
    assert "calderdale.example" not in page.replace("https://democracy.calderdale.example", "")
    assert "01632" not in page


@pytest.mark.django_db
def test_principles_page_is_versioned(demo: list[str]) -> None:
    page = StrictHTMLClient().get("/principles/").content.decode()
    assert "Version 1.0" in page
    for title in ("Think whole-system not silos", "Commission simply and collaboratively, local by default"):
        assert title in page


@pytest.mark.django_db
def test_join_the_network_and_the_team_accepts(demo: list[str]) -> None:
    client = StrictHTMLClient()
    body = client.post("/join/", {"kind": "organisation", "name": "Sam", "email": "sam@example.org"}).content.decode()
    assert "Enter the name of your organisation" in body
    body = client.post(
        "/join/",
        {"kind": "organisation", "name": "Sam", "email": "sam@example.org", "organisation_name": "Hub", "org_id": "1234"},
    ).content.decode()
    assert "Start with the register&#39;s prefix" in body or "Start with the register's prefix" in body
    response = client.post(
        "/join/",
        {
            "kind": "organisation",
            "name": "Sam",
            "email": "sam@example.org",
            "organisation_name": "Todmorden Hub",
            "org_id": "gb-coh-123456",
            "home_council": str(Council.objects.get(gss_code="E08000033").pk),
        },
    )
    assert response["Location"] == "/join/done/"
    member = NetworkMember.objects.get(email="sam@example.org")
    assert member.org_id == "GB-COH-00123456" and member.state == "pending"

    admin = signed_in_client("admin@example.org")
    assert "Todmorden Hub" in admin.get("/network/").content.decode()
    admin.post(f"/network/join-requests/{member.pk}/", {"decision": "accept"})
    member.refresh_from_db()
    assert member.state == "accepted"
    assert member.organisation is not None and member.organisation.org_id == "GB-COH-00123456"


@pytest.mark.django_db
def test_a_council_that_wants_to_join_becomes_a_prospect_when_the_team_accepts(demo: list[str]) -> None:
    client = StrictHTMLClient()
    calderdale = Council.objects.get(gss_code="E08000033")
    body = client.post("/join/", {"kind": "council", "name": "Pat", "email": "pat@wigan.example"}).content.decode()
    assert "Choose the council that wants to join" in body
    member_already = client.post(
        "/join/", {"kind": "council", "name": "Pat", "email": "pat@calderdale.example", "home_council": str(calderdale.pk)}
    ).content.decode()
    assert "Calderdale is already in the network" in member_already
    newcomer = Council.objects.filter(membership__isnull=True, successor_code="").first()
    assert newcomer is not None
    response = client.post(
        "/join/", {"kind": "council", "name": "Pat", "email": "pat@new.example", "home_council": str(newcomer.pk)}
    )
    assert response["Location"] == "/join/done/"
    member = NetworkMember.objects.get(email="pat@new.example")
    admin = signed_in_client("admin@example.org")
    assert (
        "On behalf of a council" in admin.get("/network/").content.decode()
        or newcomer.name in admin.get("/network/").content.decode()
    )
    admin.post(f"/network/join-requests/{member.pk}/", {"decision": "accept"})
    prospect = Membership.objects.get(council=newcomer)
    assert prospect.stage == "prospect"


@pytest.mark.django_db
def test_events_are_seen_by_participants_only(demo: list[str]) -> None:
    west_yorkshire = Event.objects.get(title__startswith="West Yorkshire")
    trailblazers = Event.objects.get(title__startswith="Trailblazer")
    bristol = signed_in_client("viewer@bristol.example")
    listing = bristol.get("/network/events/").content.decode()
    assert "Trailblazer peer exchange" in listing and "West Yorkshire" not in listing
    assert bristol.get(f"/network/events/{west_yorkshire.pk}/").status_code == 403
    assert "Demo notes for participants" in bristol.get(f"/network/events/{trailblazers.pk}/").content.decode()

    admin = signed_in_client("admin@example.org")
    response = admin.post(
        "/network/events/new/",
        {
            "title": "Peer review",
            "held_on_day": "1",
            "held_on_month": "12",
            "held_on_year": "2026",
            "councils": [str(Council.objects.get(gss_code="E06000023").pk)],
            "notes": "Bring your action plan",
        },
    )
    assert response.status_code == 302
    assert "Peer review" in bristol.get("/network/events/").content.decode()


@pytest.mark.django_db
def test_organisation_editor_edits_their_organisation(demo: list[str]) -> None:
    organisation = Organisation.objects.get(name__startswith="Calder Valley")
    client = signed_in_client("org@example.org")
    # One organisation and no council: the dashboard goes straight to its home page.
    assert organisation.name in client.get("/dashboard/", follow=True).content.decode()
    body = client.post(
        f"/manage/organisations/{organisation.pk}/", {"name": organisation.name, "website": "javascript:alert(1)"}
    ).content.decode()
    assert "Enter a link that starts with http:// or https://" in body
    response = client.post(
        f"/manage/organisations/{organisation.pk}/",
        {"name": organisation.name, "org_id": "GB-CHC-01234567", "website": "https://hub.example"},
    )
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.org_id == "GB-CHC-1234567"


@pytest.mark.django_db
def test_changes_in_the_django_admin_are_audited_and_history_is_read_only(demo: list[str]) -> None:
    from keepitlocal.network.models import Champion

    admin = signed_in_client("admin@example.org")
    champion = Champion.objects.filter(membership__council__gss_code="E08000033", role="cabinet").get()
    before = AuditEntry.objects.filter(council__gss_code="E08000033").count()
    response = admin.post(
        f"/admin/network/champion/{champion.pk}/change/",
        {
            "membership": champion.membership_id,
            "role": "cabinet",
            "name": champion.name,
            "role_title": "Leader of the council",
            "email": champion.email,
            "phone": champion.phone,
            "started_on": champion.started_on.isoformat(),
            "ended_on": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    latest = AuditEntry.objects.filter(council__gss_code="E08000033").first()
    assert AuditEntry.objects.filter(council__gss_code="E08000033").count() == before + 1
    assert latest is not None and latest.actor_label == "Network admin (demo) (admin@example.org)"
    assert {"field": "Role title", "from": "Cabinet member for communities", "to": "Leader of the council"} in latest.changes
    assert admin.get(f"/admin/network/auditentry/{latest.pk}/delete/").status_code == 403
    assert admin.post(f"/admin/network/auditentry/{latest.pk}/change/", {"action": "forged"}).status_code == 403


@pytest.mark.django_db
def test_the_assessment_framework_is_public_and_versioned() -> None:
    client = StrictHTMLClient()
    page = client.get("/assessment/framework/").content.decode()
    assert "Version 1.0" in page and "3.1 Knowing where the money goes" in page and "4 embedded" in page
    assert page.count('class="govuk-table"') == 24
    assert client.get("/assessment/framework/?version=9.9").status_code == 404


@pytest.mark.django_db
def test_the_join_form_is_limited_per_client_and_the_team_pages_through_requests(demo: list[str]) -> None:
    calderdale = str(Council.objects.get(gss_code="E08000033").pk)

    def ask(client: StrictHTMLClient, n: int) -> Any:
        return client.post(
            "/join/",
            {"kind": "organisation", "name": f"Person {n}", "email": f"p{n}@example.org",
             "organisation_name": f"Group {n}", "home_council": calderdale},
        )  # fmt: skip

    flood = StrictHTMLClient(REMOTE_ADDR="203.0.113.5")
    answers = [ask(flood, n) for n in range(12)]
    assert [a.status_code for a in answers] == [302] * 10 + [429] * 2
    assert "too many attempts to ask to join from your connection" in answers[-1].content.decode()
    assert NetworkMember.objects.filter(state="pending").count() == 10
    for n in range(10, 40):  # others, each on their own connection
        assert ask(StrictHTMLClient(REMOTE_ADDR=f"198.51.100.{n}"), n).status_code == 302
    admin = signed_in_client("admin@example.org")
    first = admin.get("/network/").content.decode()
    assert "Waiting for review (40), page 1 of 2, oldest first" in first and first.count("Decline<span") == 25
    assert "Person 0<" in first and "Person 39<" not in first
    second = admin.get("/network/?page=2").content.decode()
    assert second.count("Decline<span") == 15 and "Person 39<" in second


@pytest.mark.django_db
def test_an_organisation_opens_the_events_its_home_lists_as_ones_it_can_join(demo: list[str]) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from keepitlocal.network.models import Event, Organisation
    from tests.conftest import signed_in_client

    hub = Organisation.objects.get(name="Calder Valley Community Hub (demo)")
    event = Event.objects.create(title="Commissioning locally", held_on=timezone.localdate() + timedelta(days=10))
    event.councils.add(hub.home_council)  # type: ignore[arg-type]
    org = signed_in_client("org@example.org")
    home = org.get(f"/manage/organisations/{hub.pk}/home/").content.decode()
    assert f'href="/network/events/{event.pk}/">Commissioning locally</a>' in home
    assert org.get(f"/network/events/{event.pk}/").status_code == 200
    assert "Commissioning locally" in org.get("/network/events/").content.decode()
