"""Emails sent after the response, by the task worker: the page answers in the same time whether or not an address
has an account, because the lookup and the sending happen here."""

from __future__ import annotations

from django_tasks import task


@task()
def send_password_reset(email: str) -> None:
    from keepitlocal.accounts.services import send_password_reset_email

    send_password_reset_email(email)
