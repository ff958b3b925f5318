"""API tokens: created and revoked by their owners, checked on every API request. Only a SHA-256 hash of a token is
stored (a token is 256 random bits, so a slow hash adds nothing); the token itself is shown once, when created."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from keepitlocal.accounts.models import ApiToken, Role, User

PREFIX = "kil_"
LIFETIMES = {30: "30 days", 90: "90 days", 365: "1 year"}
MOST_ACTIVE = 20  # per person: enough for every script they run, few enough to keep track of
TOUCH_EVERY = timedelta(minutes=1)  # "last used" is written at most this often, not on every request


class TokenRefused(Exception):
    pass


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def can_hold_tokens(user: Any) -> bool:
    """Council editors and network admins: the people whose data the API's private endpoints serve."""
    return (
        isinstance(user, User)
        and user.is_active
        and user.roles.filter(kind__in=[Role.Kind.NETWORK_ADMIN, Role.Kind.COUNCIL_EDITOR]).exists()
    )


def create_token(user: User, name: str, days: int) -> tuple[ApiToken, str]:
    """A new token and its text, which is never stored and cannot be shown again."""
    if not can_hold_tokens(user):
        raise TokenRefused("Only council editors and network admins can create API tokens.")
    if days not in LIFETIMES:
        raise TokenRefused("Choose how long the token lasts.")
    with transaction.atomic():
        active = ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True, expires_at__gt=timezone.now())
        if active.count() >= MOST_ACTIVE:
            raise TokenRefused(f"You have {MOST_ACTIVE} tokens in use: revoke one you no longer need first.")
        text = PREFIX + secrets.token_urlsafe(32)
        token = ApiToken.objects.create(
            user=user,
            name=" ".join(name.split())[:100],
            prefix=text[:12],
            token_hash=_hash(text),
            expires_at=timezone.now() + timedelta(days=days),
        )
    return token, text


def revoke_token(user: User, token_id: int) -> ApiToken | None:
    """Revokes one of the person's own tokens (None: not theirs, or already revoked)."""
    token = ApiToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).first()
    if token is not None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def authenticate(text: str) -> ApiToken | None:
    """The active token with this text, its owner still able to hold one; None otherwise."""
    if not text.startswith(PREFIX) or len(text) > 100:
        return None
    token = ApiToken.objects.select_related("user").filter(token_hash=_hash(text)).first()
    if token is None or not token.is_active or not can_hold_tokens(token.user):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def of_request(request: Any) -> ApiToken | None:
    """The active token a request carries (`Authorization: Bearer kil_...`), looked up once per request: the request
    limits and the API's authentication both ask."""
    if not hasattr(request, "_kil_api_token"):
        header = request.headers.get("Authorization", "")
        request._kil_api_token = authenticate(header[7:].strip()) if header[:7].lower() == "bearer " else None
    found: ApiToken | None = request._kil_api_token
    return found
