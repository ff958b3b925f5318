"""Tokens for the API. A token is sent as `Authorization: Bearer kil_...`; it carries its owner's roles, checked as the
pages check them. (Request limits are accounts.ratelimit's middleware, before any of this runs.)"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

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
        # The request limits looked the token up already (the same header); this asks for it, not the database again.
        return tokens.of_request(request)


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
