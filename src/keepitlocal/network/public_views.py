"""The network's public pages: its principles, the member councils (listed and downloadable), and asking to join."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from keepitlocal.accounts import access, throttle
from keepitlocal.accounts.views import too_many
from keepitlocal.network import queries, services
from keepitlocal.network.forms import JoinForm
from keepitlocal.reports.downloads import download
from keepitlocal.web.forms import render_form


@access.public
def principles(request: HttpRequest) -> HttpResponse:
    return render(request, "network/principles.html", {"principle_set": queries.current_principles()})


@access.public
def members(request: HttpRequest) -> HttpResponseBase:
    region, cohort, stage = (request.GET.get(k, "") for k in ("region", "cohort", "stage"))
    memberships = queries.members(region, cohort, stage)
    fmt = request.GET.get("format")
    if fmt:
        return download(queries.members_table(memberships), fmt, "keep-it-local-member-councils")
    query = request.GET.copy()
    query.pop("format", None)
    return render(
        request,
        "network/members.html",
        {
            "memberships": memberships,
            "options": queries.filter_options(),
            "selected": {"region": region, "cohort": cohort, "stage": stage},
            "query": query.urlencode(),
            # Every other council in the register (in the region chosen): each has a profile, and can ask to join.
            "others": queries.not_members(region) if not (cohort or stage) else [],
        },
    )


@access.public
@require_http_methods(["GET", "POST"])
def join(request: HttpRequest) -> HttpResponse:
    # A council's profile links here for that council: the form starts with it chosen.
    asked = queries.current_council(request.GET.get("council", ""))
    initial = {"kind": "council", "home_council": asked.pk} if asked else {}
    form = JoinForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if refusal := throttle.attempt(throttle.Attempt.JOIN, request, form.cleaned_data.get("email", "")):
            return too_many(request, refusal, "ask to join")
        services.ask_to_join(form.save(commit=False))
        return redirect("network:join-done")
    return render_form(request, "network/join.html", {"form": form})


@access.public
def join_done(request: HttpRequest) -> HttpResponse:
    return render(request, "network/join_done.html")
