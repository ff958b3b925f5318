"""Bringing a council aboard without the Django admin: the network team adds a council to the network and invites
its people (editors and viewers) by email; each invited person sets their own password through a single-use link.
People are listed, invited again, given another role or removed; every change is in the council's change history.
Used by the network team's pages, by accepting a council's request to join, and by `kil people` and `kil councils`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from keepitlocal import logs
from keepitlocal.accounts.email import Email, email_service, site_url
from keepitlocal.accounts.models import AccountInvitation, Role, User
from keepitlocal.common.tokens import new_token, token_hash
from keepitlocal.network.models import Council, Membership, NetworkMember, Organisation
from keepitlocal.network.services import audit, save_membership_record

COUNCIL_ROLES = {Role.Kind.COUNCIL_EDITOR: "Editor", Role.Kind.COUNCIL_VIEWER: "Viewer"}
ROLE_WORDS = {
    Role.Kind.COUNCIL_EDITOR: "an editor (who records the council's journey, uploads and publishes its spend, runs its assessments)",
    Role.Kind.COUNCIL_VIEWER: "a viewer (who sees the council's private pages and changes nothing)",
}


class PeopleError(ValueError):
    """What cannot be done, in words for the person who asked."""


def add_to_network(council: Council, actor: Any) -> Membership:
    """The council as a prospect member (its journey starts); the membership it has if it has one already."""
    found = Membership.objects.filter(council=council).first()
    if found is not None:
        return found
    if council.successor_code:
        raise PeopleError(f"{council.name} was abolished; add the council that succeeded it ({council.successor_code})")
    membership = save_membership_record(Membership(council=council), council, actor)
    assert isinstance(membership, Membership)
    return membership


@dataclass(frozen=True)
class Person:
    """One person with a role at a council, as the people page lists them."""

    user: User
    kind: str
    role: str  # the role in words
    invited_at: datetime | None  # the latest invitation
    waiting: bool  # invited, and has not set a password yet
    expired: bool  # the latest invitation's link has expired unused


def people_of(council: Council) -> list[Person]:
    roles = Role.objects.filter(council=council, kind__in=list(COUNCIL_ROLES)).select_related("user").order_by("user__email")
    latest: dict[int, AccountInvitation] = {}
    for sent in AccountInvitation.objects.filter(council=council).order_by("sent_at", "id"):
        latest[sent.user_id] = sent
    found = []
    for role in roles:
        invitation = latest.get(role.user_id)
        waiting = not role.user.has_usable_password()
        found.append(
            Person(
                role.user,
                role.kind,
                COUNCIL_ROLES[Role.Kind(role.kind)],
                invitation.sent_at if invitation else None,
                waiting,
                waiting and invitation is not None and not invitation.usable,
            )
        )
    return found


@transaction.atomic
def invite(council: Council, email: str, kind: str, actor: Any, name: str = "") -> AccountInvitation | None:
    """Give a person a role at the council and email them: a link to set their password if they have none yet (None is
    returned otherwise, and they are told to sign in). Any earlier unused link of theirs for this council stops
    working. A person holds one role at a council: inviting them as the other replaces it."""
    kind = Role.Kind(kind)
    if kind not in COUNCIL_ROLES:
        raise PeopleError("Choose editor or viewer")
    email = User.objects.normalize_email(email.strip()).lower()
    user = User.objects.filter(email__iexact=email).first()
    created = user is None
    if user is None:
        user = User.objects.create_user(email=email, password=None, full_name=name.strip())
    elif not user.is_active:
        raise PeopleError(f"{email} has an account that was closed; the network team must open it again first")
    before = Role.objects.filter(user=user, council=council, kind__in=list(COUNCIL_ROLES)).first()
    if before is None or before.kind != kind:
        Role.objects.filter(user=user, council=council, kind__in=list(COUNCIL_ROLES)).delete()
        Role.objects.create(user=user, council=council, kind=kind)
    changes = [{"field": "Role", "from": COUNCIL_ROLES[Role.Kind(before.kind)] if before else "", "to": COUNCIL_ROLES[kind]}]
    invitation = _send(council, user, kind, actor)
    audit(
        council,
        actor,
        "invited",
        f"Person {user.email}",
        str(user.pk),
        [*changes, {"field": "Account", "from": "", "to": "made by this invitation" if created else "already on the platform"}],
    )
    return invitation


@transaction.atomic
def invite_again(council: Council, user: User, actor: Any) -> AccountInvitation | None:
    role = _role(council, user)
    invitation = _send(council, user, role.kind, actor)
    audit(council, actor, "invited again", f"Person {user.email}", str(user.pk), [])
    return invitation


@transaction.atomic
def change_role(council: Council, user: User, kind: str, actor: Any) -> None:
    role = _role(council, user)
    kind = Role.Kind(kind)
    if kind not in COUNCIL_ROLES:
        raise PeopleError("Choose editor or viewer")
    if role.kind == kind:
        return
    before = COUNCIL_ROLES[Role.Kind(role.kind)]
    role.kind = kind
    role.save(update_fields=["kind"])
    AccountInvitation.objects.filter(user=user, council=council, used_at__isnull=True).update(kind=kind)
    audit(
        council,
        actor,
        "changed",
        f"Person {user.email}",
        str(user.pk),
        [{"field": "Role", "from": before, "to": COUNCIL_ROLES[kind]}],
    )


@transaction.atomic
def remove(council: Council, user: User, actor: Any) -> None:
    """The person no longer works on the council: their roles there go, and any unused link stops working. Their
    account stays for any other role they hold."""
    role = _role(council, user)
    Role.objects.filter(user=user, council=council, kind__in=list(COUNCIL_ROLES)).delete()
    AccountInvitation.objects.filter(user=user, council=council, used_at__isnull=True).update(expires_at=timezone.now())
    audit(
        council,
        actor,
        "removed",
        f"Person {user.email}",
        str(user.pk),
        [{"field": "Role", "from": COUNCIL_ROLES[Role.Kind(role.kind)], "to": ""}],
    )


def invitation_for(token: str) -> tuple[AccountInvitation | None, str]:
    """The invitation a link holds, or why it cannot be used, in words."""
    invitation = AccountInvitation.objects.select_related("user", "council").filter(token_hash=token_hash(token)).first()
    if invitation is None:
        return None, "This link is not valid. Check you copied the whole link from the email."
    if invitation.used_at is not None:
        return None, "This link has been used. Sign in with the password you set, or reset it if you have forgotten it."
    if not invitation.usable:
        return None, "This link has expired. Ask the Keep it Local network team to send you a new one."
    if invitation.user.has_usable_password():
        # A password set since (by a reset, say): the link must not set it again.
        return None, "Your account already has a password. Sign in, or reset your password if you have forgotten it."
    if not Role.objects.filter(user=invitation.user, council=invitation.council).exists():
        return None, "This invitation was withdrawn. Ask the Keep it Local network team if you think that is wrong."
    return invitation, ""


@transaction.atomic
def accept(invitation: AccountInvitation, password: str) -> User:
    """Set the invited person's password; the link is used up, with every other unused link of theirs."""
    user = invitation.user
    user.set_password(password)
    user.save()
    now = timezone.now()
    AccountInvitation.objects.filter(user=user, used_at__isnull=True).update(used_at=now)
    audit(
        invitation.council,
        user,
        "accepted",
        f"Person {user.email}",
        str(user.pk),
        [{"field": "Password", "from": "not set", "to": "set by the person invited"}],
    )
    return user


def _role(council: Council, user: User) -> Role:
    role = Role.objects.filter(user=user, council=council, kind__in=list(COUNCIL_ROLES)).first()
    if role is None:
        raise PeopleError(f"{user.email} has no role at {council.name}")
    return role


def _send(council: Council, user: User, kind: str, actor: Any) -> AccountInvitation | None:
    """Email the person: a new single-use link to set their password (earlier unused ones stop working), or, when
    they already have a password, word that they can sign in."""
    role = ROLE_WORDS[Role.Kind(kind)]
    sender = getattr(actor, "audit_label", None) or "The Keep it Local network team"
    if user.has_usable_password():
        email_service().send(
            Email(
                to=user.email,
                subject=f"You can now work on {council.name} in Keep it Local",
                body=(
                    f"{sender} has made you {role} for {council.name} on the Keep it Local platform.\n\n"
                    f"Sign in with your email address and your password:\n{site_url(reverse('accounts:sign-in'))}\n"
                ),
            )
        )
        return None
    now = timezone.now()
    AccountInvitation.objects.filter(user=user, used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
    token = new_token()
    invitation = AccountInvitation.objects.create(
        user=user,
        council=council,
        kind=kind,
        token_hash=token_hash(token),
        sent_at=now,
        expires_at=now + timedelta(days=AccountInvitation.INVITATION_DAYS),
        sent_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    link = site_url(reverse("network:invitation", kwargs={"token": token}))
    email_service().send(
        Email(
            to=user.email,
            subject=f"Set up your Keep it Local account for {council.name}",
            body=(
                f"{sender} has invited you to work on {council.name} on the Keep it Local platform, as {role}.\n\n"
                f"Set your password here (the link works once, for {AccountInvitation.INVITATION_DAYS} days):\n{link}\n\n"
                "If you were not expecting this, you can ignore this email: no account is usable until a password is set.\n"
            ),
        )
    )
    return invitation


class Decision(StrEnum):
    ACCEPT = "accept"
    DECLINE = "decline"


@transaction.atomic
def decide_join_request(member: NetworkMember, decision: Decision, actor: Any) -> None:
    """The network team's answer to a request to join. An organisation accepted joins as one (found by its org-id,
    or made); a council accepted becomes a prospect and the person who asked is invited as its editor, with a link
    to set their password. Nothing is half done: a refusal (PeopleError) leaves the request waiting."""
    if decision is Decision.ACCEPT:
        if member.kind == NetworkMember.Kind.ORGANISATION:
            organisation = Organisation.objects.filter(org_id=member.org_id).first() if member.org_id else None
            if organisation is None:
                organisation = Organisation.objects.create(
                    name=member.organisation_name, org_id=member.org_id or None, home_council=member.home_council
                )
            member.organisation = organisation
        if member.kind == NetworkMember.Kind.COUNCIL and member.home_council is not None:
            add_to_network(member.home_council, actor)
            invite(member.home_council, member.email, "council_editor", actor, member.name)
        member.state = NetworkMember.State.ACCEPTED
    else:
        member.state = NetworkMember.State.DECLINED
    member.save()
    logs.event("join-decided", "Join request %s %s by user %s", member.pk, member.state, getattr(actor, "pk", None))
