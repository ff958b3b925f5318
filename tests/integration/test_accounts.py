import re
from typing import Any

import pytest

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


def _sign_in(address: str, email: str, password: str) -> Any:
    return StrictHTMLClient(REMOTE_ADDR=address).post("/account/sign-in/", {"email": email, "password": password})


@pytest.mark.django_db
def test_guessing_is_slowed_per_client_and_address_with_the_same_answer_for_unknown_addresses() -> None:
    UserFactory.create(email="someone@example.org")
    known = [_sign_in("203.0.113.1", "someone@example.org", "wrong").status_code for _ in range(6)]
    unknown = [_sign_in("203.0.113.1", "nobody@example.org", "wrong").status_code for _ in range(6)]
    assert known == unknown == [400] * 5 + [429]
    refused = _sign_in("203.0.113.1", "someone@example.org", PASSWORD)
    refused_unknown = _sign_in("203.0.113.1", "nobody@example.org", PASSWORD)
    assert refused.status_code == refused_unknown.status_code == 429  # even the right password, until the window ends
    message = re.compile(r"Too many attempts to sign in\. Wait \d+ minutes? and try again, or reset your password")
    assert message.search(refused.content.decode()) and message.search(refused_unknown.content.decode())
    # Nobody can lock another person out: the owner, on their own connection, signs in.
    assert _sign_in("198.51.100.7", "someone@example.org", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_a_success_clears_its_own_count() -> None:
    UserFactory.create(email="someone@example.org")
    for _ in range(4):
        _sign_in("203.0.113.1", "someone@example.org", "wrong")
    assert _sign_in("203.0.113.1", "someone@example.org", PASSWORD).status_code == 302
    assert [_sign_in("203.0.113.1", "someone@example.org", "wrong").status_code for _ in range(5)] == [400] * 5


@pytest.mark.django_db
def test_one_client_cannot_lock_the_owner_out_however_long_it_tries() -> None:
    UserFactory.create(email="someone@example.org")
    answers = [_sign_in("203.0.113.66", "someone@example.org", "wrong").status_code for _ in range(60)]
    assert answers == [400] * 5 + [429] * 55
    assert _sign_in("198.51.100.7", "someone@example.org", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_many_clients_at_one_address_are_slowed_for_everyone() -> None:
    UserFactory.create(email="someone@example.org")
    for n in range(50):
        _sign_in(f"192.0.2.{n}", "someone@example.org", "wrong")
    assert _sign_in("198.51.100.7", "someone@example.org", PASSWORD).status_code == 429


@pytest.mark.django_db(transaction=True)
def test_a_burst_of_simultaneous_attempts_checks_no_more_passwords_than_the_limit() -> None:
    """30 attempts at once, 29 wrong and the right one last: no more than five are checked, none signs in."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    if connection.vendor == "sqlite":
        pytest.skip("the in-memory test database of SQLite takes one writer at a time across threads; run on PostgreSQL")
    UserFactory.create(email="someone@example.org")
    passwords = ["wrong"] * 29 + [PASSWORD]
    # The limits count in fixed quarter hours: a burst across the end of one is two bursts. Start it clear of one.
    import time

    if (left := 900 - time.time() % 900) < 20:
        time.sleep(left + 1)

    def attempt(password: str) -> int:
        try:
            return int(_sign_in("203.0.113.1", "someone@example.org", password).status_code)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(attempt, passwords))
    assert answers.count(400) == 5 and answers.count(429) == 25 and 302 not in answers


@pytest.mark.django_db
def test_sign_in_ignores_an_offsite_next(client: StrictHTMLClient) -> None:
    UserFactory(email="someone@example.org")
    response = client.post(
        "/account/sign-in/", {"email": "someone@example.org", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/dashboard/"


@pytest.mark.django_db
def test_password_reset_by_email(client: StrictHTMLClient, email_outbox: list[Any], caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", logger="keepitlocal.events")
    user = UserFactory.create(email="someone@example.org")
    response = client.post("/account/password-reset/", {"email": "someone@example.org"})
    assert response["Location"] == "/account/password-reset/sent/"
    assert len(email_outbox) == 1
    link = re.search(r"http://127.0.0.1:8000(/account/password-reset/\S+/)", email_outbox[0].body)
    assert link is not None
    response = client.post(link.group(1), {"password": "a-brand-new-passphrase", "confirm": "a-brand-new-passphrase"})
    assert response["Location"] == "/account/password-reset/done/"
    user.refresh_from_db()
    assert user.check_password("a-brand-new-passphrase")
    # A security event, logged by the service with the account's number (never the address or the password).
    reset = [r for r in caplog.records if getattr(r, "event", "") == "password-reset"]
    assert len(reset) == 1 and str(user.pk) in reset[0].getMessage() and "someone@" not in reset[0].getMessage()
    # The link is single-use: the token no longer matches once the password has changed.
    assert client.get(link.group(1)).status_code == 400


@pytest.mark.django_db
def test_password_reset_reveals_nothing_about_unknown_addresses(client: StrictHTMLClient, email_outbox: list[Any]) -> None:
    response = client.post("/account/password-reset/", {"email": "nobody@example.org"})
    assert response["Location"] == "/account/password-reset/sent/"
    assert email_outbox == []


@pytest.mark.django_db
def test_reset_emails_are_limited_and_linked_from_the_configured_address(email_outbox: list[Any], settings: Any) -> None:
    settings.KIL_BASE_URL = "https://keepitlocal.example.org/"
    UserFactory.create(email="someone@example.org")
    forged = StrictHTMLClient(REMOTE_ADDR="203.0.113.1", HTTP_HOST="evil.example")
    settings.ALLOWED_HOSTS = ["*"]
    answers = [forged.post("/account/password-reset/", {"email": "someone@example.org"}) for _ in range(6)]
    # Six asks in a second: the same answer each time, three emails, and each link on the platform's own address.
    assert {a.status_code for a in answers} == {302} and {a["Location"] for a in answers} == {"/account/password-reset/sent/"}
    assert len(email_outbox) == 3
    assert all("https://keepitlocal.example.org/account/password-reset/" in e.body and "evil" not in e.body for e in email_outbox)
    # The owner, on their own connection, still gets a reset: one client cannot stop it.
    owner = StrictHTMLClient(REMOTE_ADDR="198.51.100.7")
    assert owner.post("/account/password-reset/", {"email": "someone@example.org"}).status_code == 302
    assert len(email_outbox) == 4
    # Ten emails an hour to one address at most, however many clients ask.
    for n in range(20):
        StrictHTMLClient(REMOTE_ADDR=f"192.0.2.{n}").post("/account/password-reset/", {"email": "someone@example.org"})
    assert len(email_outbox) == 10
    # One client asking for many addresses is told to wait.
    for n in range(10):
        last = forged.post("/account/password-reset/", {"email": f"person{n}@example.org"})
    assert last.status_code == 429 and "Too many attempts" in last.content.decode() and last["Retry-After"]


@pytest.mark.django_db
def test_new_password_is_validated(client: StrictHTMLClient, email_outbox: list[Any]) -> None:
    UserFactory(email="someone@example.org")
    client.post("/account/password-reset/", {"email": "someone@example.org"})
    path = re.search(r"http://127.0.0.1:8000(/\S+/)", email_outbox[0].body).group(1)  # type: ignore[union-attr]
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
