"""The assessment as councils and respondents use it: rounds, single-use links, answers, results, plans, peers."""

from __future__ import annotations

import re
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from keepitlocal.assessment import services
from keepitlocal.assessment.demo import load_demo_assessment
from keepitlocal.assessment.engine.framework import CURRENT
from keepitlocal.assessment.models import Action, ActionUpdate, Answer, Invitation, Response, Round, Sharing
from keepitlocal.network.models import AuditEntry, Council
from keepitlocal.spend.engine.figures import AnalysisFigures, FigureSet, Indicator, IndicatorId, Unit, YearFigures
from keepitlocal.spend.engine.periods import Period
from tests.conftest import StrictHTMLClient, signed_in_client

CALDERDALE, BRISTOL = "E08000033", "E06000023"
BASE = f"/manage/councils/{CALDERDALE}/assessment/"


def _date(prefix: str, day: date) -> dict[str, str]:
    return {f"{prefix}_day": str(day.day), f"{prefix}_month": str(day.month), f"{prefix}_year": str(day.year)}


def _open(editor: StrictHTMLClient, closes: date | None = None) -> Round:
    closes = closes or timezone.localdate() + timedelta(days=30)
    response = editor.post(BASE + "rounds/new/", {"title": "Self-assessment 2026", **_date("closes_on", closes)})
    assert response.status_code == 302, response.content.decode()
    return Round.objects.get(council__gss_code=CALDERDALE, closed_at__isnull=True)


def _invite(editor: StrictHTMLClient, assessment: Round, email: str, group: str, outbox: list[Any]) -> str:
    response = editor.post(
        f"{BASE}rounds/{assessment.pk}/invite/", {"group": group, "email": email, "name": "", "organisation": ""}
    )
    assert response.status_code == 302, response.content.decode()
    sent = [e for e in outbox if e.to == email][-1]
    found = re.search(r"/respond/([\w-]+)/", sent.body)
    assert found, sent.body
    return found.group(1)


def _answer_all(client: StrictHTMLClient, token: str, level: int = 3, partner: bool = True, anonymous: bool = False) -> None:
    about = {"name": "Pat Partner", "organisation": "Halifax Food Bank"}
    if partner:
        about["anonymous"] = "yes" if anonymous else "no"
    assert client.post(f"/respond/{token}/about/", about).status_code == 302
    for code in CURRENT.codes:
        response = client.post(
            f"/respond/{token}/questions/{code}/", {"level": str(level), "evidence": f"Evidence for {code}", "link": ""}
        )
        assert response.status_code == 302, response.content.decode()


@pytest.fixture
def editor(demo: list[str]) -> StrictHTMLClient:
    return signed_in_client("editor@calderdale.example")


@pytest.mark.django_db
def test_a_partner_answers_through_a_single_use_link(editor: StrictHTMLClient, email_outbox: list[Any]) -> None:
    assessment = _open(editor)
    token = _invite(editor, assessment, "partner@example.org", "partner", email_outbox)
    assert "Calderdale" in email_outbox[-1].subject
    assert not Invitation.objects.filter(token_hash=token).exists()  # only the hash is kept

    respondent = StrictHTMLClient()
    page = respondent.get(f"/respond/{token}/")
    assert page.status_code == 200 and "You have answered 0 of 24 questions" in page.content.decode()

    # Save and come back: a partial answer stays, the task list shows progress.
    respondent.post(f"/respond/{token}/questions/1.1/", {"level": "2", "evidence": "Some", "link": "", "save_and_return": "1"})
    assert "You have answered 1 of 24 questions" in respondent.get(f"/respond/{token}/").content.decode()

    # Submitting early is refused, and nothing is submitted.
    early = respondent.post(f"/respond/{token}/check/")
    assert early.status_code == 400 and "answer every question (23 to go)" in early.content.decode()
    assert Response.objects.get().submitted_at is None

    _answer_all(respondent, token)
    check = respondent.get(f"/respond/{token}/check/")
    assert "Check your answers before you submit them" in check.content.decode()
    assert respondent.post(f"/respond/{token}/check/").status_code == 302
    assert Response.objects.get().submitted_at is not None

    # The link is used up: a repeat submission or a new answer is refused with a clear message.
    again = respondent.post(f"/respond/{token}/check/")
    assert again.status_code == 410 and "already submitted" in again.content.decode()
    late_edit = respondent.post(f"/respond/{token}/questions/1.1/", {"level": "4", "evidence": "Changed", "link": ""})
    assert late_edit.status_code == 410
    assert Answer.objects.get(indicator="1.1").level == 3


@pytest.mark.django_db
def test_bad_links_are_refused(editor: StrictHTMLClient, email_outbox: list[Any]) -> None:
    assessment = _open(editor)
    assert StrictHTMLClient().get("/respond/not-a-token/").status_code == 404

    token = _invite(editor, assessment, "late@example.org", "officer", email_outbox)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    expired = StrictHTMLClient().post(f"/respond/{token}/questions/1.1/", {"level": "2", "evidence": "x", "link": ""})
    assert expired.status_code == 410 and "expired" in expired.content.decode()
    assert not Answer.objects.exists()

    # Inviting again sends a new link and stops the old one; answers saved so far stay, under the new group.
    fresh = _invite(editor, assessment, "late@example.org", "officer", email_outbox)
    assert StrictHTMLClient().get(f"/respond/{token}/").status_code == 404
    assert StrictHTMLClient().get(f"/respond/{fresh}/").status_code == 200
    StrictHTMLClient().post(f"/respond/{fresh}/questions/1.1/", {"level": "2", "evidence": "x", "link": ""})
    regrouped = _invite(editor, assessment, "late@example.org", "partner", email_outbox)
    assert Response.objects.get().group == "partner" and Answer.objects.count() == 1
    assert "You have answered 1 of 24 questions" in StrictHTMLClient().get(f"/respond/{regrouped}/").content.decode()

    # A round nobody has answered yet still has a results page and a report, saying so.
    for page in ("results/", "report/"):
        body = editor.get(f"{BASE}rounds/{assessment.pk}/{page}").content.decode()
        # Open: officers counted; partners counted when it closes.
        assert "0 council officers" in body and "when the round closes" in body


@pytest.mark.django_db
def test_closing_freezes_the_round(editor: StrictHTMLClient, email_outbox: list[Any]) -> None:
    assessment = _open(editor)
    token = _invite(editor, assessment, "slow@example.org", "officer", email_outbox)
    respondent = StrictHTMLClient()
    _answer_all(respondent, token, partner=False)
    # Closing asks first, saying who has not answered and that the closing date has not come.
    asked = editor.get(f"{BASE}rounds/{assessment.pk}/close/").content.decode()
    assert "0 of 1 council officers invited have answered" in asked and "has not come yet" in asked
    unconfirmed = editor.post(f"{BASE}rounds/{assessment.pk}/close/")
    assert unconfirmed.status_code == 400 and Round.objects.get(pk=assessment.pk).closed_at is None
    assert editor.post(f"{BASE}rounds/{assessment.pk}/close/", {"confirm": "yes"}).status_code == 302
    late = respondent.post(f"/respond/{token}/check/")
    assert late.status_code == 410 and "closed" in late.content.decode()
    assert Response.objects.get().submitted_at is None
    # Nobody can be invited to a closed round, and a second round can now open.
    refused = editor.post(f"{BASE}rounds/{assessment.pk}/invite/", {"group": "officer", "email": "x@example.org"})
    assert refused.status_code == 409
    assert _open(editor).pk != assessment.pk


@pytest.mark.django_db
def test_only_one_open_round_and_closing_dates_in_the_future(editor: StrictHTMLClient) -> None:
    past = editor.post(BASE + "rounds/new/", {"title": "Old", **_date("closes_on", date(2020, 1, 1))})
    assert past.status_code == 400 and "Closing date must be today or in the future" in past.content.decode()
    _open(editor)
    second = editor.post(
        BASE + "rounds/new/", {"title": "Another", **_date("closes_on", timezone.localdate() + timedelta(days=3))}
    )
    assert second.status_code == 400 and "Close the open round" in second.content.decode()
    assert Round.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("link", ["javascript:alert(1)", "ftp://example.org/file", "www.example.org"])
def test_evidence_links_must_be_http(editor: StrictHTMLClient, email_outbox: list[Any], link: str) -> None:
    token = _invite(editor, _open(editor), "p@example.org", "partner", email_outbox)
    response = StrictHTMLClient().post(f"/respond/{token}/questions/1.1/", {"level": "2", "evidence": "x", "link": link})
    assert response.status_code == 400
    assert "Enter a link that starts with http:// or https://" in response.content.decode()
    assert not Answer.objects.exists()


@pytest.mark.django_db
def test_an_unanswered_question_shows_govuk_errors(editor: StrictHTMLClient, email_outbox: list[Any]) -> None:
    token = _invite(editor, _open(editor), "p@example.org", "partner", email_outbox)
    body = StrictHTMLClient().post(f"/respond/{token}/questions/2.1/", {}).content.decode()
    assert "There is a problem" in body
    assert "Select the level that best describes where things are now" in body
    assert "Enter your evidence" in body


@pytest.mark.django_db
def test_a_council_cannot_reach_another_councils_round(editor: StrictHTMLClient) -> None:
    bristol = Round.objects.create(council=Council.objects.get(gss_code=BRISTOL), title="Bristol", closes_on=date(2030, 1, 1))
    for suffix in ("", "results/", "answers/", "invite/", "report/"):
        assert editor.get(f"{BASE}rounds/{bristol.pk}/{suffix}").status_code == 404
    assert editor.post(f"{BASE}rounds/{bristol.pk}/close/", {"confirm": "yes"}).status_code == 404
    assert Round.objects.get(pk=bristol.pk).is_open


@pytest.mark.django_db
def test_fewer_than_three_partners_are_left_out_when_the_round_closes(editor: StrictHTMLClient, email_outbox: list[Any]) -> None:
    assessment = _open(editor)
    officer = _invite(editor, assessment, "officer@calderdale.example", "officer", email_outbox)
    _answer_all(StrictHTMLClient(), officer, level=4, partner=False)
    services.submit(services.invitation_for(officer))
    for n in range(2):
        respondent = StrictHTMLClient()
        token = _invite(editor, assessment, f"p{n}@example.org", "partner", email_outbox)
        _answer_all(respondent, token, level=2, anonymous=True)
        respondent.post(f"/respond/{token}/check/")
    services.close_round(assessment, None)
    body = editor.get(f"{BASE}rounds/{assessment.pk}/results/").content.decode()
    assert "Fewer than three community partners answered" in body
    assert "A community partner" not in body  # their evidence is held back too
    scores = services.results(Round.objects.get(pk=assessment.pk)).overall
    assert scores and set(scores.values()) == {100}  # the officers' "embedded" alone: the partners' 2s left out


@pytest.mark.django_db
def test_partners_are_shown_only_in_aggregate_from_three(editor: StrictHTMLClient, email_outbox: list[Any]) -> None:
    assessment = _open(editor)
    officer = _invite(editor, assessment, "officer@calderdale.example", "officer", email_outbox)
    _answer_all(StrictHTMLClient(), officer, level=4, partner=False)
    services.submit(services.invitation_for(officer))
    tokens = [_invite(editor, assessment, f"p{n}@example.org", "partner", email_outbox) for n in range(3)]
    respondent = StrictHTMLClient()
    _answer_all(respondent, tokens[0], level=2, anonymous=True)
    respondent.post(f"/respond/{tokens[0]}/check/")

    results = f"{BASE}rounds/{assessment.pk}/results/"
    body = editor.get(results).content.decode()
    # Open: partners' answers (and their evidence) wait for the close, however many there are.
    assert "counted and shown, in aggregate, when the round closes" in body and "A community partner" not in body

    for token in tokens[1:]:
        _answer_all(respondent, token, level=2)
        respondent.post(f"/respond/{token}/check/")
    body = editor.get(results).content.decode()
    # Three partners, but the round is open: their answers wait for it to close.
    assert "Fewer than three community partners answered" not in body and "A community partner" not in body
    assert "counted and shown, in aggregate, when the round closes" in body
    services.close_round(assessment, None)
    body = editor.get(results).content.decode()
    assert "Fewer than three community partners answered" not in body
    assert "A community partner" in body
    assert "67 points" in body  # officers 100, partners 33: the gap, shown prominently
    # Partners are never listed one by one to the council; the network team sees them, anonymous ones unnamed.
    admin_view = signed_in_client("admin@example.org").get(f"{BASE}rounds/{assessment.pk}/answers/").content.decode()
    headings = re.findall(r'<h2 class="govuk-heading-m">([^<]+?) <span', admin_view)
    # One officer (named), two named partners and one anonymous partner, as the network team sees them.
    assert sorted(headings) == [
        "Anonymous community partner",
        "Pat Partner",
        "Pat Partner, Halifax Food Bank",
        "Pat Partner, Halifax Food Bank",
    ]
    editor_view = editor.get(f"{BASE}rounds/{assessment.pk}/answers/").content.decode()
    assert "Halifax Food Bank" not in editor_view and "Anonymous community partner" not in editor_view


@pytest.mark.django_db
def test_results_report_and_movement_on_the_demo(editor: StrictHTMLClient) -> None:
    load_demo_assessment()
    assert load_demo_assessment() is False  # loading twice changes nothing
    rounds = Round.objects.filter(council__gss_code=CALDERDALE)
    assert sorted(r.is_open for r in rounds) == [False, False, True]
    # Every demo invitation was sent while its round was open, never after it closed.
    for made in Round.objects.filter(is_demo=True):
        for invitation in made.invitations.all():
            assert invitation.sent_at.date() >= made.opened_on
            assert made.closed_at is None or invitation.sent_at < made.closed_at
    latest = rounds.filter(closed_at__isnull=False).order_by("-opened_on").first()
    assert latest is not None
    current = services.results(latest)
    moved = services.movement(latest, current)
    assert moved is not None and any(v for v in moved.principles.values())

    body = editor.get(f"{BASE}rounds/{latest.pk}/results/").content.decode()
    assert "Since last round" in body and "<svg" in body and "Scores per principle, out of 100" in body
    assert "Share of spend with local suppliers" in body or "What the spend data says" not in body
    csv = editor.get(f"{BASE}rounds/{latest.pk}/results/?format=csv").getvalue().decode()
    assert csv.splitlines()[0].startswith("Principle,Council officers,Community partners")

    overview = editor.get(BASE).content.decode()
    assert "Progress over time" in overview and "Self-assessment 2024" in overview and "Self-assessment 2025" in overview
    pdf = editor.get(f"{BASE}rounds/{latest.pk}/report/?format=pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    html = editor.get(f"{BASE}rounds/{latest.pk}/report/").content.decode()
    assert "Action plan" in html and "Largest gap" in html
    # A demo round's report says it is made up, and when it was produced.
    assert "Demonstration data" in html and "Produced " in html


@pytest.mark.django_db
def test_movement_compares_like_with_like_and_says_what_it_leaves_out(editor: StrictHTMLClient) -> None:
    from keepitlocal.assessment.engine.scoring import movement as points_moved

    load_demo_assessment()
    rounds = Round.objects.filter(council__gss_code=CALDERDALE).order_by("opened_on")
    earlier, latest, open_round = rounds[0], rounds[1], rounds[2]
    assert open_round.is_open and not latest.is_open
    # Two closed rounds, partners in both: each group with itself, and together with together.
    closed = services.movement(latest, services.results(latest))
    before, now = services.results(earlier), services.results(latest)
    assert closed is not None and before.partners is not None and now.partners is not None
    assert closed.officers == points_moved(before.officers, now.officers)
    assert closed.partners == points_moved(before.partners, now.partners)
    assert closed.together == points_moved(before.overall, now.overall) and closed.notes == ()
    # The open round shows officers alone (partners wait for it to close): officers with officers, never the overall
    # score against one that held partners too, and a sentence saying so.
    opened = services.results(open_round)
    moved = services.movement(open_round, opened)
    assert moved is not None and opened.partners is None
    assert moved.together is None and moved.partners is None and moved.indicators == {}
    assert moved.officers == points_moved(now.officers, opened.officers) and moved.principles == moved.officers
    assert "shown when the round closes" in moved.notes[0] and "Officers are compared with officers" in moved.notes[0]
    page = editor.get(f"{BASE}rounds/{open_round.pk}/results/").content.decode()
    assert "Officers since last round" in page and "Overall since last round" not in page
    assert "the overall score is not compared" in page


def _figure_set(period: Period, **values: float) -> FigureSet:
    """Figures holding these indicator values (each a share of 100 spend), over `period`."""
    return FigureSet(
        period,
        tuple(Indicator(IndicatorId(key), key, value, Unit.PERCENT, value, 100.0, "") for key, value in values.items()),
    )


def _finished_analysis(**values: float) -> Council:
    """Calderdale with a finished spend analysis holding these indicator values."""
    from keepitlocal.spend.models import AnalysisRun

    council = Council.objects.get(gss_code=CALDERDALE)
    run = AnalysisRun(council=council, status=AnalysisRun.Status.SUCCEEDED)
    run.set_figures(AnalysisFigures(_figure_set(Period(date(2025, 4, 1), date(2025, 4, 30), ["2025-04"]), **values)))
    run.save()
    return council


@pytest.mark.django_db
def test_measured_spend_sits_beside_the_self_rating(editor: StrictHTMLClient) -> None:
    council = _finished_analysis(share_local=12.5, share_local_vcse=3.0, locality_known=90.0)
    assessment = Round.objects.create(council=council, title="Strong claims", closes_on=date(2030, 1, 1))
    invitation = Invitation.objects.create(
        round=assessment, group="officer", email="o@x.example", token_hash="h", expires_at=timezone.now()
    )
    response = Response.objects.create(invitation=invitation, round=assessment, group="officer", submitted_at=timezone.now())
    Answer.objects.bulk_create(Answer(response=response, indicator=code, level=4, evidence="We do") for code in CURRENT.codes)
    body = editor.get(f"{BASE}rounds/{assessment.pk}/results/").content.decode()
    assert "Share of spend with local suppliers: 12.5% (locality known for 90% of spend)" in body
    assert "only 12.5% of measured spend goes to the organisations it is about" in body
    assert "All payments: payments from 1 April 2025 to 30 April 2025" in body  # the period the measure covers


@pytest.mark.django_db
def test_action_plan_with_updates_and_overdue(editor: StrictHTMLClient) -> None:
    missing = editor.post(BASE + "actions/new/", {})
    assert missing.status_code == 400
    for message in (
        "Select the principle the action helps with",
        "Enter what will be done",
        "Enter who owns it",
        "Enter due date",
    ):
        assert message in missing.content.decode()
    added = editor.post(
        BASE + "actions/new/",
        {
            "principle": "3",
            "what": "Publish a local spend target",
            "owner": "Finance",
            **_date("due_on", timezone.localdate() - timedelta(days=1)),
        },
    )
    assert added.status_code == 302
    action = Action.objects.get()
    assert action.is_overdue and "Overdue" in editor.get(BASE + "actions/").content.decode()
    assert editor.post(f"{BASE}actions/{action.pk}/", {"status": "done", "note": "Published in March"}).status_code == 302
    action.refresh_from_db()
    assert action.status == "done" and not action.is_overdue
    assert list(ActionUpdate.objects.filter(action=action).values_list("status", flat=True)) == ["done", "not_started"]
    assert AuditEntry.objects.filter(record="Action").count() == 2
    csv = editor.get(BASE + "actions/?format=csv").getvalue().decode()
    assert "Publish a local spend target" in csv


@pytest.mark.django_db
def test_benchmark_is_anonymous_and_names_only_consenting_peers(editor: StrictHTMLClient) -> None:
    load_demo_assessment()
    body = editor.get(BASE + "benchmark/").content.decode()
    assert "Spread of peer scores" in body and "Median" in body
    found = services.benchmark(Council.objects.get(gss_code=CALDERDALE), CURRENT)
    named = {s.council_id for s in Sharing.objects.filter(may_be_named=True)}
    listed = {c.pk for councils in found.learn_from.values() for c in councils}
    assert listed and listed <= named
    unnamed = Council.objects.filter(assessment_sharing__may_be_named=False)
    for council in unnamed:
        assert council.name not in body

    # Withdrawing consent takes a council out of every spread and list.
    admin = signed_in_client("admin@example.org")
    assert (
        admin.post(f"/manage/councils/{BRISTOL}/assessment/sharing/", {"share_results": "no", "may_be_named": "yes"}).status_code
        == 302
    )
    sharing = Sharing.objects.get(council__gss_code=BRISTOL)
    assert not sharing.share_results and not sharing.may_be_named
    after = services.benchmark(Council.objects.get(gss_code=CALDERDALE), CURRENT)
    assert after.peers == found.peers - 1


@pytest.mark.django_db
def test_inviting_an_organisation_in_the_network_reaches_its_editor(editor: StrictHTMLClient, email_outbox: list[Any]) -> None:
    from keepitlocal.network.models import Organisation

    assessment = _open(editor)
    hub = Organisation.objects.get(name__startswith="Calder Valley")
    url = f"{BASE}rounds/{assessment.pk}/invite/"
    assert editor.post(url, {"group": "partner", "email": "", "organisation": str(hub.pk)}).status_code == 302
    assert email_outbox[-1].to == "org@example.org"
    assert Invitation.objects.get(round=assessment).organisation == hub

    lonely = Organisation.objects.create(name="No Editors Trust")
    refused = editor.post(url, {"group": "partner", "email": "", "organisation": str(lonely.pk)})
    assert refused.status_code == 400 and "No Editors Trust has no editor on the platform" in refused.content.decode()
    blank = editor.post(url, {"group": "officer", "email": "", "organisation": ""})
    assert "Enter an email address, or choose an organisation in the network" in blank.content.decode()
    officer_for_org = editor.post(url, {"group": "officer", "email": "a@b.example", "organisation": str(hub.pk)})
    assert "Only community partners answer for an organisation" in officer_for_org.content.decode()
    assert Invitation.objects.filter(round=assessment).count() == 1


@pytest.mark.django_db
def test_a_local_share_without_known_localities_is_not_a_measurement(editor: StrictHTMLClient) -> None:
    council = _finished_analysis(share_local=0.0, locality_known=0.0)
    assessment = Round.objects.create(council=council, title="No postcodes", closes_on=date(2030, 1, 1))
    found = services.measured(assessment, services.results(assessment))
    assert [m.value for m in found] == [None, None] and not any(m.flag for m in found)


@pytest.mark.django_db
def test_measured_spend_is_the_latest_financial_year_and_says_so(editor: StrictHTMLClient) -> None:
    from keepitlocal.spend.models import AnalysisRun

    council = Council.objects.get(gss_code=CALDERDALE)
    every = Period(date(2023, 4, 3), date(2025, 3, 20))
    first = Period(date(2023, 4, 3), date(2024, 3, 28))
    second = Period(date(2024, 4, 2), date(2025, 3, 20))
    run = AnalysisRun(council=council, status=AnalysisRun.Status.SUCCEEDED)
    run.set_figures(
        AnalysisFigures(
            _figure_set(every, share_local=10.0, locality_known=80.0),  # every year merged
            (
                YearFigures("2023/24", 2023, _figure_set(first)),
                YearFigures("2024/25", 2024, _figure_set(second, share_local=40.0, locality_known=80.0)),
            ),
        )
    )
    run.save()
    assessment = Round.objects.create(council=council, title="Years", closes_on=date(2030, 1, 1))
    found = services.measured(assessment, services.results(assessment))
    assert {m.value for m in found if m.indicator == "share_local"} == {40.0}
    assert all(m.period.startswith("Financial year 2024/25: payments from 2 April 2024") for m in found)


@pytest.mark.django_db
def test_the_report_pdf_is_tagged_and_names_no_repository_path(editor: StrictHTMLClient) -> None:
    load_demo_assessment()
    latest = Round.objects.filter(council__gss_code=CALDERDALE, closed_at__isnull=False).order_by("-opened_on").first()
    assert latest is not None
    from django.template.loader import render_to_string

    from keepitlocal.assessment.views import _results_context

    html = render_to_string(
        "assessment/report_pdf.html", {**_results_context(latest, individual=False), "produced": latest.closed_at}
    )
    assert "docs/" not in html and ".md" not in html
    assert "Demonstration data" in html
    # Whole titles on the chart's axis: none cut short with an ellipsis.
    assert "…" not in html.split("<svg", 1)[1].split("</svg>", 1)[0]
    pdf = editor.get(f"{BASE}rounds/{latest.pk}/report/?format=pdf").content
    from tests.pdfs import inflated

    assert b"/StructTreeRoot" in inflated(pdf) and b"/Lang" in inflated(pdf)  # tagged, with its language


def _api_token() -> str:
    from keepitlocal.accounts.models import User
    from keepitlocal.accounts.tokens import create_token

    return create_token(User.objects.get(email="editor@calderdale.example"), "the attack", 30)[1]


def _pages(editor: StrictHTMLClient, assessment: Round) -> dict[str, str]:
    """Everything the council sees of a round, with what changes by itself (tokens, nonces, times, a chart's random
    ids) taken out."""
    pages = {}
    for name, path in (
        ("round", f"{BASE}rounds/{assessment.pk}/"),
        ("rounds", BASE),
        ("results", f"{BASE}rounds/{assessment.pk}/results/"),
        ("results.csv", f"{BASE}rounds/{assessment.pk}/results/?format=csv"),
        ("report", f"{BASE}rounds/{assessment.pk}/report/"),
        ("answers", f"{BASE}rounds/{assessment.pk}/answers/"),
        ("close", f"{BASE}rounds/{assessment.pk}/close/"),
        ("home", f"/manage/councils/{CALDERDALE}/"),
        ("api", f"/api/v1/councils/{CALDERDALE}/assessments"),
    ):
        response = editor.get(path, headers={"Authorization": f"Bearer {_api_token()}"} if name == "api" else {})
        assert response.status_code == 200, name
        raw = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
        body = raw.decode()
        body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)
        body = re.sub(r'nonce="[^"]+"', "", body)
        body = re.sub(r"<dc:date>[^<]+</dc:date>", "", body)
        body = re.sub(r"-[mp][0-9a-f]{10}\b", "", body)  # matplotlib's ids of paths and clips
        pages[name] = re.sub(r"Produced [^<]+", "", body)
    return pages


@pytest.mark.django_db
def test_the_differencing_attack_finds_nothing_while_the_round_is_open(
    editor: StrictHTMLClient, email_outbox: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The attack: note every page before and after one anonymous partner submits, and subtract. Nothing the council
    sees changes, so nothing of that partner's answers (or that they answered) can be worked out."""
    assessment = _open(editor)
    officer = _invite(editor, assessment, "officer@calderdale.example", "officer", email_outbox)
    _answer_all(StrictHTMLClient(), officer, level=4, partner=False)
    services.submit(services.invitation_for(officer))
    tokens = [_invite(editor, assessment, f"p{n}@example.org", "partner", email_outbox) for n in range(4)]
    for level, token in zip((2, 3, 3), tokens[:3], strict=True):
        respondent = StrictHTMLClient()
        _answer_all(respondent, token, level=level)
        respondent.post(f"/respond/{token}/check/")
    _pages(editor, assessment)  # the banners of the invitations, shown once
    before = _pages(editor, assessment)
    target = StrictHTMLClient()
    _answer_all(target, tokens[3], level=1, anonymous=True)  # levels no one else gave: any trace would show
    assert target.post(f"/respond/{tokens[3]}/check/").status_code == 302
    after = _pages(editor, assessment)
    assert [name for name in before if before[name] != after[name]] == []
    # Sending a new link to the partner who answered looks as it does for anyone, and changes nothing for them.
    response = editor.post(
        f"{BASE}rounds/{assessment.pk}/invite/", {"group": "partner", "email": "p3@example.org", "name": "", "organisation": ""}
    )
    assert response.status_code == 302 and "already" not in editor.get(response["Location"]).content.decode()
    assert Response.objects.get(invitation__email="p3@example.org").submitted_at is not None
    # A day later, new links to a partner who answered and to one who has not, asked as officers: both rows of the
    # round page change alike (the date sent), and both stay partners (moving one among the named officers would
    # undo their anonymity, and whether it could be done would tell).
    waiting = _invite(editor, assessment, "p4@example.org", "partner", email_outbox)
    _answer_all(StrictHTMLClient(), waiting, level=2)  # saved, not submitted
    tomorrow = timezone.now() + timedelta(days=1)
    later = SimpleNamespace(**{k: getattr(timezone, k) for k in dir(timezone) if not k.startswith("__")})
    later.now = lambda: tomorrow  # the service's clock alone: the editor's session keeps its own
    monkeypatch.setattr(services, "timezone", later)
    for email in ("p3@example.org", "p4@example.org"):
        sent = editor.post(
            f"{BASE}rounds/{assessment.pk}/invite/", {"group": "officer", "email": email, "name": "", "organisation": ""}
        )
        assert sent.status_code == 302, re.findall(r"govuk-error-message[^<]*<[^<]*</span>([^<]*)", sent.content.decode())
    rows = {i.email: i for i in Invitation.objects.filter(email__in=["p3@example.org", "p4@example.org"])}
    assert {i.sent_at for i in rows.values()} == {tomorrow} and {i.group for i in rows.values()} == {"partner"}
    assert set(Response.objects.filter(invitation__in=rows.values()).values_list("group", flat=True)) == {"partner"}
    page = editor.get(f"{BASE}rounds/{assessment.pk}/").content.decode()
    assert page.count(f"{tomorrow:%-d %B %Y}") >= 2
    # Closed: all four partners count, in aggregate only.
    services.close_round(assessment, None)
    closed = editor.get(f"{BASE}rounds/{assessment.pk}/results/").content.decode()
    assert "and 4 community partners submitted answers" in closed
