"""Account changes: a password reset asked for by email, and a new password set through its link."""

from __future__ import annotations

from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from keepitlocal import logs
from keepitlocal.accounts.email import Email, email_service, site_url
from keepitlocal.accounts.models import User


def set_password(user: User, password: str) -> None:
    """A new password through a reset link (which the new password spends: the link's token reads the old hash)."""
    user.set_password(password)
    user.save(update_fields=["password"])
    logs.event("password-reset", "Password reset for user %s", user.pk)


def send_password_reset_email(address: str) -> None:
    """Sends a reset link to the address when an active account has it; nothing otherwise (the page that asked says
    the same either way)."""
    user = User.objects.filter(email=address.strip().lower(), is_active=True).first()
    if user is None:
        return
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = site_url(reverse("accounts:password-reset-confirm", args=[uid, token]))
    email_service().send(
        Email(
            to=user.email,
            subject="Reset your Keep it Local password",
            body=(
                "Someone asked to reset the password for this email address on the Keep it Local platform.\n\n"
                f"To choose a new password, open this link within 2 hours:\n{link}\n\n"
                "If you did not ask for this, you can ignore this email: your password has not changed.\n"
            ),
        )
    )
