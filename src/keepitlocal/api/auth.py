"""Tokens and rate limits for the API. A token is sent as `Authorization: Bearer kil_...`; it carries its owner's
roles, checked as the pages check them. Every request counts against its address, and a request with a token
against the token too: over the limit it is answered 429 with Retry-After."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest
from ninja.security import HttpBearer
from ninja.throttling import BaseThrottle

from keepitlocal.accounts import tokens
from keepitlocal.accounts.models import ApiToken


class Anonymous:
    """A request with no token: let through to public endpoints (a falsy answer would refuse it)."""

    user = None

    def __bool__(self) -> bool:
        return True


ANONYMOUS = Anonymous()


class TokenAuth(HttpBearer):
    """A token is required."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        return tokens.authenticate(token.strip())


class OptionalTokenAuth(TokenAuth):
    """Public endpoints: no token is fine; a token that is wrong, expired or revoked is refused, so that a script
    with a bad token learns it at once rather than silently getting only public data."""

    def __call__(self, request: HttpRequest) -> Any:
        if not request.headers.get(self.header):
            return ANONYMOUS
        return super().__call__(request)


def user_of(request: HttpRequest) -> Any:
    """The token's owner, or None without a token."""
    auth = getattr(request, "auth", None)
    return auth.user if isinstance(auth, ApiToken) else None


class WindowThrottle(BaseThrottle):
    """At most `limit` requests a minute per key, counted in the shared 'api' cache (one count for every process),
    in fixed one-minute windows. The limit is read from settings on each request."""

    setting = ""
    period = 60

    def key(self, request: HttpRequest) -> str | None:
        raise NotImplementedError

    def allow_request(self, request: HttpRequest) -> bool:
        key = self.key(request)
        if key is None:
            return True
        now = time.time()
        window = int(now // self.period)
        name = f"api-rate:{self.setting}:{key}:{window}"
        cache = caches["api"]
        cache.add(name, 0, timeout=self.period * 2)
        try:
            count = cache.incr(name)
        except ValueError:  # expired between add and incr
            cache.set(name, 1, timeout=self.period * 2)
            count = 1
        return count <= int(getattr(settings, self.setting))

    def wait(self) -> float | None:
        # Until the window ends: worked out again, not kept, as one throttle object serves every thread.
        return self.period - time.time() % self.period


class AddressThrottle(WindowThrottle):
    setting = "KIL_API_RATE_PER_ADDRESS"

    def key(self, request: HttpRequest) -> str | None:
        return str(request.META.get("REMOTE_ADDR") or "unknown")


class TokenThrottle(WindowThrottle):
    setting = "KIL_API_RATE_PER_TOKEN"

    def key(self, request: HttpRequest) -> str | None:
        auth = getattr(request, "auth", None)
        return str(auth.pk) if isinstance(auth, ApiToken) else None
