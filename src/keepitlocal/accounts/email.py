"""The one way email leaves the platform, so that tests can swap it for a double and nothing is sent."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    body: str


class EmailService(Protocol):
    def send(self, email: Email) -> None: ...


class DjangoEmailService:
    """Sends through Django's configured email backend (the console, locally)."""

    def send(self, email: Email) -> None:
        send_mail(email.subject, email.body, settings.DEFAULT_FROM_EMAIL, [email.to])


class OutboxEmailService:
    """Test double: keeps every email in a list instead of sending it."""

    outbox: list[Email] = []

    def send(self, email: Email) -> None:
        OutboxEmailService.outbox.append(email)


def site_url(path: str = "/") -> str:
    """An address on this platform for an email, from KIL_BASE_URL: never from the request's Host header, which
    whoever sends the request chooses (a reset link pointing at their own site would hand them the token)."""
    return settings.KIL_BASE_URL.rstrip("/") + "/" + path.lstrip("/")


def email_service() -> EmailService:
    service: EmailService = import_string(settings.KIL_EMAIL_SERVICE)()
    return service
