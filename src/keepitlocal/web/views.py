"""The home page, a signed-in person's dashboard, the glossary, the accessibility statement and error pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from keepitlocal.accounts import access
from keepitlocal.network.models import Membership
from keepitlocal.network.queries import current_principles, join_requests_waiting
from keepitlocal.web.glossary import Term


@access.public
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/home.html",
        {"principle_set": current_principles(), "member_count": Membership.objects.exclude(stage="left").count()},
    )


@access.public
def glossary(request: HttpRequest) -> HttpResponse:
    return render(request, "web/glossary.html", {"terms": list(Term)})


@access.public
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "web/accessibility.html")


@access.public
def open_data(request: HttpRequest) -> HttpResponse:
    """/api/ and /api/docs/, where people look first: the open data API's own documentation."""
    return redirect("/api/v1/docs")


@access.signed_in
def dashboard(request: HttpRequest) -> HttpResponse:
    councils = list(access.councils_for(request.user).select_related("membership"))
    organisations = list(access.organisations_for(request.user))
    if len(councils) == 1 and not organisations and not access.is_network_admin(request.user):
        return redirect("network:dashboard", gss_code=councils[0].gss_code)
    if len(organisations) == 1 and not councils and not access.is_network_admin(request.user):
        return redirect("connections:home", pk=organisations[0].pk)
    waiting = join_requests_waiting() if access.is_network_admin(request.user) else 0
    return render(request, "web/dashboard.html", {"councils": councils, "organisations": organisations, "waiting": waiting})


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """A fault of ours, or the database busy (the write lock not free in time): that is 503 with Retry-After, as JSON
    where the caller is a program (the API and reconciliation service)."""
    import sys

    from keepitlocal.database import BUSY_MESSAGE, RETRY_AFTER, busy

    if busy(sys.exc_info()[1]):
        if request.path.startswith(("/api/", "/reconcile")):
            response: HttpResponse = JsonResponse({"code": "busy", "message": BUSY_MESSAGE}, status=503)
        else:
            response = render(request, "503.html", {"message": BUSY_MESSAGE}, status=503)
        response["Retry-After"] = str(RETRY_AFTER)
        return response
    return render(request, "500.html", status=500)
