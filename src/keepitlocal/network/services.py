"""Every change to the network registry goes through here: one transaction, an audit entry, a fresh stage."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol, cast

from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from keepitlocal import logs
from keepitlocal.common.councils_file import ReadResult
from keepitlocal.network.engine.journey import Evidence, JourneyPosition, Stage, Status, position
from keepitlocal.network.models import (
    AuditEntry,
    Champion,
    Council,
    Event,
    ImportRun,
    Membership,
    NetworkMember,
    Organisation,
)

STALLED_AFTER_DAYS = 90


class HasMembership(Protocol):
    membership: Membership


def membership_of(instance: models.Model) -> Membership:
    return instance if isinstance(instance, Membership) else cast(HasMembership, instance).membership


class DuplicateMembershipError(ValueError):
    """A council has one membership record at most."""


def _display(instance: models.Model, field: models.Field[Any, Any]) -> str:
    value = getattr(instance, field.attname)
    if value is None or value == "":
        return ""
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.ForeignKey):
        related = getattr(instance, field.name)
        return str(related)
    if isinstance(value, date):
        return f"{value.day} {value:%B %Y}"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


def snapshot(instance: models.Model | None) -> dict[str, tuple[str, str]]:
    """Field name → (label, displayed value), for the fields a person edits."""
    if instance is None:
        return {}
    skip = {"id", "membership", "created_at", "updated_at", "stage", "stage_since"}
    return {
        f.name: (str(f.verbose_name).capitalize(), _display(instance, f))
        for f in instance._meta.concrete_fields
        if f.name not in skip
    }


def record(
    council: Council, actor: Any, action: str, instance: models.Model, before: dict[str, tuple[str, str]]
) -> AuditEntry | None:
    after = snapshot(instance) if action != "deleted" else {}
    changes = []
    for name in sorted(set(before) | set(after)):
        label, old = before.get(name, (after.get(name, ("", ""))[0], ""))
        new = after.get(name, (label, ""))[1]
        if old != new:
            changes.append({"field": label, "from": old, "to": new})
    if not changes and action == "updated":
        return None
    return audit(council, actor, action, str(instance._meta.verbose_name).capitalize(), str(instance.pk or ""), changes)


def audit(
    council: Council, actor: Any, action: str, record_name: str, record_id: str, changes: list[dict[str, str]]
) -> AuditEntry:
    """One entry in a council's change history; `actor` is a person, or a label such as the demo loader."""
    is_person = getattr(actor, "is_authenticated", False)
    return AuditEntry.objects.create(
        council=council,
        actor=actor if is_person else None,
        actor_label=actor.audit_label if is_person else (actor or "System"),
        action=action,
        record=record_name[:100],
        record_id=record_id[:40],
        changes=changes,
    )


def current_champions(membership: Membership, on: date | None = None) -> QuerySet[Champion]:
    on = on or timezone.localdate()
    return membership.champions.filter(started_on__lte=on).filter(models.Q(ended_on__isnull=True) | models.Q(ended_on__gte=on))


def evidence_for(membership: Membership) -> Evidence:
    roles = set(current_champions(membership).values_list("role", flat=True))
    endorsement = getattr(membership, "endorsement", None)
    return Evidence(
        endorsed=endorsement is not None and not endorsement.is_draft and endorsement.endorsed_on is not None,
        cabinet_champion=Champion.Role.CABINET in roles,
        senior_champion=Champion.Role.SENIOR_MANAGEMENT in roles,
        conversation_held=membership.conversations.exists(),
    )


def journey(membership: Membership) -> JourneyPosition:
    return position(evidence_for(membership), Status(membership.status))


def refresh_stage(membership: Membership, actor: Any = None, on: date | None = None) -> None:
    """Store the stage the evidence now supports, noting when it changed."""
    new_stage = journey(membership).stage
    if new_stage != membership.stage:
        old_label = membership.stage_label
        membership.stage = new_stage
        membership.stage_since = on or timezone.localdate()
        membership.save(update_fields=["stage", "stage_since", "updated_at"])
        change = {"field": "Stage", "from": old_label, "to": membership.stage_label}
        audit(membership.council, actor, "updated", "Membership", str(membership.pk), [change])


@transaction.atomic
def save_membership_record(
    instance: models.Model, council: Council, actor: Any, related: Callable[[], None] | None = None
) -> models.Model:
    """Save a membership, endorsement, champion or conversation, audit it, and recompute the stage. `related` saves
    what the form holds beside the row (its many-to-many choices), once the row is saved."""
    is_new = instance.pk is None
    before = {} if is_new else snapshot(type(instance)._default_manager.get(pk=instance.pk))
    if isinstance(instance, Membership) and is_new and Membership.objects.filter(council=council).exists():
        raise DuplicateMembershipError(f"{council} already has a membership record")
    instance.full_clean()
    instance.save()
    if related is not None:
        related()
    record(council, actor, "created" if is_new else "updated", instance, before)
    membership = membership_of(instance)
    membership.refresh_from_db()
    refresh_stage(membership, actor)
    return instance


@transaction.atomic
def set_status(membership: Membership, status: Status, actor: Any) -> None:
    """The council's status in the network, audited; its stage follows."""
    before = snapshot(membership)
    membership.status = status
    membership.save(update_fields=["status", "updated_at"])
    record(membership.council, actor, "updated", membership, before)
    refresh_stage(membership, actor)


def ask_to_join(member: NetworkMember) -> NetworkMember:
    """A request to join, as the public form made it, waiting for the network team."""
    member.save()
    logs.event("join-requested", "Join request %s received (%s)", member.pk, member.kind)
    return member


def save_organisation(organisation: Organisation, actor: Any) -> Organisation:
    """An organisation's own details, changed by its editors or the network team."""
    organisation.full_clean()
    organisation.save()
    logs.event("organisation-saved", "Organisation %s saved by user %s", organisation.pk, getattr(actor, "pk", None))
    return organisation


@transaction.atomic
def save_event(event: Event, actor: Any, related: Callable[[], None] | None = None) -> Event:
    """A network event, with the councils it is for (`related`: the form's many-to-many choices)."""
    event.full_clean()
    event.save()
    if related is not None:
        related()
    logs.event("event-saved", "Event %s saved by user %s", event.pk, getattr(actor, "pk", None))
    return event


@transaction.atomic
def delete_membership_record(instance: models.Model, council: Council, actor: Any) -> None:
    membership = membership_of(instance)
    before = snapshot(instance)
    record(council, actor, "deleted", instance, before)
    instance.delete()
    refresh_stage(membership, actor)


@dataclass(frozen=True)
class StalledCouncil:
    membership: Membership
    days: int


def stalled(today: date | None = None, days: int = STALLED_AFTER_DAYS) -> list[StalledCouncil]:
    """Councils that have stayed at one step of the journey (not active, paused or left) for over `days` days."""
    today = today or timezone.localdate()
    waiting = Membership.objects.select_related("council").exclude(stage__in=[Stage.ACTIVE, Stage.PAUSED, Stage.LEFT])
    found = [StalledCouncil(m, (today - m.stage_since).days) for m in waiting if (today - m.stage_since).days > days]
    return sorted(found, key=lambda s: -s.days)


@transaction.atomic
def apply_council_import(result: ReadResult, source: str) -> ImportRun:
    """Upsert councils read from ONS files; a second run of the same files changes nothing."""
    run = ImportRun.objects.create(kind="councils", source=source, rows_read=result.rows_read, skipped=result.skipped)
    existing = {c.gss_code: c for c in Council.objects.filter(gss_code__in=list(result.records))}
    to_create, to_update = [], []
    fields = ["name", "council_type", "parent_code", "region_code", "region_name", "nation", "successor_code"]
    for code, rec in result.records.items():
        values = {
            "name": rec.name,
            "council_type": rec.council_type.value if rec.council_type else "",
            "parent_code": rec.parent_code,
            "region_code": rec.region_code,
            "region_name": rec.region_name,
            "nation": rec.nation,
            "successor_code": rec.successor_code,
        }
        council = existing.get(code)
        if council is None:
            to_create.append(Council(gss_code=code, **values))
        elif any(getattr(council, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(council, k, v)
            council.updated_at = timezone.now()
            to_update.append(council)
    Council.objects.bulk_create(to_create, batch_size=500)
    Council.objects.bulk_update(to_update, [*fields, "updated_at"], batch_size=500)
    run.created = len(to_create)
    run.updated = len(to_update)
    run.unchanged = len(result.records) - len(to_create) - len(to_update)
    run.rejected = len(result.rejected)
    run.problems = [{"source": r.source, "row": r.row, "reason": r.reason} for r in result.rejected]
    run.finished_at = timezone.now()
    run.succeeded = True
    run.save()
    return run


def summarise(runs: Iterable[ImportRun]) -> list[str]:
    return [
        f"{r.source}: {r.rows_read} rows read, {r.created} created, {r.updated} updated, "
        f"{r.unchanged} unchanged, {r.skipped} skipped, {r.rejected} rejected"
        for r in runs
    ]
