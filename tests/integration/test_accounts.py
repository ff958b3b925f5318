import re
from typing import Any

import pytest
from django.test import override_settings

from keepitlocal.accounts.models import Role, User
from tests.conftest import StrictHTMLClient
from tests.factories import UserFactory

PASSWORD = "correct-horse-battery"


@pytest.mark.django_db
def test_sign_in_with_email_and_password_then_sign_out(client: StrictHTMLClient) -> None:
    UserFactory(email="someone@example.org")
    response = client.post("/account/sign-in/", {"email": "Someone@Example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/dashboard/").status_code == 200
    response = client.post("/account/sign-out/")
    assert "You have signed out" in response.content.decode()
    assert client.get("/dashboard/").status_code == 302


@pytest.mark.django_db
def test_passwords_are_hashed_with_argon2() -> None:
    user = UserFactory.create()
    assert user.password.startswith("argon2")


@pytest.mark.django_db
def test_wrong_password_shows_gov_uk_error(client: StrictHTMLClient) -> None:
    UserFactory(email="someone@example.org")
    response = client.post("/account/sign-in/", {"email": "someone@example.org", "password": "nope"})
    body = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error: Sign in" in body
    assert "govuk-error-summary" in body
    assert "Enter a correct email address and password" in body


@pytest.mark.django_db
def test_empty_sign_in_has_inline_errors_linked_from_summary(client: StrictHTMLClient) -> None:
    body = client.post("/account/sign-in/", {}).content.decode()
    assert 'href="#id_email"' in body and "Enter your email address" in body
    assert 'href="#id_password"' in body and "Enter your password" in body
    assert "govuk-error-message" in body


@pytest.mark.django_db
@override_settings(KIL_SIGN_IN_MAX_FAILURES=3)
def test_account_locks_after_repeated_failures(client: StrictHTMLClient) -> None:
    user = UserFactory.create(email="someone@example.org")
    for _ in range(3):
        client.post("/account/sign-in/", {"email": "someone@example.org", "password": "wrong"})
    user.refresh_from_db()
    assert user.is_locked()
    # Even the right password is refused while locked, with a message saying why.
    response = client.post("/account/sign-in/", {"email": "someone@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert "locked" in response.content.decode()
    assert client.get("/dashboard/").status_code == 302


@pytest.mark.django_db
def test_successful_sign_in_resets_the_failure_count(client: StrictHTMLClient) -> None:
    user = UserFactory.create(email="someone@example.org")
    client.post("/account/sign-in/", {"email": "someone@example.org", "password": "wrong"})
    client.post("/account/sign-in/", {"email": "someone@example.org", "password": PASSWORD})
    user.refresh_from_db()
    assert user.failed_sign_ins == 0


@pytest.mark.django_db
def test_sign_in_ignores_an_offsite_next(client: StrictHTMLClient) -> None:
    UserFactory(email="someone@example.org")
    response = client.post(
        "/account/sign-in/", {"email": "someone@example.org", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/dashboard/"


@pytest.mark.django_db
def test_password_reset_by_email(client: StrictHTMLClient, email_outbox: list[Any]) -> None:
    user = UserFactory.create(email="someone@example.org")
    response = client.post("/account/password-reset/", {"email": "someone@example.org"})
    assert response["Location"] == "/account/password-reset/sent/"
    assert len(email_outbox) == 1
    link = re.search(r"http://testserver(/account/password-reset/\S+/)", email_outbox[0].body)
    assert link is not None
    response = client.post(link.group(1), {"password": "a-brand-new-passphrase", "confirm": "a-brand-new-passphrase"})
    assert response["Location"] == "/account/password-reset/done/"
    user.refresh_from_db()
    assert user.check_password("a-brand-new-passphrase")
    # The link is single-use: the token no longer matches once the password has changed.
    assert client.get(link.group(1)).status_code == 400


@pytest.mark.django_db
def test_password_reset_reveals_nothing_about_unknown_addresses(client: StrictHTMLClient, email_outbox: list[Any]) -> None:
    response = client.post("/account/password-reset/", {"email": "nobody@example.org"})
    assert response["Location"] == "/account/password-reset/sent/"
    assert email_outbox == []


@pytest.mark.django_db
def test_new_password_is_validated(client: StrictHTMLClient, email_outbox: list[Any]) -> None:
    UserFactory(email="someone@example.org")
    client.post("/account/password-reset/", {"email": "someone@example.org"})
    path = re.search(r"http://testserver(/\S+/)", email_outbox[0].body).group(1)  # type: ignore[union-attr]
    body = client.post(path, {"password": "short", "confirm": "other"}).content.decode()
    assert "at least 12 characters" in body
    assert "The passwords do not match" in body


@pytest.mark.django_db
def test_one_person_may_hold_several_roles(demo: list[str]) -> None:
    from keepitlocal.accounts import access
    from keepitlocal.network.models import Council

    user = User.objects.get(email="viewer@bristol.example")
    calderdale = Council.objects.get(gss_code="E08000033")
    Role.objects.create(user=user, kind=Role.Kind.COUNCIL_EDITOR, council=calderdale)
    assert access.can_edit_council(user, calderdale)
    assert access.can_view_council(user, Council.objects.get(gss_code="E06000023"))
    assert not access.can_edit_council(user, Council.objects.get(gss_code="E06000023"))
