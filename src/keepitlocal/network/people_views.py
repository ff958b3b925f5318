"""The network team's pages for bringing councils aboard (every council in the register, added to the network with a
click) and for each council's people (invited, invited again, given another role, removed); and the page where an
invited person sets their password. Views by audience: these are apart from the council's own pages (views.py)."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from keepitlocal.accounts import access
from keepitlocal.accounts.forms import NewPasswordForm
from keepitlocal.accounts.models import User
from keepitlocal.network import people
from keepitlocal.network.forms import PEOPLE_ROLE_HINTS, InviteForm, RoleForm
from keepitlocal.network.models import Council
from keepitlocal.web.forms import render_form
from keepitlocal.web.paging import page_of

COUNCILS_PER_PAGE = 50


@access.network_admin
def councils(request: HttpRequest) -> HttpResponse:
    """Every council in the register (abolished ones left out), found by name or code, each either in the network
    (with its people) or to be added."""
    query = request.GET.get("q", "").strip()[:100]
    found = Council.objects.filter(successor_code="").select_related("membership").order_by("name")
    if query:
        found = found.filter(Q(name__icontains=query) | Q(gss_code__iexact=query))
    total = found.count()
    page, pages = page_of(request, total, COUNCILS_PER_PAGE)
    shown = found[(page - 1) * COUNCILS_PER_PAGE : page * COUNCILS_PER_PAGE]
    return render(
        request, "network/councils.html", {"councils": shown, "query": query, "page": page, "pages": pages, "total": total}
    )


@access.network_admin
@require_POST
def council_add(request: HttpRequest, gss_code: str) -> HttpResponse:
    council = access.council_or_404(gss_code)
    try:
        people.add_to_network(council, request.user)
    except people.PeopleError as error:
        messages.error(request, str(error))
        return redirect("network:councils")
    messages.success(request, f"{council.name} is in the network as a prospect. Invite its people below.")
    return redirect("network:people", gss_code=council.gss_code)


@access.network_admin
@require_http_methods(["GET", "POST"])
def council_people(request: HttpRequest, gss_code: str) -> HttpResponse:
    """A council's people, and the form to invite one more."""
    council = access.council_or_404(gss_code)
    form = InviteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            people.add_to_network(council, request.user)
            invitation = people.invite(
                council, form.cleaned_data["email"], form.cleaned_data["role"], request.user, form.cleaned_data["full_name"]
            )
        except people.PeopleError as error:
            form.add_error("email", str(error))
        else:
            address = form.cleaned_data["email"]
            done = (
                "sent a link to set their password" if invitation else "told them they can sign in (they already have a password)"
            )
            messages.success(request, f"Invited {address}: we {done}")
            return redirect("network:people", gss_code=council.gss_code)
    return render_form(
        request,
        "network/people.html",
        {
            "council": council,
            "membership": getattr(council, "membership", None),
            "people": people.people_of(council),
            "form": form,
            "hints": PEOPLE_ROLE_HINTS,
        },
    )


@access.network_admin
@require_POST
def person_action(request: HttpRequest, gss_code: str, user_id: int) -> HttpResponse:
    """Invite again, change the role, or remove one person (each audited)."""
    council = access.council_or_404(gss_code)
    user = get_object_or_404(User, pk=user_id)
    action = request.POST.get("action")
    try:
        if action == "reinvite":
            sent = people.invite_again(council, user, request.user)
            messages.success(
                request, f"Sent {user.email} " + ("a new link to set their password" if sent else "word that they can sign in")
            )
        elif action == "role":
            form = RoleForm(request.POST)
            if not form.is_valid():
                messages.error(request, "Select whether they will be an editor or a viewer")
            else:
                people.change_role(council, user, form.cleaned_data["role"], request.user)
                messages.success(
                    request, f"{user.email} is now {'an editor' if form.cleaned_data['role'] == 'council_editor' else 'a viewer'}"
                )
        elif action == "remove":
            people.remove(council, user, request.user)
            messages.success(request, f"{user.email} no longer works on {council.name} here")
        else:
            messages.error(request, "Choose what to do")
    except people.PeopleError as error:
        messages.error(request, str(error))
    return redirect(reverse("network:people", kwargs={"gss_code": council.gss_code}) + "#people")


@access.invitation_link
@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Where an invited person sets their password (the link works once)."""
    found, problem = people.invitation_for(token)
    if found is None:
        return render(request, "network/invitation_invalid.html", {"problem": problem}, status=400)
    form = NewPasswordForm(found.user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        people.accept(found, form.cleaned_data["password"])
        messages.success(request, "Your password is set. Sign in with your email address and your new password.")
        return redirect(
            reverse("accounts:sign-in") + f"?next={reverse('network:dashboard', kwargs={'gss_code': found.council.gss_code})}"
        )
    return render_form(request, "network/invitation.html", {"form": form, "invitation": found})
