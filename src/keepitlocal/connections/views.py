"""Pages for relationship maps for the people of an organisation or a council: an organisation's home, its map and
measures, recording and importing, asking the other side to confirm, sharing; a council's view of its area. The page
the other side answers through its link is in respond_views, an organisation's published summary in public_views."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from keepitlocal.accounts import access
from keepitlocal.accounts.email import site_url
from keepitlocal.common.refused import Refused
from keepitlocal.connections import forms, services
from keepitlocal.connections.engine import outputs, picture
from keepitlocal.connections.engine.problems import ImportRejected
from keepitlocal.connections.engine.sentences import findings
from keepitlocal.connections.models import ConnectionMap, MapConnection, MapElement
from keepitlocal.network.models import Event, Organisation
from keepitlocal.reports.downloads import download as table_download
from keepitlocal.reports.engine.tables import Column, Table
from keepitlocal.value import services as value_services
from keepitlocal.web.forms import render_form, render_refused


def _organisation(pk: int) -> tuple[Organisation, ConnectionMap]:
    organisation = get_object_or_404(Organisation, pk=pk)
    return organisation, services.map_for(organisation)


def _day(request: HttpRequest, name: str) -> date | None:
    text = request.GET.get(name, "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _refused(request: HttpRequest, error: Refused, status: int = 400) -> HttpResponse:
    return render_refused(request, error, status)


# The organisation's home -----------------------------------------------------------------------------------------


@access.organisation_edit
def home(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_object_or_404(Organisation, pk=pk)
    can_map = access.can_view_map(request.user, organisation)
    own = None
    if can_map:
        cmap = services.map_for(organisation)
        shot = services.snapshot(cmap, timezone.localdate())
        me = services.self_element(cmap)
        own = {
            "map": cmap,
            "summary": shot.measures.summary,
            "findings": findings(shot.measures.of(me.key), shot.measures.summary)[:3],
        }
    events = []
    if organisation.home_council_id:
        events = list(
            Event.objects.filter(councils=organisation.home_council_id, held_on__gte=timezone.localdate()).order_by("held_on")[:5]
        )
    return render(
        request,
        "connections/home.html",
        {
            "organisation": organisation,
            "own": own,
            "can_map": can_map,
            "can_edit": access.is_organisation_editor(request.user, organisation),
            "events": events,
            "paid": services.paid_to(organisation),
            "grants": value_services.grants_received(organisation.org_id or ""),
            "value_contexts": list(organisation.value_contexts.select_related("case__council")),
        },
    )


# The map -----------------------------------------------------------------------------------------------------------


def _description(measures: Any, label: str) -> str:
    s = measures.summary
    row = measures.of(label)
    groups = ", ".join(f"{n} {g.lower()}" for g, n in sorted(row.by_group.items(), key=lambda i: -i[1]))
    return (
        f"{label} at the centre with its {s.elements - 1} other elements grouped by sector around it "
        f"({groups or 'none connected yet'}); {s.connections} current connections, {s.confirmed} confirmed by both sides. "
        "The tables on this page give the same facts."
    )


@access.map_view
def map_page(request: HttpRequest, pk: int) -> HttpResponse:
    organisation, cmap = _organisation(pk)
    today = timezone.localdate()
    on = _day(request, "on") or today
    then = _day(request, "then")
    me = services.self_element(cmap)
    comparison = services.compare(cmap, then, on) if then else None
    shot = comparison.now if comparison else services.snapshot(cmap, on)
    measures = shot.measures
    mine = measures.of(me.key)
    current = shot.network.at(on)
    svg = picture.svg(
        current,
        me.key,
        f"Map of {organisation.name} on {on:%-d %B %Y}",
        _description(measures, me.label),
    )
    by_key = current.by_key()
    by_sector: dict[str, dict[str, int]] = {}
    for c in current.connections:
        kind = c.kind.label if c.kind else (c.type or "Not stated")
        source, target = c.ends
        other = target if source == me.key else source if target == me.key else None
        group = by_key[other].group if other else "Between other elements"
        by_sector.setdefault(group, {})
        by_sector[group][kind] = by_sector[group].get(kind, 0) + 1
    kinds = sorted({k for row in by_sector.values() for k in row})
    return render(
        request,
        "connections/map.html",
        {
            "organisation": organisation,
            "map": cmap,
            "me": me,
            "on": on,
            "then": then,
            "today": today,
            "summary": measures.summary,
            "findings": findings(mine, measures.summary),
            "then_findings": findings(comparison.then.measures.of(me.key), comparison.then.measures.summary)
            if comparison
            else [],
            "comparison": comparison,
            "svg": svg,
            "ids": dict(cmap.elements.values_list("key", "pk")),
            "recorded": len(shot.network.connections),
            "by_sector": by_sector,
            "kinds": kinds,
            "can_edit": access.is_organisation_editor(request.user, organisation),
            "exports": services.EXPORTS,
            "measures": sorted(measures.elements, key=lambda r: (-r.betweenness, r.label.casefold()))[:TOP],
            "element_count": len(measures.elements),
        },
    )


TOP = 25
PER_PAGE = 50


@access.map_view
def connection_list(request: HttpRequest, pk: int) -> HttpResponse:
    """Every connection recorded on the map, a page at a time, with who confirmed it."""
    organisation, cmap = _organisation(pk)
    everything = cmap.connections.select_related("source", "target", "introduced_by")
    total = everything.count()
    pages = max(1, -(-total // PER_PAGE))
    try:
        page = min(max(1, int(request.GET.get("page", "1"))), pages)
    except ValueError:
        page = 1
    shown = list(everything[(page - 1) * PER_PAGE : page * PER_PAGE].prefetch_related("confirmations"))
    return render(
        request,
        "connections/connection_list.html",
        {
            "organisation": organisation,
            "map": cmap,
            "connections": shown,
            "total": total,
            "page": page,
            "pages": pages,
            "first": (page - 1) * PER_PAGE + 1,
            "can_edit": access.is_organisation_editor(request.user, organisation),
        },
    )


@access.map_view
def download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse | StreamingHttpResponse:
    organisation, cmap = _organisation(pk)
    if fmt in services.EXPORTS:
        content_type, _ = services.EXPORTS[fmt]
        response = HttpResponse(services.export(cmap, fmt), content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="map-{organisation.pk}.{fmt}"'
        return response
    if fmt.startswith("measures-"):
        measures = services.snapshot(cmap, _day(request, "on") or timezone.localdate()).measures
        columns = [Column(c, c.replace("_", " ").capitalize()) for c in outputs.MEASURE_COLUMNS]
        table = Table(f"Measures of {organisation.name}", columns, outputs.measure_rows(measures))
        return table_download(table, fmt.removeprefix("measures-"), f"measures {organisation.name}")
    raise Http404("No such download")


# Recording ---------------------------------------------------------------------------------------------------------


@access.map_edit
@require_http_methods(["GET", "POST"])
def element_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _element_form(request, pk, None)


@access.map_edit
@require_http_methods(["GET", "POST"])
def element_edit(request: HttpRequest, pk: int, element_id: int) -> HttpResponse:
    return _element_form(request, pk, element_id)


def _element_form(request: HttpRequest, pk: int, element_id: int | None) -> HttpResponse:
    organisation, cmap = _organisation(pk)
    element = get_object_or_404(MapElement, pk=element_id, map=cmap) if element_id else None
    initial = {k: getattr(element, k) for k in ("label", "sector", "type", "org_id", "place", "description")} if element else None
    form = forms.ElementForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_element(cmap, element, form.cleaned_data, request.user)
        except Refused as error:
            form.add_error("label", error.message)
        else:
            messages.success(request, f"{saved.label} {'saved' if element else 'added to your map'}")
            return redirect("connections:map", pk=pk)
    return render_form(request, "connections/element_form.html", {"form": form, "organisation": organisation, "element": element})


@access.map_edit
@require_POST
def element_remove(request: HttpRequest, pk: int, element_id: int) -> HttpResponse:
    _, cmap = _organisation(pk)
    element = get_object_or_404(MapElement, pk=element_id, map=cmap)
    try:
        services.delete_element(element)
    except Refused as error:
        return _refused(request, error)
    messages.success(request, f"{element.label} and its connections removed from your map")
    return redirect("connections:map", pk=pk)


@access.map_edit
@require_http_methods(["GET", "POST"])
def connection_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _connection_form(request, pk, None)


@access.map_edit
@require_http_methods(["GET", "POST"])
def connection_edit(request: HttpRequest, pk: int, connection_id: int) -> HttpResponse:
    return _connection_form(request, pk, connection_id)


def _connection_form(request: HttpRequest, pk: int, connection_id: int | None) -> HttpResponse:
    organisation, cmap = _organisation(pk)
    connection = get_object_or_404(MapConnection, pk=connection_id, map=cmap) if connection_id else None
    if connection:
        initial: dict[str, Any] = {
            "source": connection.source_id,
            "target": connection.target_id,
            "kind": connection.kind,
            "direction": connection.direction,
            "strength": "" if connection.strength is None else f"{connection.strength:g}",
            "since": connection.since,
            "until": connection.until,
            "introduced_by": connection.introduced_by_id,
            "evidence": connection.evidence,
        }
    else:
        initial = {"source": services.self_element(cmap).pk, "direction": "directed"}
    form = forms.ConnectionForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        cmap=cmap,
        free_type=connection.type if connection and not connection.kind else "",
        strength=connection.strength if connection else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.save_connection(cmap, connection, form.cleaned_data, request.user)
        except Refused as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Connection saved" if connection else "Connection added to your map")
            return redirect("connections:map", pk=pk)
    return render_form(
        request, "connections/connection_form.html", {"form": form, "organisation": organisation, "connection": connection}
    )


@access.map_edit
@require_POST
def connection_remove(request: HttpRequest, pk: int, connection_id: int) -> HttpResponse:
    _, cmap = _organisation(pk)
    connection = get_object_or_404(MapConnection, pk=connection_id, map=cmap)
    services.delete_connection(connection)
    messages.success(request, "Connection removed from your map")
    return redirect("connections:map", pk=pk)


@access.map_edit
@require_http_methods(["GET", "POST"])
def ask(request: HttpRequest, pk: int, connection_id: int) -> HttpResponse:
    organisation, cmap = _organisation(pk)
    connection = get_object_or_404(MapConnection.objects.select_related("source", "target"), pk=connection_id, map=cmap)
    form = forms.AskForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_confirmation(connection, form.cleaned_data["email"], request.user, site_url())
        except Refused as error:
            form.add_error("email", error.message)
        else:
            messages.success(request, f"We have emailed {form.cleaned_data['email']} a link to confirm the connection")
            return redirect("connections:map", pk=pk)
    return render_form(request, "connections/ask.html", {"form": form, "organisation": organisation, "connection": connection})


@access.map_edit
@require_http_methods(["GET", "POST"])
def import_map(request: HttpRequest, pk: int) -> HttpResponse:
    organisation, cmap = _organisation(pk)
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            network = services.read_upload(cmap, upload.name, upload.read())
            outcome = services.import_network(cmap, network, request.user)
        except ImportRejected as rejected:
            problems = rejected.problems
            form.add_error(
                "file", f"The file has {len(problems)} problem{'s' if len(problems) != 1 else ''}: nothing was imported"
            )
        else:
            messages.success(
                request,
                f"Imported: {outcome.elements_added} elements added, {outcome.elements_updated} updated; "
                f"{outcome.connections_added} connections added, {outcome.connections_updated} updated; "
                f"{outcome.unchanged} unchanged",
            )
            return redirect("connections:map", pk=pk)
    return render_form(
        request,
        "connections/import.html",
        {"form": form, "organisation": organisation, "problems": problems[:200], "total": len(problems)},
    )


@access.map_edit
@require_http_methods(["GET", "POST"])
def sharing(request: HttpRequest, pk: int) -> HttpResponse:
    organisation, cmap = _organisation(pk)
    initial = {
        "councils": list(cmap.shared_with.values_list("pk", flat=True)),
        "network": "yes" if cmap.share_with_network else "no",
        "publish": "yes" if cmap.publish_summary else "no",
    }
    form = forms.SharingForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.save_sharing(cmap, list(data["councils"]), data["network"], data["publish"])
        messages.success(request, "Sharing saved")
        return redirect("connections:map", pk=pk)
    return render_form(request, "connections/sharing.html", {"form": form, "organisation": organisation, "map": cmap})


# A council's area --------------------------------------------------------------------------------------------------


@access.council_view
def area(request: HttpRequest, gss_code: str) -> HttpResponse:
    council = access.council_or_404(gss_code)
    # The area as it stands today (measured in the background once per change; a past day is each map's own page's).
    on = timezone.localdate()
    # A map shared with a council is for the council's own users; the network team sees it only if shared with them.
    found = services.area_figures(council, on, network_team_only=not access.council_roles(request.user, council))
    return render(request, "connections/area.html", {"council": council, "reading": found, "area": found.figures, "on": on})
