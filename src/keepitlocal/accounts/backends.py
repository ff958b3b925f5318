"""Sign-in by email and password, with a lock after repeated failures."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from keepitlocal.accounts.models import User


class AccountLockedError(Exception):
    """Raised to the sign-in form so that it can say the account is locked, rather than that the password is wrong."""


class EmailBackend(ModelBackend):
    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        email = (username or kwargs.get("email") or "").strip().lower()
        if not email or password is None:
            return None
        user = User.objects.filter(email=email).first()
        if user is None:
            # Hash anyway so that response time does not reveal which addresses have accounts.
            User().set_password(password)
            return None
        if user.is_locked():
            raise AccountLockedError
        if user.check_password(password) and user.is_active:
            User.objects.filter(pk=user.pk).update(failed_sign_ins=0, locked_until=None)
            return user
        User.objects.filter(pk=user.pk).update(failed_sign_ins=F("failed_sign_ins") + 1)
        user.refresh_from_db(fields=["failed_sign_ins"])
        if user.failed_sign_ins >= settings.KIL_SIGN_IN_MAX_FAILURES:
            User.objects.filter(pk=user.pk).update(
                locked_until=timezone.now() + timedelta(minutes=settings.KIL_SIGN_IN_LOCK_MINUTES), failed_sign_ins=0
            )
        return None

    def get_user(self, user_id: int) -> User | None:
        user = User.objects.filter(pk=user_id).first()
        return user if user is not None and user.is_active else None
