"""Headers on every response: signed-in responses are never stored by a cache (they hold councils' private records,
pages and downloads alike; public pages keep their ordinary caching), and a Content-Security-Policy and
Permissions-Policy limit what a page may load and use."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest
from django.utils.cache import add_never_cache_headers


class PrivateNoStoreMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        # A request with an API token is as private as a signed-in one, whatever the answer.
        if (signed_in or request.META.get("HTTP_AUTHORIZATION")) and not request.path.startswith("/static/"):
            add_never_cache_headers(response)  # Cache-Control: max-age=0, no-cache, no-store, must-revalidate, private
        return response


# Scripts and style elements only from this site or carrying the request's nonce (GOV.UK Frontend's one inline script
# has it); no inline event handlers, no plugins, no framing, forms post only here. Charts are inline SVG drawn with
# presentation attributes, not style attributes (reports.engine.charts), so even style attributes are refused.
POLICY = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' {styles}; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
# Third-party pages served from here (Django's admin, the API's Swagger UI) set style attributes from their own code.
THIRD_PARTY = ("/admin/", "/api/v1/docs")
PERMISSIONS = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        nonce = secrets.token_urlsafe(16)
        request.csp_nonce = nonce  # type: ignore[attr-defined]
        response = self.get_response(request)
        styles = "'unsafe-inline'" if request.path.startswith(THIRD_PARTY) else f"'nonce-{nonce}'"
        response.setdefault("Content-Security-Policy", POLICY.format(nonce=nonce, styles=styles))
        response.setdefault("Permissions-Policy", PERMISSIONS)
        return response


IDLE_KEY = "kil_last_seen"
STARTED_KEY = "kil_signed_in_at"  # sessions end SESSION_COOKIE_AGE after this, however busy (the cookie's own expiry slides)
IDLE_WRITE_EVERY = 5 * 60  # seconds: a session is written at most this often just to say it is in use


class SessionIdleTimeoutMiddleware:
    """Signs out a session idle for KIL_SESSION_IDLE_MINUTES, or older than SESSION_COOKIE_AGE. The time of last use is kept in the session but written
    only when it is a few minutes old, so that reading pages does not write to the database on every request (on the
    embedded SQLite every write waits for the one writer)."""

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last = request.session.get(IDLE_KEY)
            started = request.session.setdefault(STARTED_KEY, now)  # the first request after signing in
            idle = isinstance(last, int) and now - last > settings.KIL_SESSION_IDLE_MINUTES * 60
            if idle or now - int(started) > settings.SESSION_COOKIE_AGE:
                logout(request)
                messages.info(request, "You were signed out after a time without using the service. Sign in again."
                              if idle else "You were signed out: a session lasts 12 hours. Sign in again.")  # fmt: skip
            elif not isinstance(last, int) or now - last > IDLE_WRITE_EVERY:
                request.session[IDLE_KEY] = now
        return self.get_response(request)


class RequestIdMiddleware:
    """Names each request for the logs (keepitlocal.logs) and answers with the name in X-Request-ID, so that a person
    reporting a fault can quote it and the log lines of that request be found."""

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        from keepitlocal.logs import REQUEST_ID, request_id_from

        name = request_id_from(request.META.get("HTTP_X_REQUEST_ID"))
        token = REQUEST_ID.set(name)
        try:
            response = self.get_response(request)
        finally:
            REQUEST_ID.reset(token)
        response["X-Request-ID"] = name
        return response
