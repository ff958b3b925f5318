"""A council's first day without the Django admin: every UK council is in the register, the network team adds one and
invites its people, an invited person sets their own password through a single-use link (named by the platform's own
address, never the request's Host), people are invited again, given another role and removed, each change audited; a
council's accepted request to join invites the person who asked; the same through `kil`."""

from __future__ import annotations

import re
from typing import Any

import pytest
from click.testing import CliRunner

from keepitlocal.accounts.models import AccountInvitation, Role, User
from keepitlocal.cli import main as kil
from keepitlocal.network.models import AuditEntry, Council, Membership, NetworkMember
from tests.conftest import StrictHTMLClient, signed_in_client

KIRKLEES = "E08000005"  # Rochdale: a metropolitan borough that is not in the demo
PASSWORD = "a-long-new-password-for-rochdale"


def _link(outbox: list[Any], base: str) -> str:
    found = re.search(rf"{re.escape(base)}/invitation/[\w-]+/", outbox[-1].body)
    assert found, outbox[-1].body
    return found.group(0)


@pytest.mark.django_db
def test_every_uk_council_is_in_the_register_so_any_can_ask_to_join(demo: list[str]) -> None:
    current = Council.objects.filter(successor_code="")
    assert current.count() >= 380
    kinds = set(current.values_list("council_type", flat=True))
    assert len(kinds) == 8  # districts, counties, unitaries, metropolitan, London, Scotland, Wales, Northern Ireland
    join = StrictHTMLClient().get("/join/").content.decode()
    assert "Kirklees" in join and "Fermanagh and Omagh" in join and "Highland" in join
    # Abolished councils are there for their successor codes, not to be chosen.
    assert Council.objects.get(gss_code="E07000026").successor_code == "E06000063"
    # A council not in the network says so on its profile, with the way to ask for it to join, which starts with it.
    public = StrictHTMLClient()
    profile = public.get("/councils/E10000008/").content.decode()
    assert "Devon is not in the Keep it Local Network" in profile and "/join/?council=E10000008" in profile
    devon = Council.objects.get(gss_code="E10000008")
    form = public.get("/join/?council=E10000008").content.decode()
    assert f'<option value="{devon.pk}" selected>Devon</option>' in form and 'value="council" checked' in form
    assert "Northern Ireland district" in public.get("/councils/N09000001/").content.decode()


@pytest.mark.django_db
def test_the_network_team_adds_a_council_and_invites_its_editor_who_sets_a_password(
    demo: list[str], email_outbox: list[Any], settings: Any
) -> None:
    settings.KIL_BASE_URL = "https://kil.example.org"
    settings.ALLOWED_HOSTS = ["*"]  # so that a forged Host reaches the view, and is seen not to reach the link
    admin = signed_in_client("admin@example.org")
    page = admin.get("/network/councils/?q=roch").content.decode()
    assert "Rochdale" in page and "Add to the network" in page
    admin.post(f"/network/councils/{KIRKLEES}/add/")
    kirklees = Council.objects.get(gss_code=KIRKLEES)
    assert Membership.objects.get(council=kirklees).stage == "prospect"
    assert AuditEntry.objects.filter(council=kirklees, action="created").exists()

    people = f"/network/councils/{KIRKLEES}/people/"
    refused = admin.post(people, {"email": "not an address", "role": ""}).content.decode()
    assert "Enter an email address in the correct format" in refused and "Select whether they will be an editor" in refused
    # A forged Host header must not reach the link.
    admin.post(
        people, {"email": "Ed@Rochdale.example", "full_name": "Ed Itor", "role": "council_editor"}, HTTP_HOST="evil.example"
    )
    editor = User.objects.get(email="ed@rochdale.example")
    assert not editor.has_usable_password()
    assert Role.objects.filter(user=editor, council=kirklees, kind="council_editor").exists()
    assert email_outbox[-1].to == "ed@rochdale.example"
    link = _link(email_outbox, "https://kil.example.org")
    assert "evil.example" not in email_outbox[-1].body
    listed = admin.get(people).content.decode()
    assert "ed@rochdale.example" in listed and "Invited" in listed

    path = link.removeprefix("https://kil.example.org")
    newcomer = StrictHTMLClient()
    form = newcomer.get(path).content.decode()
    assert "Set your password" in form and "ed@rochdale.example" in form
    assert "The passwords do not match" in newcomer.post(path, {"password": PASSWORD, "confirm": "other"}).content.decode()
    done = newcomer.post(path, {"password": PASSWORD, "confirm": PASSWORD})
    assert (done.status_code == 302 and "/accounts/sign-in/" in done["Location"]) or "sign-in" in done["Location"]
    editor.refresh_from_db()
    assert editor.check_password(PASSWORD)
    assert AccountInvitation.objects.get(user=editor).used_at is not None
    used = StrictHTMLClient().get(path)
    assert used.status_code == 400 and "This link has been used" in used.content.decode()
    assert newcomer.login(email="ed@rochdale.example", password=PASSWORD)
    assert newcomer.get(f"/manage/councils/{KIRKLEES}/").status_code == 200
    assert "Active" in admin.get(people).content.decode()
    actions = set(AuditEntry.objects.filter(council=kirklees).values_list("action", flat=True))
    assert {"created", "invited", "accepted"} <= actions


@pytest.mark.django_db
def test_people_are_invited_again_changed_and_removed_each_audited(demo: list[str], email_outbox: list[Any]) -> None:
    admin = signed_in_client("admin@example.org")
    people = f"/network/councils/{KIRKLEES}/people/"
    admin.post(people, {"email": "viv@rochdale.example", "role": "council_viewer"})
    viewer = User.objects.get(email="viv@rochdale.example")
    first = _link(email_outbox, "http://127.0.0.1:8000").removeprefix("http://127.0.0.1:8000")
    admin.post(f"{people}{viewer.pk}/", {"action": "reinvite"})
    second = _link(email_outbox, "http://127.0.0.1:8000").removeprefix("http://127.0.0.1:8000")
    assert first != second
    assert "This link has expired" in StrictHTMLClient().get(first).content.decode()  # the new link replaces it
    admin.post(f"{people}{viewer.pk}/", {"action": "role", "role": "council_editor"})
    kirklees = Council.objects.get(gss_code=KIRKLEES)
    assert Role.objects.get(user=viewer, council=kirklees).kind == "council_editor"
    change = AuditEntry.objects.filter(council=kirklees, action="changed").get()
    assert change.changes == [{"field": "Role", "from": "Viewer", "to": "Editor"}]
    admin.post(f"{people}{viewer.pk}/", {"action": "remove"})
    assert not Role.objects.filter(user=viewer, council=kirklees).exists()
    assert "This invitation was withdrawn" in StrictHTMLClient().get(second).content.decode() or (
        "This link has expired" in StrictHTMLClient().get(second).content.decode()
    )
    assert AuditEntry.objects.filter(council=kirklees, action="removed").exists()
    # Only the network team can do any of it.
    editor = signed_in_client("editor@calderdale.example")
    assert editor.get(people).status_code == 403
    assert editor.post(people, {"email": "x@example.org", "role": "council_editor"}).status_code == 403


@pytest.mark.django_db
def test_accepting_a_councils_request_makes_it_a_prospect_and_invites_who_asked(demo: list[str], email_outbox: list[Any]) -> None:
    kirklees = Council.objects.get(gss_code=KIRKLEES)
    StrictHTMLClient().post(
        "/join/", {"kind": "council", "name": "Pat Asker", "email": "pat@rochdale.example", "home_council": str(kirklees.pk)}
    )
    member = NetworkMember.objects.get(email="pat@rochdale.example")
    team = signed_in_client("admin@example.org")
    # The network team is told on its dashboard, and led to the request.
    waiting = NetworkMember.objects.filter(state=NetworkMember.State.PENDING).count()
    home = team.get("/dashboard/").content.decode()
    assert f"{waiting} request" in home and "/network/#join-requests" in home
    team.post(f"/network/join-requests/{member.pk}/", {"decision": "accept"})
    after = team.get("/dashboard/").content.decode()
    assert (f"{waiting - 1} request" in after) if waiting > 1 else ("to join the network wait" not in after)
    assert Membership.objects.get(council=kirklees).stage == "prospect"
    pat = User.objects.get(email="pat@rochdale.example")
    assert pat.full_name == "Pat Asker"
    assert Role.objects.get(user=pat, council=kirklees).kind == "council_editor"
    assert email_outbox[-1].to == "pat@rochdale.example" and "/invitation/" in email_outbox[-1].body


@pytest.mark.django_db
def test_kil_adds_councils_and_manages_people_for_scripts(demo: list[str], email_outbox: list[Any]) -> None:
    runner = CliRunner()
    added = runner.invoke(kil, ["councils", "add", KIRKLEES])
    assert added.exit_code == 0 and "Rochdale" in added.output
    assert runner.invoke(kil, ["councils", "add", "E99999999"]).exit_code != 0
    invited = runner.invoke(kil, ["people", "invite", KIRKLEES, "sam@rochdale.example", "--role", "viewer", "--name", "Sam"])
    assert invited.exit_code == 0, invited.output
    assert "emailed a link" in invited.output and email_outbox[-1].to == "sam@rochdale.example"
    listed = runner.invoke(kil, ["people", "list", KIRKLEES])
    assert "sam@rochdale.example\tViewer\tinvited" in listed.output
    assert runner.invoke(kil, ["people", "change", KIRKLEES, "sam@rochdale.example", "--role", "editor"]).exit_code == 0
    assert runner.invoke(kil, ["people", "reinvite", KIRKLEES, "sam@rochdale.example"]).exit_code == 0
    assert runner.invoke(kil, ["people", "remove", KIRKLEES, "sam@rochdale.example"]).exit_code == 0
    assert "Nobody works on Rochdale" in runner.invoke(kil, ["people", "list", KIRKLEES]).output
    entries = AuditEntry.objects.filter(council__gss_code=KIRKLEES, actor_label="kil command")
    assert {"invited", "changed", "invited again", "removed"} <= set(entries.values_list("action", flat=True))
