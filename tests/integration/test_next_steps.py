"""A council's home says what to do next, from its own records: the journey's missing steps, spend to upload or
publish, answers and actions that are late, evidence not yet built; the urgent first, each linking where it is done."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from keepitlocal.assessment.models import Action, Invitation, Round
from keepitlocal.network.models import Council, Membership
from keepitlocal.pages.next_steps import next_steps
from keepitlocal.spend.models import AnalysisRun, SpendFile

pytestmark = pytest.mark.django_db


def _texts(council: Council) -> list[str]:
    return [s.text for s in next_steps(council, Membership.objects.filter(council=council).first())]


def test_a_council_with_nothing_yet_is_told_every_first_step(demo: list[str]) -> None:
    council = Council.objects.get(gss_code="E10000011")  # East Sussex: a prospect in the demo, with nothing recorded
    found = _texts(council)
    for step in ("Upload your spend over £500", "Open this year's self-assessment", "Build a value case for early intervention (principle 4)",
                 "Import your directory of local services"):  # fmt: skip
        assert step in found, (step, found)
    assert any("champion" in s.lower() or "endorsement" in s.lower() or "membership" in s.lower() for s in found)


def test_late_things_come_first_and_say_what_is_late(demo: list[str]) -> None:
    council = Council.objects.get(gss_code="E10000011")
    today = timezone.localdate()
    Action.objects.create(council=council, principle=1, what="Late", owner="Someone", due_on=today - timedelta(days=3))
    Action.objects.create(council=council, principle=1, what="Later", owner="Someone", due_on=today - timedelta(days=1))
    past = Round.objects.create(council=council, title="Round 2026", closes_on=today - timedelta(days=1))
    steps = next_steps(council, Membership.objects.filter(council=council).first())
    assert [s.urgent for s in steps[:2]] == [True, True] and not any(s.urgent for s in steps[2:])
    assert {s.text for s in steps[:2]} == {"Close Round 2026: its closing date has passed", "2 actions are overdue"}
    assert steps[0].href.startswith("/manage/councils/E10000011/")
    past.closes_on = today + timedelta(days=10)
    past.save()
    Invitation.objects.create(
        round=past, group="officer", email="a@example.org", token_hash="x", expires_at=timezone.now() + timedelta(days=9)
    )
    assert "1 council officer invited has not answered Round 2026 yet" in _texts(council)


def test_spend_not_uploaded_for_months_or_not_published_is_a_step(demo: list[str], editor_client: Any) -> None:
    council = Council.objects.get(gss_code="E08000033")
    SpendFile.objects.create(council=council, original_name="x.csv", sha256="1" * 64, size=1)
    AnalysisRun.objects.create(
        council=council, status=AnalysisRun.Status.SUCCEEDED, period={"first": "2025-04-01", "last": "2025-06-30"}
    )
    found = _texts(council)
    assert "Upload your spend from 1 July 2025" in found and "Publish your latest spend figures" in found
    page = editor_client.get("/manage/councils/E08000033/").content.decode()
    assert "What to do next" in page and "Upload your spend from 1 July 2025" in page


def test_a_viewer_sees_the_steps_but_only_links_it_can_follow(demo: list[str]) -> None:
    from tests.conftest import signed_in_client

    page = signed_in_client("viewer@bristol.example").get("/manage/councils/E06000023/").content.decode()
    assert "What to do next" in page and "(for the council's editors)" in page
    assert 'href="/manage/councils/E06000023/spend/upload/"' not in page  # an editor's link, not followed by viewers


def test_the_network_team_sees_every_council_at_a_glance_and_can_download_it(demo: list[str]) -> None:
    from keepitlocal.spend.demo import load_demo_spend
    from tests.conftest import signed_in_client

    load_demo_spend()
    calderdale = Council.objects.get(gss_code="E08000033")
    Action.objects.create(
        council=calderdale, principle=1, what="Late", owner="Someone", due_on=timezone.localdate() - timedelta(days=2)
    )
    admin = signed_in_client("admin@example.org")
    page = admin.get("/network/").content.decode()
    glance = page.split('id="glance"')[1].split("</table>")[0]
    assert "Calderdale" in glance and "2025/26" in glance and "Published" in glance
    csv = b"".join(admin.get("/network/?format=csv").streaming_content).decode().splitlines()  # type: ignore[attr-defined]
    assert csv[0].startswith("GSS code,Council,Stage,Financial years of spend analysed,Published")
    row = next(line for line in csv if line.startswith("E08000033"))
    assert "2025/26" in row and ",Yes," in row
    assert signed_in_client("editor@calderdale.example").get("/network/?format=csv").status_code == 403


def test_the_network_overview_charts_spend_years_and_open_rounds_beside_their_tables(demo: list[str]) -> None:
    from keepitlocal.assessment.demo import load_demo_assessment
    from keepitlocal.spend.demo import load_demo_spend
    from tests.conftest import signed_in_client

    admin = signed_in_client("admin@example.org")
    empty = admin.get("/network/").content.decode()
    assert "Spend analysed across the network" not in empty and "No council has an open round with invitations." in empty
    load_demo_spend()
    load_demo_assessment()
    page = admin.get("/network/").content.decode()
    years = page.split("Spend analysed across the network")[1].split("</table>")[0]
    assert "network-spend-years-title" in years and 'role="img"' in years
    # Three demo councils analysed and published each of three financial years.
    for year in ("2023/24", "2024/25", "2025/26"):
        assert (
            f'{year}</th><td class="govuk-table__cell govuk-table__cell--numeric">3</td><td class="govuk-table__cell govuk-table__cell--numeric">3</td>'
            in years
        )
    rounds = page.split('<h2 class="govuk-heading-m">Open assessment rounds</h2>')[1].split("</table>")[0]
    open_round = Round.objects.get(council__gss_code="E08000033", closed_at__isnull=True)
    invited = open_round.invitations.filter(group="officer").count()  # officers only while a round is open
    answered = open_round.invitations.filter(group="officer", response__submitted_at__isnull=False).count()
    assert "network-response-rates-title" in rounds and f"{100 * answered / invited:.0f}%" in rounds
    assert (
        f'<td class="govuk-table__cell govuk-table__cell--numeric">{answered}</td><td class="govuk-table__cell govuk-table__cell--numeric">{invited}</td>'
        in rounds
    )


def test_a_community_organisation_sees_the_events_it_can_join(demo: list[str]) -> None:
    from tests.conftest import signed_in_client

    page = signed_in_client("org@example.org").get("/dashboard/", follow=True).content.decode()
    joinable = page.split("Events you can join")[1]
    # Its council takes part in two events still to come (the demo dates them from the day it is loaded); the one
    # already held is not offered.
    assert "West Yorkshire neighbourhood working session (demo)" in joinable
    assert "Early intervention value cases" in joinable and "Trailblazer peer exchange" not in joinable
    assert "No events are planned" not in joinable


def test_the_network_overview_and_the_comparison_read_kept_figures_on_a_second_view(
    demo: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Viewed again with nothing changed, neither page draws a chart or reads a publication's figures; a publication
    withdrawn shows at once."""
    from matplotlib.figure import Figure

    from keepitlocal.spend.demo import load_demo_spend
    from keepitlocal.spend.models import SpendPublication
    from tests.conftest import StrictHTMLClient, signed_in_client

    load_demo_spend()
    admin, public = signed_in_client("admin@example.org"), StrictHTMLClient()
    first = (admin.get("/network/").content.decode(), public.get("/compare/spend/").content.decode())
    work: list[str] = []
    drawn, read = Figure.subplots, SpendPublication.figures

    def drawing(self: Figure, *args: Any, **kwargs: Any) -> Any:
        work.append("chart")
        return drawn(self, *args, **kwargs)

    def reading(self: SpendPublication, *args: Any) -> Any:
        work.append("figures")
        return read(self, *args)

    monkeypatch.setattr(Figure, "subplots", drawing)  # every chart is drawn on a Figure of its own
    monkeypatch.setattr(SpendPublication, "figures", reading)
    again = (admin.get("/network/").content.decode(), public.get("/compare/spend/").content.decode())
    assert work == [] and "network-spend-years-title" in again[0] and "compare-local-vcse-title" in again[1]
    assert again[1].count("govuk-table__row") == first[1].count("govuk-table__row")
    SpendPublication.objects.filter(council__gss_code="E08000033").delete()
    assert "2 published councils" in public.get("/compare/spend/").content.decode() and "figures" in work
