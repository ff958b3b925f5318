"""Pages of the network registry: public listings and profiles, and the forms councils use to record their journey."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from keepitlocal.accounts import access, throttle
from keepitlocal.accounts.views import too_many
from keepitlocal.network import people, queries, services
from keepitlocal.network.engine.journey import JOURNEY, Status
from keepitlocal.network.forms import (
    ChampionForm,
    ConversationForm,
    EndorsementForm,
    EventForm,
    JoinForm,
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
    NetworkMember,
    Organisation,
)
from keepitlocal.reports.downloads import download
from keepitlocal.web.forms import GovukModelForm, render_form


def _membership(council: Council) -> Membership:
    return get_object_or_404(Membership, council=council)


# Public pages --------------------------------------------------------------------------------------


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
def council_profile(request: HttpRequest, gss_code: str) -> HttpResponse:
    council = access.council_or_404(gss_code)
    membership = Membership.objects.filter(council=council).select_related("cohort").first()
    from keepitlocal.spend.models import SpendPublication
    from keepitlocal.value import services as value_services

    publication = SpendPublication.objects.filter(council=council).select_related("run").first()
    context: dict[str, Any] = {
        "council": council,
        "membership": membership,
        "can_view_private": access.can_view_council(request.user, council),
        "spend": publication.figures() if publication else None,
        "value_cases": value_services.published_cases(council),
    }
    if membership is not None:
        endorsement = getattr(membership, "endorsement", None)
        context.update(
            endorsement=endorsement if endorsement is not None and not endorsement.is_draft else None,
            champions=services.current_champions(membership),
            journey=services.journey(membership),
            steps=JOURNEY,
        )
    return render(request, "network/council_profile.html", context)


@access.public
@require_http_methods(["GET", "POST"])
def join(request: HttpRequest) -> HttpResponse:
    form = JoinForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if refusal := throttle.attempt(throttle.Attempt.JOIN, request, form.cleaned_data.get("email", "")):
            return too_many(request, refusal, "ask to join")
        services.ask_to_join(form.save(commit=False))
        return redirect("network:join-done")
    return render_form(request, "network/join.html", {"form": form})


@access.public
def join_done(request: HttpRequest) -> HttpResponse:
    return render(request, "network/join_done.html")


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
        visible = visible.filter(councils__in=access.councils_for(request.user)).distinct()
    return render(request, "network/events.html", {"events": visible, "is_admin": access.is_network_admin(request.user)})


@access.event_participant
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(Event.objects.prefetch_related("councils"), pk=pk)
    return render(request, "network/event_detail.html", {"event": event})


@access.network_admin
@require_http_methods(["GET", "POST"])
def event_add(request: HttpRequest) -> HttpResponse:
    form = EventForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        event = services.save_event(form.save(commit=False), request.user, form.save_m2m)
        messages.success(request, "Event saved")
        return redirect("network:event", pk=event.pk)
    return render_form(request, "network/event_form.html", {"form": form})


# The network team's view --------------------------------------------------------------------------


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
