"""The reconciliation service (W3C Reconciliation API 0.2, for OpenRefine and other tools), its documentation page,
and a page that reconciles an uploaded CSV of names. Everything here is public: it answers from public registers
and from names councils published; the upload page, which can hold 5,000 names, is for people signed in."""

from __future__ import annotations

import json
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from keepitlocal.accounts import access
from keepitlocal.common.orgid import OrgIdError, parse_org_id
from keepitlocal.directory.queries import directory_entry
from keepitlocal.reconcile import forms, services
from keepitlocal.reconcile.engine import w3c
from keepitlocal.reconcile.engine.matching import EntityType
from keepitlocal.web.forms import render_form

logger = logging.getLogger(__name__)


def _json(data: Any, status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"  # browser-based tools call it from other sites; all of it is public
    return response


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("reconcile:service")).rstrip("/")


def _param(request: HttpRequest, name: str) -> str:
    return request.POST.get(name) or request.GET.get(name) or ""


@access.public
@csrf_exempt  # a public, read-only service that tools POST batches to: no session, nothing changes
@require_http_methods(["GET", "POST"])
def service(request: HttpRequest) -> HttpResponse:
    """The manifest; or, with `queries`, a batch of reconciliation queries; or, with `extend`, data extension. Every
    request it cannot read is answered in JSON, as the tools calling it expect: 400 for malformed JSON, 413 for a body
    past the size or number of fields Django reads."""
    try:
        if queries := _param(request, "queries"):
            return _json(w3c.results(services.catalogue(), w3c.read_queries(queries)))
        if extend := _param(request, "extend"):
            ids, properties = w3c.read_extend(extend)
            return _json(w3c.extend(services.catalogue(), ids, properties, services.council_names()))
    except w3c.BadRequest as error:
        return _json({"code": "bad_request", "message": str(error)}, status=400)
    except (RequestDataTooBig, TooManyFieldsSent):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
        message = f"The request is too large: send at most {w3c.MOST_QUERIES} queries a batch, under {limit} MB."
        return _json({"code": "too_large", "message": message}, status=413)
    return _json(w3c.manifest(_base(request)))


@access.public
def suggest_entity(request: HttpRequest) -> HttpResponse:
    return _json(w3c.suggest(services.catalogue(), request.GET.get("prefix", "")))


@access.public
def propose_properties(request: HttpRequest) -> HttpResponse:
    return _json(w3c.propose_properties(request.GET.get("type", "")))


@access.public
def preview(request: HttpRequest) -> HttpResponse:
    # Always 200: the preview is shown in a tool's pop-up, where "no organisation with this identifier" is the answer.
    entity = services.catalogue().get(request.GET.get("id", ""))
    return render(request, "reconcile/preview.html", {"entity": entity})


@access.public
def view(request: HttpRequest, identifier: str) -> HttpResponse:
    """Where an identifier leads: a council's profile, the organisation's page in a directory, else its register's
    public page (all public: a tool's user follows these links)."""
    if EntityType.of_id(identifier) is EntityType.COUNCIL:
        return redirect("network:council", gss_code=identifier.upper())
    listed = directory_entry(identifier)
    if listed is not None:
        return redirect("directory:organisation", entry_id=listed)
    try:
        parsed = parse_org_id(identifier)
    except OrgIdError:
        return render(request, "reconcile/preview.html", {"entity": None}, status=404)
    return redirect(parsed.register_page or parsed.findthatcharity_page)


@access.signed_in
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    """Upload a CSV of names; get the same file back with org-ids, scores and evidence beside each name."""
    form = forms.UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            done = services.reconcile_csv(form.cleaned_data["file"], form.cleaned_data["column"])
        except ValueError as error:
            form.add_error("column" if "column" in str(error) else "file", str(error))
        else:
            uploaded = form.files.get("file")
            name = slugify(str(getattr(uploaded, "name", "")).rsplit(".", 1)[0]) or "names"
            response = HttpResponse(done.text, content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{name}-reconciled.csv"'
            return response
    return render_form(request, "reconcile/upload.html", {"form": form, "service_url": _base(request)})


@access.public
def docs(request: HttpRequest) -> HttpResponse:
    manifest = w3c.manifest(_base(request))
    return render(
        request,
        "reconcile/docs.html",
        {
            "service_url": _base(request),
            "types": list(EntityType),
            "properties": w3c.PROPERTIES,
            "extensions": w3c.EXTENSIONS,
            "example": json.dumps({"q0": {"query": "Age UK Calderdale", "type": "charity", "limit": 3}}),
            "manifest": manifest,
        },
    )
