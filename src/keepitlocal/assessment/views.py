"""The principles assessment: the framework, public so that councils and partners can see it before a round."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from keepitlocal.accounts import access
from keepitlocal.assessment.engine.framework import CURRENT, FRAMEWORKS, LEVELS


@access.public
def framework(request: HttpRequest) -> HttpResponse:
    version = request.GET.get("version", CURRENT.version)
    if version not in FRAMEWORKS:
        raise Http404("No framework has that version")
    return render(
        request, "assessment/framework.html", {"framework": FRAMEWORKS[version], "levels": LEVELS, "versions": sorted(FRAMEWORKS)}
    )
