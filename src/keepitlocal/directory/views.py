"""A council area's directory (public), each organisation's page, the ORUK export, and the import (council editors)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from keepitlocal.accounts import access
from keepitlocal.common.refused import Refused
from keepitlocal.directory import forms, queries, services
from keepitlocal.directory.models import CommunityAsset, DirectoryImport, DirectoryOrganisation
from keepitlocal.web.forms import render_form


@access.public
def area(request: HttpRequest, gss_code: str) -> HttpResponse:
    council = access.council_or_404(gss_code)
    found = queries.directory(council, request.GET)
    return render(
        request,
        "directory/area.html",
        {"council": council, "directory": found, "can_edit": access.can_edit_council(request.user, council)},
    )


@access.public
def organisation(request: HttpRequest, entry_id: str) -> HttpResponse:
    entry = get_object_or_404(DirectoryOrganisation.objects.select_related("council", "organisation"), pk=entry_id)
    return render(request, "directory/organisation.html", {"profile": queries.profile(entry), "council": entry.council})


@access.public
def export(request: HttpRequest, gss_code: str) -> HttpResponse:
    """The council's directory as an Open Referral UK 3.0 data package (with community assets as an extension)."""
    council = access.council_or_404(gss_code)
    response = HttpResponse(services.zipped(services.export_files(council)), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="directory-{council.gss_code}-oruk.zip"'
    return response


@access.council_edit
@require_http_methods(["GET", "POST"])
def import_feed(request: HttpRequest, gss_code: str) -> HttpResponse:
    council = access.council_or_404(gss_code)
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    problems: list[Any] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            run = services.import_package(council, upload.name, upload.read())
        except Refused as error:
            form.add_error("file", error.message)
            problems = error.problems
        else:
            messages.success(
                request, f"Feed imported: {run.created:,} rows added, {run.updated:,} changed, {run.unchanged:,} unchanged"
            )
            return redirect("directory:area", gss_code=council.gss_code)
    return render_form(
        request,
        "directory/import.html",
        {
            "form": form,
            "council": council,
            "problems": problems[:200],
            "runs": DirectoryImport.objects.filter(council=council)[:5],
        },
    )


def _asset_initial(asset: CommunityAsset) -> dict[str, Any]:
    address = asset.location.addresses.first() if asset.location else None
    initial: dict[str, Any] = {
        name: getattr(asset, name)
        for name in (
            "name",
            "asset_type",
            "owner",
            "tenure",
            "capacity",
            "acv_listed",
            "acv_listing_authority",
            "transferred",
            "lease_terms",
        )
    }
    for name in ("acv_listed_on", "acv_expires_on", "lease_start", "lease_end"):
        day = getattr(asset, name)
        initial[name] = [day.day, day.month, day.year] if day else None
    initial["organisation"] = asset.organisation_id
    initial["acv_listed"] = "yes" if asset.acv_listed else "no"
    initial["transferred"] = "yes" if asset.transferred else "no"
    if address is not None:
        initial |= {"address_1": address.address_1, "city": address.city, "postal_code": address.postal_code}
    return initial


@access.council_edit
@require_http_methods(["GET", "POST"])
def asset_edit(request: HttpRequest, gss_code: str, asset_id: str | None = None) -> HttpResponse:
    """Add a community asset to the council's directory, or change one it lists."""
    council = access.council_or_404(gss_code)
    asset = get_object_or_404(CommunityAsset, pk=asset_id, council=council) if asset_id else None
    form = forms.AssetForm(
        request.POST if request.method == "POST" else None,
        council=council,
        initial=_asset_initial(asset) if asset else {"acv_listing_authority": council.name},
    )
    if request.method == "POST" and form.is_valid():
        saved = services.save_asset(council, asset, form.cleaned_data)
        messages.success(request, f"{saved.name} {'changed' if asset else 'added to the directory'}")
        return redirect("directory:assets", gss_code=council.gss_code)
    return render_form(request, "directory/asset_form.html", {"form": form, "council": council, "asset": asset})


@access.council_view
def assets(request: HttpRequest, gss_code: str) -> HttpResponse:
    """The community assets the council's directory lists, with their listings and transfers."""
    council = access.council_or_404(gss_code)
    found = (
        CommunityAsset.objects.filter(council=council)
        .select_related("organisation", "location")
        .prefetch_related("location__addresses")
    )
    return render(
        request,
        "directory/assets.html",
        {"council": council, "assets": found, "can_edit": access.can_edit_council(request.user, council)},
    )
