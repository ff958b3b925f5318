"""Request limits for the API and the reconciliation service: each minute, a number of requests per address, or per
API token for requests that carry a valid one (a wrong token counts against its address, so random tokens buy
nothing). Counts are rows updated atomically in the database, shared by every process; windows are whole periods
(minutes here; accounts.throttle counts sign-ins and forms over longer ones in the same table)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse, JsonResponse

from keepitlocal.accounts import tokens
from keepitlocal.accounts.models import RateCount

LIMITED = ("/api/", "/reconcile")
PERIOD = 60


def now() -> float:
    return time.time()


def window_end(moment: float, period: int) -> int:
    """The end (seconds since the epoch) of the window of `period` seconds that holds `moment`."""
    return (int(moment // period) + 1) * period


def hit(key: str, window: int) -> int:
    """Counts one request for the key in the window ending at `window` (seconds since the epoch) and returns the count
    so far. The increment and the read are one transaction, so of N simultaneous requests exactly one sees each
    count: no burst gets past a limit."""
    with transaction.atomic():
        if not RateCount.objects.filter(key=key, window=window).update(count=F("count") + 1):
            try:
                with transaction.atomic():
                    RateCount.objects.create(key=key, window=window, count=1)
                # Once a window per key: drop the counts of windows that have ended.
                RateCount.objects.filter(window__lt=int(now())).delete()
                return 1
            except IntegrityError:  # another request made the row first
                RateCount.objects.filter(key=key, window=window).update(count=F("count") + 1)
        return int(RateCount.objects.filter(key=key, window=window).values_list("count", flat=True).get())


def client_address(request: HttpRequest) -> str:
    """The caller's address: REMOTE_ADDR, or behind KIL_PROXY_COUNT trusted proxies the address the outermost of them
    saw (the last entries of X-Forwarded-For are theirs; earlier ones can be forged by the caller)."""
    proxies = int(getattr(settings, "KIL_PROXY_COUNT", 0))
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if proxies and len(forwarded) >= proxies:
        return str(forwarded[-proxies])
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def limit_for(request: HttpRequest) -> tuple[str, int]:
    token = tokens.of_request(request)
    if token is not None:
        return f"token:{token.pk}", int(settings.KIL_API_RATE_PER_TOKEN)
    return f"address:{client_address(request)}"[:100], int(settings.KIL_API_RATE_PER_ADDRESS)


class RateLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        if request.path.startswith(LIMITED):
            key, limit = limit_for(request)
            moment = now()
            if hit(key, window_end(moment, PERIOD)) > limit:
                return refused(PERIOD - moment % PERIOD)
        return self.get_response(request)


def refused(wait: float) -> HttpResponse:
    response = JsonResponse(
        {"code": "rate_limited", "message": "Too many requests: wait for the number of seconds in Retry-After."}, status=429
    )
    response["Retry-After"] = str(max(1, int(wait + 0.999)))
    response["Access-Control-Allow-Origin"] = "*"
    return response
