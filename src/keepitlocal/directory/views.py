"""A council area's directory (public), each organisation's page, the ORUK export, and the import (council editors)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from keepitlocal.accounts import access
from keepitlocal.directory import forms, queries, services
from keepitlocal.directory.models import DirectoryImport, DirectoryOrganisation
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
    problems: list[services.oruk.Problem] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            run = services.import_package(council, upload.name, upload.read())
        except services.Refused as error:
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
