"""An organisation's published summary of its connections: the public page it chose to share."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from keepitlocal.accounts import access
from keepitlocal.connections import services
from keepitlocal.connections.models import ConnectionMap
from keepitlocal.network.models import Organisation


@access.public
def published(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_object_or_404(Organisation, pk=pk)
    cmap = ConnectionMap.objects.filter(organisation=organisation, publish_summary=True).first()
    if cmap is None:
        raise Http404("This organisation has not published a summary of its map")
    elements, rows = services.aggregate(cmap, timezone.localdate())
    return render(request, "connections/published.html", {"organisation": organisation, "elements": elements, "rows": rows})
