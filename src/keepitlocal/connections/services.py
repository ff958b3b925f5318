"""Every write to relationship maps, and the reads that join them to the engine: views call these, never the ORM
for a write."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from keepitlocal.accounts.email import Email, email_service
from keepitlocal.common.kept import Kept
from keepitlocal.common.names import normalise_name
from keepitlocal.common.refused import Refused
from keepitlocal.common.tokens import new_token, token_hash
from keepitlocal.connections.engine import files, gephi, kumu
from keepitlocal.connections.engine import measures as m
from keepitlocal.connections.engine.model import (
    Connection,
    Direction,
    Element,
    Kind,
    Network,
    Sector,
    connection_kind_key,
    label_key,
    size_problems,
)
from keepitlocal.connections.engine.problems import ImportRejected, Problem
from keepitlocal.connections.models import ConfirmationRequest, ConnectionMap, MapConnection, MapElement
from keepitlocal.database import reading
from keepitlocal.jobs import Job, enqueue
from keepitlocal.network.models import Council, Organisation
from keepitlocal.spend.models import AnalysisRun, SpendPublication, Supplier

log = logging.getLogger(__name__)

CONFIRMATION_DAYS = 30
SEPARATOR = "|"


# The map ----------------------------------------------------------------------------------------------------------


def map_for(organisation: Organisation) -> ConnectionMap:
    """The organisation's map, made on first use with the organisation itself as its first element."""
    cmap, _ = ConnectionMap.objects.get_or_create(organisation=organisation, defaults={"is_demo": organisation.is_demo})
    if not cmap.elements.filter(is_self=True).exists():
        key = label_key(organisation.name)
        existing = cmap.elements.filter(key=key).first()
        if existing:
            existing.is_self = True
            existing.save(update_fields=["is_self"])
        else:
            MapElement.objects.create(
                map=cmap,
                label=organisation.name,
                key=key,
                sector=Sector.VCSE.value,
                type="Voluntary and community organisation",
                org_id=organisation.org_id or "",
                place=organisation.home_council.name if organisation.home_council else "",
                is_self=True,
            )
    return cmap


def _touch(cmap: ConnectionMap) -> None:
    """Every write to a map moves its updated_at (the key of its kept measures) and asks for the areas it is shared
    with to be measured again."""
    ConnectionMap.objects.filter(pk=cmap.pk).update(updated_at=timezone.now())
    _remeasure_areas_of(cmap)


def _who(actor: Any) -> str:
    return (getattr(actor, "full_name", "") or getattr(actor, "email", "")) if getattr(actor, "is_authenticated", False) else ""


def as_element(row: MapElement) -> Element:
    return Element(
        label=row.label,
        type=row.type,
        sector=Sector(row.sector) if row.sector else None,
        description=row.description,
        tags=tuple(t for t in row.tags.split(SEPARATOR) if t),
        org_id=row.org_id,
        place=row.place,
        fields=tuple((str(k), str(v)) for k, v in row.fields),
    )


def as_connection(row: MapConnection, labels: dict[int, str]) -> Connection:
    return Connection(
        source=labels[row.source_id],
        target=labels[row.target_id],
        direction=Direction(row.direction),
        type=row.type,
        kind=Kind(row.kind) if row.kind else None,
        strength=row.strength,
        since=row.since,
        until=row.until,
        introduced_by=labels.get(row.introduced_by_id, "") if row.introduced_by_id else "",
        recorded_by=row.recorded_by_name,
        evidence=row.evidence,
        confirmed=row.confirmed_at is not None,
        description=row.description,
        tags=tuple(t for t in row.tags.split(SEPARATOR) if t),
        fields=tuple((str(k), str(v)) for k, v in row.fields),
    )


def _field_names(rows: list[Any]) -> tuple[str, ...]:
    names: list[str] = []
    for row in rows:
        for name, _ in row.fields:
            if name not in names:
                names.append(name)
    return tuple(names)


def network_of(cmap: ConnectionMap) -> Network:
    """The map as the engine reads it: every element and every connection ever recorded, in the order added."""
    with reading():  # one consistent reading of elements and connections, without the write lock
        elements = list(cmap.elements.all())
        labels = {e.pk: e.label for e in elements}
        connections = [c for c in cmap.connections.all() if c.source_id in labels and c.target_id in labels]
    element_fields = _field_names(elements)
    connection_fields = _field_names(connections)

    def padded(fields: tuple[tuple[str, str], ...], names: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
        given = dict(fields)
        return tuple((name, given.get(name, "")) for name in names)

    return Network(
        tuple(replace(e, fields=padded(e.fields, element_fields)) for e in map(as_element, elements)),
        tuple(replace(c, fields=padded(c.fields, connection_fields)) for c in (as_connection(r, labels) for r in connections)),
        element_fields,
        connection_fields,
    )


def self_element(cmap: ConnectionMap) -> MapElement:
    found = cmap.elements.filter(is_self=True).first()
    assert found is not None, "map_for makes the organisation's own element"
    return found


@dataclass(frozen=True)
class Snapshot:
    """The map measured on one day."""

    on: date
    measures: m.Measures
    network: Network


# Each process keeps the measured maps read lately: measuring a 500-element map takes a few hundred milliseconds,
# and every visit to the map page needs it. A map's every write moves its updated_at, which is in the key.
_KEPT: Kept[Snapshot] = Kept(size=32)


def forget_snapshots() -> None:
    """Drop every kept snapshot (tests, whose rolled-back rows may reuse keys)."""
    _KEPT.clear()


def snapshot(cmap: ConnectionMap, on: date) -> Snapshot:
    """The map measured as it stood on `on`, kept until the map changes."""
    updated = ConnectionMap.objects.filter(pk=cmap.pk).values_list("updated_at", flat=True).first()

    def build() -> Snapshot:
        network = network_of(cmap)
        return Snapshot(on, m.measure(network, on), network)

    return _KEPT.get((cmap.pk, updated, on), build)


@dataclass(frozen=True)
class Comparison:
    """The map on two days: connections gained and lost between them, and both days' measures."""

    then: Snapshot
    now: Snapshot
    gained: list[Connection]
    lost: list[Connection]


def compare(cmap: ConnectionMap, then: date, now: date) -> Comparison:
    earlier, later = snapshot(cmap, then), snapshot(cmap, now)
    before = {c.identity: c for c in earlier.network.connections if c.current_on(then)}
    after = {c.identity: c for c in later.network.connections if c.current_on(now)}
    return Comparison(
        earlier, later, [c for k, c in after.items() if k not in before], [c for k, c in before.items() if k not in after]
    )


# Elements and connections -----------------------------------------------------------------------------------------


def _refuse_beyond(elements: int, connections: int) -> None:
    problems = size_problems(elements, connections)
    if problems:
        raise Refused("Your map is full", " ".join(problems))


def _next_position(queryset: Any) -> int:
    return (queryset.aggregate(n=Max("position"))["n"] or 0) + 1


def save_element(cmap: ConnectionMap, element: MapElement | None, data: dict[str, Any], actor: Any) -> MapElement:
    """Adds or changes an element; a label another element of the map already has is refused."""
    label = " ".join(str(data["label"]).split())
    key = label_key(label)
    with transaction.atomic():
        others = cmap.elements.filter(key=key)
        clash = (others.exclude(pk=element.pk) if element else others).first()
        if clash:
            raise Refused("That label is taken", f"'{clash.label}' is already on your map: give this element another label.")
        if element is None:
            _refuse_beyond(cmap.elements.count() + 1, 0)
        row = element or MapElement(map=cmap, position=_next_position(cmap.elements))
        if element is not None and element.label != label:
            _clear_confirmations_of(element)
        row.label, row.key = label, key
        for name in ("sector", "type", "description", "org_id", "place"):
            if name in data:
                setattr(row, name, data[name] or "")
        row.save()
        _touch(cmap)
    return row


def delete_element(element: MapElement) -> None:
    if element.is_self:
        raise Refused("Your organisation stays on its map", "Every map is centred on its own organisation.")
    with transaction.atomic():
        cmap = element.map
        MapConnection.objects.filter(Q(source=element) | Q(target=element)).delete()
        element.delete()
        _touch(cmap)


def save_connection(cmap: ConnectionMap, connection: MapConnection | None, data: dict[str, Any], actor: Any) -> MapConnection:
    """Adds or changes a connection. Changing its ends, kind or dates after the other side confirmed it clears the
    confirmation: they confirmed something else."""
    source, target = data["source"], data["target"]
    if source.map_id != cmap.pk or target.map_id != cmap.pk:
        raise Refused("Choose elements of this map", "Both ends must be elements of your map.")
    if source.pk == target.pk:
        raise Refused("Choose two different elements", "A connection joins two different elements.")
    introducer = data.get("introduced_by")
    if introducer is not None and introducer.map_id != cmap.pk:
        raise Refused("Choose an element of this map", "The element that introduced it must be on your map.")
    since, until = data.get("since"), data.get("until")
    if since and until and until <= since:
        raise Refused("Check the dates", "The connection must end after it began.")
    kind = data.get("kind") or ""
    with transaction.atomic():
        if connection is None:
            _refuse_beyond(0, cmap.connections.count() + 1)
        row = connection or MapConnection(
            map=cmap,
            position=_next_position(cmap.connections),
            recorded_by=actor if _who(actor) else None,
            recorded_by_name=_who(actor),
        )
        if connection is not None and _changes_what_was_confirmed(
            connection, {"source": source, "target": target, "kind": kind, "since": since, "until": until}
        ):
            _clear_confirmation(row)
        row.source, row.target, row.kind = source, target, kind
        if kind:
            row.type = Kind(kind).label
        elif connection is None:
            row.type = data.get("type", "")
        row.direction = data.get("direction") or Direction.DIRECTED.value
        row.strength = data.get("strength")
        row.since, row.until = since, until
        row.introduced_by = introducer
        row.evidence = data.get("evidence", "")
        row.save()
        _touch(cmap)
    return row


def delete_connection(connection: MapConnection) -> None:
    with transaction.atomic():
        cmap = connection.map
        connection.delete()
        _touch(cmap)


# Import and export ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportOutcome:
    elements_added: int
    elements_updated: int
    connections_added: int
    connections_updated: int
    unchanged: int


def read_upload(cmap: ConnectionMap, name: str, data: bytes) -> Network:
    """A file to import into the map; its connections may name elements already on the map without listing them."""
    return files.read_file(name, data, cmap.elements.values_list("label", flat=True))


# Which model fields each known column of a file sets (the label is always there).
_ELEMENT_COLUMNS: dict[str, tuple[str, ...]] = {
    "type": ("type", "sector"),
    "sector": ("sector",),
    "description": ("description",),
    "tags": ("tags",),
    "org_id": ("org_id",),
    "place": ("place",),
}
_CONNECTION_COLUMNS: dict[str, tuple[str, ...]] = {
    "direction": ("direction",),
    "strength": ("strength",),
    "since": ("since",),
    "until": ("until",),
    "introduced_by": ("introduced_by",),
    "evidence": ("evidence",),
    "description": ("description",),
    "tags": ("tags",),
}


def _wanted(columns: frozenset[str] | None, table: dict[str, tuple[str, ...]]) -> set[str]:
    """The model fields a file's columns speak for (a file that lists none, such as the platform's own export read
    back, speaks for all)."""
    if columns is None:
        return {f for fields in table.values() for f in fields}
    return {f for column in columns for f in table.get(column, ())}


def _merged(old: list[Any], new: tuple[tuple[str, str], ...]) -> list[list[str]]:
    """Other columns: the file's values replace the map's for the columns the file has; a blank removes one."""
    given = dict(new)
    kept = [[k, v] for k, v in old if k not in given]
    return kept + [[k, v] for k, v in new if v != ""]


# What the other side confirms: a connection's ends, kind and dates.
CONFIRMED_FIELDS = ("source", "target", "kind", "since", "until")


def _changes_what_was_confirmed(row: MapConnection, values: dict[str, Any]) -> bool:
    return any(getattr(row, name) != values[name] for name in CONFIRMED_FIELDS if name in values)


def _clear_confirmation(row: MapConnection) -> None:
    """The other side confirmed something else: what they confirmed has changed (the caller saves the row)."""
    row.confirmed_at, row.confirmed_by = None, ""
    ConfirmationRequest.objects.filter(connection=row, answered_at__isnull=True).delete()


def _clear_confirmations_of(element: MapElement) -> None:
    """An element renamed: every confirmed connection of it was confirmed under its old name."""
    for connection in MapConnection.objects.filter(Q(source=element) | Q(target=element), confirmed_at__isnull=False):
        _clear_confirmation(connection)
        connection.save(update_fields=["confirmed_at", "confirmed_by"])


def import_network(cmap: ConnectionMap, network: Network, actor: Any) -> ImportOutcome:
    """Adds the file's elements and connections to the map in one transaction. An element with the same label, or a
    connection with the same ends and kind, is updated rather than added again, and only in what the file's columns
    say (a sheet of labels alone changes no sector); nothing on the map is removed. A file's Confirmed column is not
    taken as confirmation: only the other side's own answer confirms a connection, and a change to a confirmed
    connection's ends, kind or dates clears it."""
    added = updated = c_added = c_updated = unchanged = 0
    element_fields = _wanted(network.element_columns, _ELEMENT_COLUMNS)
    connection_fields = _wanted(network.connection_columns, _CONNECTION_COLUMNS)
    with transaction.atomic():
        rows = {e.key: e for e in cmap.elements.select_for_update()}
        existing = {
            (c.source.key, c.target.key, connection_kind_key(Kind(c.kind) if c.kind else None, c.type)): c
            for c in cmap.connections.select_related("source", "target")
        }
        new_elements = {e.key for e in network.elements} - rows.keys()
        new_connections = {c.identity for c in network.connections} - existing.keys()
        problems = size_problems(len(rows) + len(new_elements), len(existing) + len(new_connections))
        if problems:
            raise ImportRejected([Problem("", 0, "", "", f"{message} Nothing was imported.") for message in problems])
        position = _next_position(cmap.elements)
        for element in network.elements:
            everything: dict[str, Any] = {
                "label": element.label,
                "sector": element.sector.value if element.sector else "",
                "type": element.type,
                "description": element.description,
                "tags": SEPARATOR.join(element.tags),
                "org_id": element.org_id,
                "place": element.place,
            }
            row = rows.get(element.key)
            if row is None:
                fields = [list(pair) for pair in element.fields if pair[1] != ""]
                rows[element.key] = MapElement.objects.create(
                    map=cmap, key=element.key, position=position, fields=fields, **everything
                )
                position += 1
                added += 1
                continue
            values = {k: v for k, v in everything.items() if k == "label" or k in element_fields}
            if (
                "sector" in values
                and not values["sector"]
                and row.sector
                and "sector" not in (network.element_columns or {"sector"})
            ):
                del values["sector"]  # a type that names no sector leaves the sector chosen on the platform
            values["fields"] = _merged(row.fields, element.fields)
            if any(getattr(row, k) != v for k, v in values.items()):
                if values["label"] != row.label:
                    _clear_confirmations_of(row)
                for k, v in values.items():
                    setattr(row, k, v)
                row.save()
                updated += 1
            else:
                unchanged += 1
        position = _next_position(cmap.connections)
        for connection in network.connections:
            source, target = connection.ends
            everything = {
                "source": rows[source],
                "target": rows[target],
                "direction": connection.direction.value,
                "type": connection.type,
                "kind": connection.kind.value if connection.kind else "",
                "strength": connection.strength,
                "since": connection.since,
                "until": connection.until,
                "introduced_by": rows.get(label_key(connection.introduced_by)) if connection.introduced_by else None,
                "evidence": connection.evidence,
                "description": connection.description,
                "tags": SEPARATOR.join(connection.tags),
            }
            found = existing.get(connection.identity)
            if found is None:
                MapConnection.objects.create(
                    map=cmap,
                    position=position,
                    recorded_by=actor if _who(actor) else None,
                    recorded_by_name=connection.recorded_by or _who(actor),
                    fields=[list(pair) for pair in connection.fields if pair[1] != ""],
                    **everything,
                )
                position += 1
                c_added += 1
                continue
            values = {k: v for k, v in everything.items() if k in ("source", "target", "type", "kind") or k in connection_fields}
            values["fields"] = _merged(found.fields, connection.fields)
            if any(getattr(found, k) != v for k, v in values.items()):
                if found.confirmed_at and _changes_what_was_confirmed(found, values):
                    _clear_confirmation(found)
                for k, v in values.items():
                    setattr(found, k, v)
                found.save()
                c_updated += 1
            else:
                unchanged += 1
        if added or updated or c_added or c_updated:
            _touch(cmap)
    return ImportOutcome(added, updated, c_added, c_updated, unchanged)


EXPORTS = {
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Kumu workbook (XLSX)"),
    "json": ("application/json", "Kumu blueprint (JSON)"),
    "gexf": ("application/gexf+xml", "GEXF for Gephi"),
    "graphml": ("application/graphml+xml", "GraphML"),
}


def export(cmap: ConnectionMap, fmt: str) -> bytes:
    network = network_of(cmap)
    if fmt == "xlsx":
        return kumu.write_workbook(network)
    if fmt == "json":
        return kumu.write_blueprint(network).encode()
    if fmt == "gexf":
        return gephi.write_gexf(network)
    if fmt == "graphml":
        return gephi.write_graphml(network)
    raise ValueError(fmt)


# Two-sided confirmation -------------------------------------------------------------------------------------------


def _described(connection: MapConnection) -> dict[str, str]:
    """What a confirmation is about, as the other side reads it."""
    return {
        "source": connection.source.label,
        "target": connection.target.label,
        "kind": connection.kind_label,
        "direction": connection.direction_label,
        "since": connection.since.isoformat() if connection.since else "",
        "until": connection.until.isoformat() if connection.until else "",
    }


# Limits on asking, so that the link cannot be used to send mail without end.
ASKS_PER_MAP_PER_DAY = 100
ASKS_PER_ADDRESS_PER_DAY = 3


def request_confirmation(connection: MapConnection, email: str, actor: Any, base_url: str) -> str:
    """Emails the other side a single-use link to confirm the connection (only its hash is kept); asking the same
    address again replaces its unanswered link."""
    if connection.confirmed_at:
        raise Refused("Already confirmed", "The other side has already confirmed this connection.")
    token = new_token()
    email = email.strip().lower()
    organisation = connection.map.organisation
    day_ago = timezone.now() - timedelta(days=1)
    recent = ConfirmationRequest.objects.filter(connection__map=connection.map, requested_at__gte=day_ago)
    if recent.count() >= ASKS_PER_MAP_PER_DAY:
        raise Refused("Too many requests today", f"You can ask {ASKS_PER_MAP_PER_DAY} times a day. Try again tomorrow.")
    if recent.filter(email=email).count() >= ASKS_PER_ADDRESS_PER_DAY:
        raise Refused("Too many requests to this address", f"{email} has been asked {ASKS_PER_ADDRESS_PER_DAY} times today.")
    with transaction.atomic():
        # An earlier unanswered link to the same address stops working (kept, so that asks are counted).
        ConfirmationRequest.objects.filter(connection=connection, email=email, answered_at__isnull=True).update(
            expires_at=timezone.now()
        )
        ConfirmationRequest.objects.create(
            connection=connection,
            email=email,
            token_hash=token_hash(token),
            requested_by=actor if _who(actor) else None,
            expires_at=timezone.now() + timedelta(days=CONFIRMATION_DAYS),
            asked_about=_described(connection),
        )
    link = f"{base_url.rstrip('/')}/connections/confirm/{token}/"
    since = f" since {connection.since:%B %Y}" if connection.since else ""
    email_service().send(
        Email(
            to=email,
            subject=f"{organisation.name} asks you to confirm a connection",
            body=(
                f"{organisation.name} is mapping its relationships on the Keep it Local platform and has recorded this "
                f"connection:\n\n  {connection.source.label} and {connection.target.label}: "
                f"{connection.kind_label.lower()}{since}\n\n"
                f"Please confirm it or say you do not recognise it: {link}\n\n"
                f"The link works once, for {CONFIRMATION_DAYS} days. You do not need an account. If you did not expect "
                "this email you can ignore it.\n"
            ),
        )
    )
    log.info("confirmation requested for connection %s", connection.pk)
    return token


def confirmation_for(token: str) -> ConfirmationRequest:
    """The request a link opens, or the reason it does not: unknown, already answered or expired."""
    found = (
        ConfirmationRequest.objects.select_related("connection__source", "connection__target", "connection__map__organisation")
        .filter(token_hash=token_hash(token))
        .first()
    )
    if found is None:
        raise Refused("This link is not valid", "Check that you copied the whole link from your email.")
    if found.answered_at is not None:
        raise Refused("You have already answered", "Each link can be used once, and your answer has been received.")
    organisation = found.connection.map.organisation.name
    if found.expires_at <= timezone.now():
        raise Refused("This link has expired", f"Ask {organisation} to send you a new link.")
    if found.asked_about != _described(found.connection):
        raise Refused(
            "This connection has changed since you were asked",
            f"{organisation} has changed the connection it asked you about. Ask them to send you a new link.",
        )
    return found


def answer_confirmation(token: str, confirmed: bool, name: str) -> ConfirmationRequest:
    """Records the other side's answer once; a confirmation marks the connection confirmed."""
    with transaction.atomic():
        request = confirmation_for(token)
        request = ConfirmationRequest.objects.select_for_update().get(pk=request.pk)
        if request.answered_at is not None:
            raise Refused("You have already answered", "Each link can be used once, and your answer has been received.")
        request.answered_at = timezone.now()
        request.answer = ConfirmationRequest.Answer.CONFIRMED if confirmed else ConfirmationRequest.Answer.DECLINED
        request.answered_by = " ".join(name.split())[:200]
        request.save()
        if confirmed:
            MapConnection.objects.filter(pk=request.connection_id).update(
                confirmed_at=request.answered_at, confirmed_by=request.answered_by or request.email.split("@")[-1]
            )
            ConnectionMap.objects.filter(connections=request.connection_id).update(updated_at=timezone.now())
    return request


# Sharing ----------------------------------------------------------------------------------------------------------


def save_sharing(cmap: ConnectionMap, councils: list[Council], network: bool, publish: bool) -> None:
    with transaction.atomic():
        before = list(cmap.shared_with.all())
        cmap.shared_with.set(councils)
        cmap.share_with_network, cmap.publish_summary = network, publish
        cmap.save(update_fields=["share_with_network", "publish_summary"])
        _remeasure_areas_of(cmap, before)


@dataclass(frozen=True)
class AggregateRow:
    sector: str
    kind: str
    connections: int


def aggregate(cmap: ConnectionMap, on: date) -> tuple[dict[str, int], list[AggregateRow]]:
    """The published version of a map: elements counted by sector, and current connections counted by the sector of
    the other end and their kind. No element is named."""
    network = network_of(cmap).at(on)
    by_key = network.by_key()
    own = self_element(cmap).key

    def sector(key: str) -> str:
        # Only the platform's own words: a type written by a person could name someone.
        found = by_key[key].sector
        return found.label if found else "Other"

    elements: dict[str, int] = {}
    for element in network.elements:
        if element.key != own:
            elements[sector(element.key)] = elements.get(sector(element.key), 0) + 1
    counts: dict[tuple[str, str], int] = {}
    for connection in network.connections:
        source, target = connection.ends
        other = target if source == own else source if target == own else None
        group = sector(other) if other else "Between others"
        kind = connection.kind.label if connection.kind else "Other"
        counts[(group, kind)] = counts.get((group, kind), 0) + 1
    rows = [AggregateRow(g, k, n) for (g, k), n in sorted(counts.items())]
    return dict(sorted(elements.items())), rows


# What councils paid an organisation ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Paid:
    council: Council
    total: Decimal
    transactions: int
    matched_by: str
    period: str = ""  # the period of the published figures it comes from, in words


class SupplierIndex:
    """A council's suppliers by org-id and by every name they were published under (resolved as the spend engine
    resolves names: case, punctuation and legal forms ignored)."""

    def __init__(self, suppliers: list[Any]) -> None:
        self.by_org = {s.org_id.upper(): s for s in suppliers if s.org_id}
        self.by_name: dict[str, Any] = {}
        for supplier in suppliers:
            for name in [supplier.name, *supplier.names.split(" | ")]:
                key = normalise_name(name)
                if key:
                    self.by_name.setdefault(key, supplier)

    def find(self, org_id: str, names: list[str]) -> tuple[Any, str] | None:
        if org_id and org_id.upper() in self.by_org:
            return self.by_org[org_id.upper()], "org-id"
        for name in names:
            found = self.by_name.get(normalise_name(name))
            if found is not None:
                return found, "name"
        return None


def paid_to(organisation: Organisation) -> list[Paid]:
    return paid_to_named(organisation.org_id or "", [organisation.name])


def paid_to_named(org_id: str, names: list[str]) -> list[Paid]:
    """What councils paid an organisation in the spend they have published on this platform: their supplier whose
    org-id is the organisation's, or else whose published name resolves to one of its names. Unpublished analyses
    are the councils' own."""
    result = []
    for publication in (
        SpendPublication.objects.select_related("council", "run").only("council", "run__period").order_by("council__name")
    ):
        index = SupplierIndex(list(publication.suppliers.only("name", "names", "org_id", "total_amount", "transactions")))
        found = index.find(org_id, names)
        if found:
            supplier, how = found
            period = (publication.run.period or {}).get("label", "")
            result.append(Paid(publication.council, supplier.total_amount, supplier.transactions, how, period))
    return result


# A council's area ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bridge:
    """A community organisation that bridges the area's system, and what the council's latest analysis found it was
    paid (None: no supplier matched it)."""

    label: str
    group: str
    betweenness: float
    cut_point: bool
    removal_pairs: int
    brokerage: int
    paid: Decimal | None
    transactions: int
    little: bool


@dataclass(frozen=True)
class Area:
    council: Council
    maps: list[ConnectionMap]
    network: Network
    measures: m.Measures
    bridges: list[Bridge]
    # Below this a bridge's spend counts as little: the median total of the council's VCSE suppliers.
    median_vcse: Decimal | None
    on: date


def _merge(maps: list[ConnectionMap]) -> Network:
    """One network from several maps: two elements are one when their org-ids match or their labels do (case and
    spacing ignored), and so on through chains of either (one map's element with an org-id, another's with only the
    same name, join)."""
    networks = [network_of(cmap) for cmap in maps]
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def names(element: Element) -> list[str]:
        return [f"label:{element.key}"] + ([f"org:{element.org_id.upper()}"] if element.org_id else [])

    for network in networks:
        for element in network.elements:
            first, *rest = names(element)
            for other in rest:
                parent[find(other)] = find(first)
    chosen: dict[str, Element] = {}
    for network in networks:
        for element in network.elements:
            root = find(names(element)[0])
            if root not in chosen:
                chosen[root] = replace(element, fields=())
            elif element.org_id and not chosen[root].org_id:
                chosen[root] = replace(chosen[root], org_id=element.org_id)
    connections: dict[tuple[str, str, str], Connection] = {}
    for network in networks:
        for connection in network.connections:
            source, target = (chosen[find(f"label:{k}")].label for k in connection.ends)
            introducer = chosen.get(find(f"label:{label_key(connection.introduced_by)}")) if connection.introduced_by else None
            merged = replace(
                connection, source=source, target=target, introduced_by=introducer.label if introducer else "", fields=()
            )
            connections.setdefault(merged.identity, merged)
    return Network(tuple(chosen.values()), tuple(connections.values()))


def area(council: Council, on: date, network_team_only: bool = False) -> Area:
    """The area's system map from the maps its organisations share with the council (for the network team, who are
    not the council, only those also shared with the network); its bridges (community organisations that are cut
    points, or in the top quarter by betweenness) with what the council paid them."""
    shared = ConnectionMap.objects.filter(shared_with=council)
    if network_team_only:
        shared = shared.filter(share_with_network=True)
    maps = list(shared.select_related("organisation").order_by("organisation__name"))
    network = _merge(maps)
    measures = m.measure(network, on)
    run = AnalysisRun.objects.latest_finished(council)
    suppliers = list(Supplier.objects.filter(council=council)) if run else []
    index = SupplierIndex(suppliers)
    vcse = sorted(s.total_amount for s in suppliers if s.supplier_type == "vcse")
    median = vcse[len(vcse) // 2] if vcse else None
    community = [
        row for row in measures.elements if row.sector in (Sector.VCSE, Sector.FAITH) and (row.betweenness > 0 or row.cut_point)
    ]
    ranked = sorted((row.betweenness for row in community), reverse=True)
    cut_off = ranked[max(0, len(ranked) // 4 - 1)] if ranked else 0.0
    by_label = network.by_key()
    bridges = []
    for row in sorted(community, key=lambda r: (-r.betweenness, r.label.casefold())):
        if not (row.cut_point or row.betweenness >= cut_off):
            continue
        element = by_label[row.key]
        found = index.find(element.org_id, [element.label])
        supplier = found[0] if found else None
        paid = supplier.total_amount if supplier else None
        little = run is not None and (paid is None or (median is not None and paid < median))
        bridges.append(
            Bridge(
                row.label, row.group, row.betweenness, row.cut_point, row.removal.pairs, row.brokerage.total, paid,
                supplier.transactions if supplier else 0, little,
            )
        )  # fmt: skip
    return Area(council, maps, network, measures, bridges, median, on)


# A council's area, measured in the background -----------------------------------------------------------------------

# A measuring asked for, or started, this long ago and not done is asked for again (its worker died). A joined area
# can take minutes to measure; the worker marks the start, so one still running is not asked for twice.
AREA_STALE = timedelta(minutes=15)
AREA_KEPT = 4  # measurings kept per council and audience: the newest, and a few being worked out


@dataclass(frozen=True)
class SharedMap:
    name: str
    is_demo: bool


@dataclass(frozen=True)
class AreaFigures:
    """What a council's area page shows, as measured in the background: the shared maps, the summary of the joined
    map, and the bridges with what the council paid them."""

    on: date
    maps: tuple[SharedMap, ...]
    summary: m.Summary
    bridges: tuple[Bridge, ...]
    median_vcse: Decimal | None
    map_ids: tuple[int, ...] = ()  # what it was measured from: shown only while every one of them is still shared

    @staticmethod
    def of(found: Area) -> AreaFigures:
        maps = tuple(SharedMap(cmap.organisation.name, cmap.is_demo) for cmap in found.maps)
        ids = tuple(sorted(cmap.pk for cmap in found.maps))
        return AreaFigures(found.on, maps, found.measures.summary, tuple(found.bridges), found.median_vcse, ids)

    def to_json(self) -> dict[str, Any]:
        summary = {**vars(self.summary), "on": self.summary.on.isoformat(), "cut_points": list(self.summary.cut_points)}
        return {
            "on": self.on.isoformat(),
            "maps": [vars(shared) for shared in self.maps],
            "summary": summary,
            "bridges": [{**vars(b), "paid": None if b.paid is None else str(b.paid)} for b in self.bridges],
            "median_vcse": None if self.median_vcse is None else str(self.median_vcse),
            "map_ids": list(self.map_ids),
        }

    @staticmethod
    def from_json(data: dict[str, Any]) -> AreaFigures:
        summary = data["summary"]
        return AreaFigures(
            on=date.fromisoformat(data["on"]),
            maps=tuple(SharedMap(**shared) for shared in data["maps"]),
            summary=m.Summary(**{**summary, "on": date.fromisoformat(summary["on"]), "cut_points": tuple(summary["cut_points"])}),
            bridges=tuple(Bridge(**{**b, "paid": None if b["paid"] is None else Decimal(b["paid"])}) for b in data["bridges"]),
            median_vcse=None if data["median_vcse"] is None else Decimal(data["median_vcse"]),
            map_ids=tuple(data.get("map_ids", ())),
        )


@dataclass(frozen=True)
class AreaReading:
    """The area as the page shows it: `figures` measured from the maps as they stand now (`current`), or else the
    last measured (None before the first), while the present state is worked out in the background."""

    figures: AreaFigures | None
    current: bool
    measured_at: Any = None  # datetime of the figures shown


def _shared_maps(council: Council, network_team_only: bool) -> Any:
    shared = ConnectionMap.objects.filter(shared_with=council)
    return shared.filter(share_with_network=True) if network_team_only else shared


def _shared_states(council: Council, network_team_only: bool) -> list[tuple[Any, ...]]:
    """Each map shared with the council (with the network team), as it last changed: (pk, updated_at, organisation's
    name, is_demo), read once for a page view."""
    shared = _shared_maps(council, network_team_only).order_by("pk")
    return list(shared.values_list("pk", "updated_at", "organisation__name", "is_demo"))


def _area_fingerprint(council: Council, network_team_only: bool, maps: list[tuple[Any, ...]] | None = None) -> str:
    """What an area's measures depend on: each shared map as it last changed (its organisation's name too) and the
    council's latest analysis (the bridges' spend)."""
    maps = _shared_states(council, network_team_only) if maps is None else maps
    run = AnalysisRun.objects.finished().filter(council=council).values_list("pk", "finished_at").first()
    return hashlib.sha256(repr((maps, run)).encode()).hexdigest()


def area_figures(council: Council, on: date, network_team_only: bool = False) -> AreaReading:
    """The area's figures for a page view: never measured here. The measuring of the present state is asked for (once,
    or again if its worker died) and the last figures measured are shown meanwhile."""
    from keepitlocal.connections.models import AreaMeasures

    audience = {"council": council, "network_team_only": network_team_only}
    maps = _shared_states(council, network_team_only)  # read once for the whole view
    if not maps:
        empty = AreaFigures(on, (), m.measure(Network((), ()), on).summary, (), None)
        return AreaReading(empty, True, timezone.now())
    row = request_area_measures(council, on, network_team_only, maps)
    if row.figures is not None:
        return AreaReading(AreaFigures.from_json(row.figures), True, row.computed_at)
    # The last figures measured, while the present are worked out: only from maps every one of which is still shared
    # (a map whose sharing was withdrawn is never shown again, not even in figures measured before).
    shared = {state[0] for state in maps}
    for earlier in AreaMeasures.objects.filter(**audience, figures__isnull=False).order_by("-computed_at")[:AREA_KEPT]:
        figures = AreaFigures.from_json(earlier.figures or {})
        if set(figures.map_ids) <= shared:
            return AreaReading(figures, False, earlier.computed_at)
    return AreaReading(None, False)


def request_area_measures(council: Council, on: date, network_team_only: bool, maps: list[tuple[Any, ...]] | None = None) -> Any:
    """The measuring of the area as it stands (its shared maps' states, when already read), asked of the worker unless
    already done or under way."""
    from keepitlocal.connections.models import AreaMeasures

    fingerprint = _area_fingerprint(council, network_team_only, maps)
    row, created = AreaMeasures.objects.get_or_create(
        council=council, network_team_only=network_team_only, on=on, fingerprint=fingerprint
    )
    now = timezone.now()
    if created or (row.figures is None and row.requested_at < now - AREA_STALE):
        if not created:
            AreaMeasures.objects.filter(pk=row.pk).update(requested_at=now)
        enqueue(Job.MEASURE_AREA, row.pk)
        row.refresh_from_db()
    return row


def measure_area_now(measures_id: int) -> None:
    """The worker's part: the area measured, unless the maps changed since it was asked (the change asked again)."""
    from keepitlocal.connections.models import AreaMeasures

    row = AreaMeasures.objects.select_related("council").filter(pk=measures_id).first()
    if row is None or row.figures is not None:
        return
    if _area_fingerprint(row.council, row.network_team_only) != row.fingerprint:
        log.info("Area of %s changed before it was measured; the newer request measures it", row.council)
        return
    AreaMeasures.objects.filter(pk=row.pk).update(requested_at=timezone.now())  # started: not asked for again meanwhile
    found = area(row.council, row.on, row.network_team_only)
    AreaMeasures.objects.filter(pk=row.pk).update(figures=AreaFigures.of(found).to_json(), computed_at=timezone.now())
    audience = AreaMeasures.objects.filter(council=row.council, network_team_only=row.network_team_only)
    old = audience.order_by("-requested_at").values_list("pk", flat=True)[AREA_KEPT:]
    AreaMeasures.objects.filter(pk__in=list(old)).exclude(pk=row.pk).delete()


def _remeasure_areas_of(cmap: ConnectionMap, councils: Any = ()) -> None:
    """A map changed (or its sharing): the areas it is shared with are measured again for today, in the background."""
    today = timezone.localdate()
    for council in {*cmap.shared_with.all(), *councils}:
        for network_team_only in (False, True):
            request_area_measures(council, today, network_team_only)
