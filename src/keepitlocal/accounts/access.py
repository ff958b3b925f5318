"""Who may see and change what. Every view declares one of these rules; nothing else grants access.

The rules (the route-access test checks each URL against them):
- public: anyone, signed in or not;
- invitation_link: anyone holding a valid assessment invitation link (the token is the credential);
- signed_in: any signed-in person;
- council_view: that council's editors and viewers, and network admins;
- council_edit: that council's editors, and network admins;
- organisation_edit: that organisation's editors, and network admins;
- map_view: an organisation's editors; network admins only when the organisation shares its map with the network;
- map_edit: an organisation's editors only (a relationship map is the organisation's own record);
- confirmation_link: anyone holding a valid link to confirm a connection (the token is the credential);
- event_participant: users of a council taking part in the event, people of the community organisations in such a
  council's area, and network admins;
- network_admin: the network team only.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import get_object_or_404

from keepitlocal.accounts.models import Role, User
from keepitlocal.network.models import Council, Event, Organisation

View = TypeVar("View", bound=Callable[..., HttpResponseBase])

RULES = (
    "public",
    "invitation_link",
    "signed_in",
    "council_view",
    "council_edit",
    "organisation_edit",
    "map_view",
    "map_edit",
    "confirmation_link",
    "event_participant",
    "network_admin",
)


def _user(request: HttpRequest) -> User | None:
    user = request.user
    return user if user.is_authenticated and isinstance(user, User) and user.is_active else None


def is_network_admin(user: Any) -> bool:
    return isinstance(user, User) and user.is_authenticated and user.is_network_admin


def council_roles(user: Any, council: Council) -> set[str]:
    if not isinstance(user, User) or not user.is_authenticated:
        return set()
    return set(Role.objects.filter(user=user, council=council).values_list("kind", flat=True))


def can_view_council(user: Any, council: Council) -> bool:
    return is_network_admin(user) or bool(council_roles(user, council))


def can_edit_council(user: Any, council: Council) -> bool:
    return is_network_admin(user) or Role.Kind.COUNCIL_EDITOR in council_roles(user, council)


def can_edit_organisation(user: Any, organisation: Organisation) -> bool:
    if is_network_admin(user):
        return True
    return (
        isinstance(user, User)
        and Role.objects.filter(user=user, organisation=organisation, kind=Role.Kind.ORGANISATION_EDITOR).exists()
    )


def is_organisation_editor(user: Any, organisation: Organisation) -> bool:
    return (
        isinstance(user, User)
        and user.is_authenticated
        and Role.objects.filter(user=user, organisation=organisation, kind=Role.Kind.ORGANISATION_EDITOR).exists()
    )


def can_view_map(user: Any, organisation: Organisation) -> bool:
    """An organisation's relationship map is its own: its editors see it; the network team only if it is shared."""
    if is_organisation_editor(user, organisation):
        return True
    return (
        is_network_admin(user)
        and organisation.__class__.objects.filter(pk=organisation.pk, connection_map__share_with_network=True).exists()
    )


def councils_for(user: Any) -> QuerySet[Council]:
    """The councils whose private records this person may see."""
    if is_network_admin(user):
        return Council.objects.filter(membership__isnull=False)
    if not isinstance(user, User):
        return Council.objects.none()
    return Council.objects.filter(roles__user=user).distinct()


def organisations_for(user: Any) -> QuerySet[Organisation]:
    if is_network_admin(user):
        return Organisation.objects.all()
    if not isinstance(user, User):
        return Organisation.objects.none()
    return Organisation.objects.filter(roles__user=user, roles__kind=Role.Kind.ORGANISATION_EDITOR).distinct()


def event_councils_for(user: Any) -> QuerySet[Council]:
    """The councils whose events this person may join: those of their roles, and the home councils of the community
    organisations they act for (an organisation's home lists its council's events as ones it can join)."""
    homes = organisations_for(user).exclude(home_council__isnull=True).values("home_council")
    return Council.objects.filter(Q(pk__in=councils_for(user).values("pk")) | Q(pk__in=homes))


def can_see_event(user: Any, event: Event) -> bool:
    return is_network_admin(user) or event.councils.filter(pk__in=event_councils_for(user)).exists()


def _mark(view: View, rule: str) -> View:
    view.access_rule = rule  # type: ignore[attr-defined]
    return view


def public(view: View) -> View:
    return _mark(view, "public")


def invitation_link(view: View) -> View:
    """Open to whoever holds the link: the view itself checks the invitation token (valid, unexpired, unused)."""
    return _mark(view, "invitation_link")


def confirmation_link(view: View) -> View:
    """Open to whoever holds the link: the view itself checks the token (valid, unexpired, unanswered)."""
    return _mark(view, "confirmation_link")


def _guard(rule: str, allowed: Callable[[HttpRequest, dict[str, Any]], bool]) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if _user(request) is None:
                return redirect_to_login(request.get_full_path())
            if not allowed(request, kwargs):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return _mark(cast(View, wrapped), rule)

    return decorator


def council_or_404(gss_code: str) -> Council:
    """The council a URL names by its GSS code, in either case."""
    return get_object_or_404(Council, gss_code=gss_code.upper())


signed_in = _guard("signed_in", lambda request, kwargs: True)
network_admin = _guard("network_admin", lambda request, kwargs: is_network_admin(request.user))
council_view = _guard("council_view", lambda request, kwargs: can_view_council(request.user, council_or_404(kwargs["gss_code"])))
council_edit = _guard("council_edit", lambda request, kwargs: can_edit_council(request.user, council_or_404(kwargs["gss_code"])))
organisation_edit = _guard(
    "organisation_edit",
    lambda request, kwargs: can_edit_organisation(request.user, get_object_or_404(Organisation, pk=kwargs["pk"])),
)
map_view = _guard(
    "map_view", lambda request, kwargs: can_view_map(request.user, get_object_or_404(Organisation, pk=kwargs["pk"]))
)
map_edit = _guard(
    "map_edit",
    lambda request, kwargs: is_organisation_editor(request.user, get_object_or_404(Organisation, pk=kwargs["pk"])),
)
event_participant = _guard(
    "event_participant", lambda request, kwargs: can_see_event(request.user, get_object_or_404(Event, pk=kwargs["pk"]))
)
