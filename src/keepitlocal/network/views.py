"""The network registry's pages for the people of a council or an organisation: the forms a council records its journey
with, an organisation's own details, and the events they take part in. Public pages are in public_views, the network
team's in network_views, and a council's public profile (it composes spend and value) in keepitlocal.pages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from keepitlocal.accounts import access
from keepitlocal.network import queries, services
from keepitlocal.network.engine.journey import Status
from keepitlocal.network.forms import (
    ChampionForm,
    ConversationForm,
    EndorsementForm,
    MembershipForm,
    OrganisationForm,
    StatusForm,
)
from keepitlocal.network.models import (
    Champion,
    CommunityConversation,
    Council,
    Endorsement,
    Event,
    Membership,
    Organisation,
)
from keepitlocal.web.forms import GovukModelForm, render_form


def _membership(council: Council) -> Membership:
    return get_object_or_404(Membership, council=council)


# A council's own pages -------------------------------------------------------------------------------


def _save_form(request: HttpRequest, form: GovukModelForm, council: Council, instance_setup: Any = None) -> Model | None:
    """Validate and save through the service; model errors land on the form, and nothing is half-saved."""
    if not form.is_valid():
        return None
    instance = form.save(commit=False)
    if instance_setup:
        instance_setup(instance)
    try:
        with transaction.atomic():
            saved = services.save_membership_record(instance, council, request.user, getattr(form, "save_m2m", None))
    except services.DuplicateMembershipError as error:
        form.add_error(None, str(error))
        return None
    except ValidationError as error:
        form.add_error(None, error)
        return None
    return saved


def _form_page(request: HttpRequest, template: str, form: Any, council: Council, **extra: Any) -> HttpResponse:
    return render_form(request, template, {"form": form, "council": council, **extra})


@access.council_edit
@require_http_methods(["GET", "POST"])
def membership_edit(request: HttpRequest, gss_code: str) -> HttpResponse:
    council = access.council_or_404(gss_code)
    membership = Membership.objects.filter(council=council).first()
    form = MembershipForm(request.POST if request.method == "POST" else None, instance=membership)
    if request.method == "POST":

        def setup(m: Membership) -> None:
            m.council = council

        if _save_form(request, form, council, setup if membership is None else None):
            messages.success(request, "Membership details saved")
            return redirect("network:dashboard", gss_code=council.gss_code)
    return _form_page(request, "network/membership_form.html", form, council, is_new=membership is None)


@access.council_edit
@require_http_methods(["GET", "POST"])
def status_edit(request: HttpRequest, gss_code: str) -> HttpResponse:
    council = access.council_or_404(gss_code)
    membership = _membership(council)
    journey = services.journey(membership)
    form = StatusForm(
        request.POST if request.method == "POST" else None, initial={"status": membership.status}, missing=journey.missing
    )
    if request.method == "POST" and form.is_valid():
        services.set_status(membership, Status(form.cleaned_data["status"]), request.user)
        messages.success(request, "Membership status saved")
        return redirect("network:dashboard", gss_code=council.gss_code)
    return _form_page(request, "network/status_form.html", form, council, journey=journey)


@access.council_edit
@require_http_methods(["GET", "POST"])
def endorsement_edit(request: HttpRequest, gss_code: str) -> HttpResponse:
    council = access.council_or_404(gss_code)
    membership = _membership(council)
    endorsement = Endorsement.objects.filter(membership=membership).first()
    principle_set = endorsement.principle_set if endorsement else queries.current_principles()
    form = EndorsementForm(
        request.POST if request.method == "POST" else None,
        instance=endorsement,
        initial={"is_draft": "True"} if endorsement is None else None,
    )
    if request.method == "POST":

        def setup(e: Endorsement) -> None:
            e.membership = membership
            if principle_set is not None:
                e.principle_set = principle_set

        if _save_form(request, form, council, setup):
            messages.success(request, "Endorsement saved")
            return redirect("network:dashboard", gss_code=council.gss_code)
    return _form_page(request, "network/endorsement_form.html", form, council, principle_set=principle_set)


@access.council_edit
@require_http_methods(["GET", "POST"])
def champion_add(request: HttpRequest, gss_code: str) -> HttpResponse:
    return _champion_form(request, access.council_or_404(gss_code), None)


@access.council_edit
@require_http_methods(["GET", "POST"])
def champion_edit(request: HttpRequest, gss_code: str, champion_id: int) -> HttpResponse:
    council = access.council_or_404(gss_code)
    champion = get_object_or_404(Champion, pk=champion_id, membership__council=council)
    return _champion_form(request, council, champion)


def _champion_form(request: HttpRequest, council: Council, champion: Champion | None) -> HttpResponse:
    return _evidence_form(
        request, council, ChampionForm, champion, "network/champion_form.html", "Champion saved", champion=champion
    )


def _evidence_form(
    request: HttpRequest,
    council: Council,
    form_class: type[GovukModelForm],
    instance: Model | None,
    template: str,
    saved: str,
    **context: Any,
) -> HttpResponse:
    """Add or change one piece of a membership's evidence (a champion, a conversation), audited."""
    membership = _membership(council)
    form = form_class(request.POST if request.method == "POST" else None, instance=instance)
    if request.method == "POST":

        def setup(record: Any) -> None:
            record.membership = membership

        if _save_form(request, form, council, setup):
            messages.success(request, saved)
            return redirect("network:dashboard", gss_code=council.gss_code)
    return _form_page(request, template, form, council, **context)


@access.council_edit
@require_http_methods(["GET", "POST"])
def conversation_add(request: HttpRequest, gss_code: str) -> HttpResponse:
    return _conversation_form(request, access.council_or_404(gss_code), None)


@access.council_edit
@require_http_methods(["GET", "POST"])
def conversation_edit(request: HttpRequest, gss_code: str, conversation_id: int) -> HttpResponse:
    council = access.council_or_404(gss_code)
    conversation = get_object_or_404(CommunityConversation, pk=conversation_id, membership__council=council)
    return _conversation_form(request, council, conversation)


def _conversation_form(request: HttpRequest, council: Council, conversation: CommunityConversation | None) -> HttpResponse:
    return _evidence_form(
        request,
        council,
        ConversationForm,
        conversation,
        "network/conversation_form.html",
        "Community conversation saved",
        conversation=conversation,
    )


# Organisations ------------------------------------------------------------------------------------


@access.organisation_edit
@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_object_or_404(Organisation, pk=pk)
    form = OrganisationForm(request.POST if request.method == "POST" else None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        services.save_organisation(form.save(commit=False), request.user)
        messages.success(request, "Organisation details saved")
        return redirect("connections:home", pk=organisation.pk)
    return render_form(request, "network/organisation_form.html", {"form": form, "organisation": organisation})


# Events -------------------------------------------------------------------------------------------


@access.signed_in
def events(request: HttpRequest) -> HttpResponse:
    visible = Event.objects.prefetch_related("councils")
    if not access.is_network_admin(request.user):
        visible = visible.filter(councils__in=access.event_councils_for(request.user)).distinct()
    return render(request, "network/events.html", {"events": visible, "is_admin": access.is_network_admin(request.user)})


@access.event_participant
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(Event.objects.prefetch_related("councils"), pk=pk)
    return render(request, "network/event_detail.html", {"event": event})
