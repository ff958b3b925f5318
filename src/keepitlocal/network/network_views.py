"""The network team's pages in the registry: adding events, and deciding on requests to join."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from keepitlocal.accounts import access
from keepitlocal.network import people, services
from keepitlocal.network.forms import EventForm
from keepitlocal.network.models import NetworkMember
from keepitlocal.web.forms import render_form


@access.network_admin
@require_http_methods(["GET", "POST"])
def event_add(request: HttpRequest) -> HttpResponse:
    form = EventForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        event = services.save_event(form.save(commit=False), request.user, form.save_m2m)
        messages.success(request, "Event saved")
        return redirect("network:event", pk=event.pk)
    return render_form(request, "network/event_form.html", {"form": form})


@access.network_admin
@require_POST
def join_request_decide(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(NetworkMember, pk=pk, state=NetworkMember.State.PENDING)
    if (decision := request.POST.get("decision", "")) not in set(people.Decision):
        messages.error(request, "Choose whether to accept or decline")
        return redirect("network:overview")
    try:
        people.decide_join_request(member, people.Decision(decision), request.user)
    except people.PeopleError as error:  # nothing half done: the request stays waiting, the council as it was
        messages.error(request, str(error))
        return redirect(reverse("network:overview") + "#join-requests")
    messages.success(request, f"{member.name}: {member.get_state_display().lower()}")
    return redirect(reverse("network:overview") + "#join-requests")
