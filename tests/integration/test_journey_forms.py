"""Recording each step of the journey through the GOV.UK forms, and refusing bad input whole."""

from __future__ import annotations

from typing import Any

import pytest

from keepitlocal.accounts.models import Role
from keepitlocal.network.models import AuditEntry, Champion, Council, Endorsement, Membership
from keepitlocal.network.reference import load_reference_data
from tests.conftest import StrictHTMLClient
from tests.factories import UserFactory

GSS = "E08000021"  # Newcastle upon Tyne, from the bundled list


def date_fields(name: str, day: str, month: str, year: str) -> dict[str, str]:
    return {f"{name}_day": day, f"{name}_month": month, f"{name}_year": year}


@pytest.fixture
def editor(db: None) -> StrictHTMLClient:
    load_reference_data()
    user = UserFactory.create(email="editor@newcastle.example")
    Role.objects.create(user=user, kind=Role.Kind.COUNCIL_EDITOR, council=Council.objects.get(gss_code=GSS))
    client = StrictHTMLClient()
    client.force_login(user, backend="keepitlocal.accounts.backends.EmailBackend")
    return client


def post(client: StrictHTMLClient, path: str, data: dict[str, Any]) -> Any:
    return client.post(f"/manage/councils/{GSS}/{path}", data)


def errors_of(response: Any) -> str:
    body = response.content.decode()
    assert response.status_code == 400, body[:500]
    assert "<title>Error: " in body
    assert "govuk-error-summary" in body
    return body


@pytest.mark.django_db
def test_the_whole_journey_from_prospect_to_active(editor: StrictHTMLClient) -> None:
    assert post(editor, "membership/", {"cohort": "", "internal_notes": "First contact"}).status_code == 302
    membership = Membership.objects.get(council__gss_code=GSS)
    assert membership.stage == "prospect"

    response = post(
        editor,
        "endorsement/",
        {
            "is_draft": "False",
            "mechanism": "cabinet_decision",
            **date_fields("endorsed_on", "3", "3", "2026"),
            "decision_url": "https://democracy.example/decision/1",
            "wording": "We endorse the principles",
        },
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.stage == "endorsed"

    cabinet = {
        "role": "cabinet",
        "name": "Cllr A",
        "role_title": "Cabinet member for communities",
        "email": "a@council.example",
        **date_fields("started_on", "1", "4", "2026"),
    }
    assert post(editor, "champions/new/", cabinet).status_code == 302
    membership.refresh_from_db()
    assert membership.stage == "endorsed"  # one champion is not enough
    page = editor.get(f"/manage/councils/{GSS}/").content.decode()
    assert "appoint a champion in the senior management team" in page

    senior = {
        **cabinet,
        "role": "senior_management",
        "name": "B",
        "role_title": "Director of communities",
        "email": "b@council.example",
    }
    assert post(editor, "champions/new/", senior).status_code == 302
    membership.refresh_from_db()
    assert membership.stage == "champions_appointed"

    response = post(editor, "status/", {"status": "active"})
    assert "cannot be an active member yet" in errors_of(response)

    assert (
        post(
            editor,
            "conversations/new/",
            {
                **date_fields("held_on", "10", "5", "2026"),
                "organisations": "Community hub",
                "residents": "30",
                "agreed": "Local by default",
            },
        ).status_code
        == 302
    )
    assert post(editor, "status/", {"status": "active"}).status_code == 302
    membership.refresh_from_db()
    assert membership.stage == "active"
    # The change history names the status in words, never by its code.
    history = editor.get(f"/manage/councils/{GSS}/").content.decode().split('id="history"')[1]
    assert "Active member" in history and "in_progress" not in history and "In_progress" not in history

    # A champion leaving takes the council back a step, and the page says what is missing.
    champion = Champion.objects.get(membership=membership, role="senior_management")
    response = post(editor, f"champions/{champion.pk}/", {**senior, **date_fields("ended_on", "2", "4", "2026")})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.stage == "endorsed"
    assert "Not yet an active member" in editor.get(f"/manage/councils/{GSS}/").content.decode()

    # Every change is in the history, with who, what, from and to.
    history = editor.get(f"/manage/councils/{GSS}/").content.decode()
    assert "editor@newcastle.example" in history
    entries = AuditEntry.objects.filter(council__gss_code=GSS)
    stage_changes = [c for e in entries for c in e.changes if c["field"] == "Stage"]
    assert {"field": "Stage", "from": "Active member", "to": "Principles endorsed"} in stage_changes
    ended = [c for e in entries for c in e.changes if c["field"] == "End date"]
    assert ended == [{"field": "End date", "from": "", "to": "2 April 2026"}]


@pytest.mark.django_db
def test_second_membership_for_the_same_council_is_refused(editor: StrictHTMLClient) -> None:
    from keepitlocal.network import services

    post(editor, "membership/", {"internal_notes": ""})
    council = Council.objects.get(gss_code=GSS)
    with pytest.raises(services.DuplicateMembershipError):
        services.save_membership_record(Membership(council=council), council, None)
    assert Membership.objects.filter(council=council).count() == 1


@pytest.mark.django_db
def test_unknown_gss_code_is_not_found(editor: StrictHTMLClient) -> None:
    assert editor.get("/manage/councils/E99999999/").status_code in (403, 404)
    assert StrictHTMLClient().get("/councils/E99999999/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"role": "cabinet", "name": "A", "role_title": "", **date_fields("started_on", "1", "4", "2026")}, "Enter role title"),
        (
            {"role": "", "name": "A", "role_title": "T", **date_fields("started_on", "1", "4", "2026")},
            "Select which champion this is",
        ),
        (
            {
                "role": "cabinet",
                "name": "A",
                "role_title": "T",
                **date_fields("started_on", "1", "4", "2026"),
                **date_fields("ended_on", "1", "3", "2026"),
            },
            "End date must be the same as or after the start date",
        ),
        (
            {"role": "cabinet", "name": "A", "role_title": "T", **date_fields("started_on", "31", "2", "2026")},
            "Start date must be a real date",
        ),
        (
            {"role": "cabinet", "name": "A", "role_title": "T", **date_fields("started_on", "1", "", "2026")},
            "Start date must include a month",
        ),
        (
            {"role": "cabinet", "name": "A", "role_title": "T", **date_fields("started_on", "1", "4", "26")},
            "Year must include 4 numbers",
        ),
        ({"role": "cabinet", "name": "A", "role_title": "T"}, "Enter start date"),
        (
            {"role": "cabinet", "name": "A" * 201, "role_title": "T", **date_fields("started_on", "1", "4", "2026")},
            "Full name must be 200 characters or fewer",
        ),
        (
            {
                "role": "cabinet",
                "name": "A",
                "role_title": "T",
                "email": "not-an-email",
                **date_fields("started_on", "1", "4", "2026"),
            },
            "Enter an email address in the correct format",
        ),
    ],
)
def test_bad_champion_input_is_refused_and_nothing_saved(editor: StrictHTMLClient, data: dict[str, str], message: str) -> None:
    post(editor, "membership/", {"internal_notes": ""})
    audit_before = AuditEntry.objects.count()
    body = errors_of(post(editor, "champions/new/", data))
    assert message in body
    assert Champion.objects.count() == 0
    assert AuditEntry.objects.count() == audit_before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {
                "is_draft": "False",
                "mechanism": "cabinet_decision",
                **date_fields("endorsed_on", "3", "3", "2026"),
                "decision_url": "javascript:alert(1)",
            },
            "Enter a link that starts with http:// or https://",
        ),
        (
            {
                "is_draft": "False",
                "mechanism": "cabinet_decision",
                **date_fields("endorsed_on", "3", "3", "2026"),
                "decision_url": "ftp://files.example/x",
            },
            "Enter a link that starts with http:// or https://",
        ),
        ({"is_draft": "False", "mechanism": "cabinet_decision"}, "Enter the date of the endorsement"),
        ({"is_draft": "True", "mechanism": "other"}, "Describe how the principles were endorsed"),
        (
            {"is_draft": "True", "mechanism": "cabinet_decision", "wording": "x" * 5001},
            "Wording endorsed must be 5,000 characters or fewer",
        ),
        ({"is_draft": "True", "mechanism": "nonsense"}, "Select how the principles were endorsed"),
    ],
)
def test_bad_endorsement_input_is_refused(editor: StrictHTMLClient, data: dict[str, str], message: str) -> None:
    post(editor, "membership/", {"internal_notes": ""})
    body = errors_of(post(editor, "endorsement/", data))
    assert message in body
    assert not Endorsement.objects.exists()


@pytest.mark.django_db
def test_forms_need_a_membership_first(editor: StrictHTMLClient) -> None:
    assert editor.get(f"/manage/councils/{GSS}/champions/new/").status_code == 404
    page = editor.get(f"/manage/councils/{GSS}/").content.decode()
    assert "Start the membership record" in page


@pytest.mark.django_db
def test_draft_endorsement_is_private(editor: StrictHTMLClient) -> None:
    post(editor, "membership/", {"internal_notes": ""})
    post(editor, "endorsement/", {"is_draft": "True", "mechanism": "cabinet_decision", "wording": "Secret draft wording"})
    assert "Secret draft wording" in editor.get(f"/manage/councils/{GSS}/").content.decode()
    public = StrictHTMLClient().get(f"/councils/{GSS}/").content.decode()
    assert "Secret draft wording" not in public
    assert "Not yet recorded" in public
    assert Membership.objects.get(council__gss_code=GSS).stage == "prospect"


@pytest.mark.django_db
def test_stalled_councils_are_listed_for_the_network_team(demo: list[str]) -> None:
    from keepitlocal.network import services

    stalled = {s.membership.council.gss_code for s in services.stalled()}
    assert "E09000023" in stalled  # Lewisham: champions appointed in October 2025
    assert "E08000033" not in stalled  # active members never stall
    client = StrictHTMLClient()
    from keepitlocal.accounts.models import User

    client.force_login(User.objects.get(email="admin@example.org"), backend="keepitlocal.accounts.backends.EmailBackend")
    page = client.get("/network/").content.decode()
    assert "Lewisham" in page and "Councils by stage and cohort" in page
