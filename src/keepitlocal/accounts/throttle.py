"""Limits on attempts at sign-in, password reset and the public join form, as the OWASP authentication guidance
describes: counted per client and target together, per client across targets, and per target across clients, so that
guessing one account's password is slow, spraying many accounts from one client is slow, and nobody can lock another
person out from one client: a client's attempts count towards the address's own limit only while the client is within
its limits (only many clients together, ten or more, can slow an address for everyone, for the rest of the window).

Every attempt is counted before anything is checked (accounts.ratelimit.hit increments and reads in one
transaction): of a burst of simultaneous attempts, no more than the limit are ever checked. Unknown addresses are
counted exactly like known ones, so the answer never says which addresses have accounts. Targets are stored as a
hash, never as the address."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum

from django.http import HttpRequest

from keepitlocal.accounts.models import RateCount
from keepitlocal.accounts.ratelimit import client_address, hit, now, window_end


class Attempt(StrEnum):
    SIGN_IN = "sign-in"
    PASSWORD_RESET = "reset"  # noqa: S105 (a kind of attempt, not a password)
    JOIN = "join"


@dataclass(frozen=True)
class Rule:
    period: int  # seconds
    per_client_and_target: int
    per_client: int
    per_target: int


RULES = {
    # Five tries at one account from one client each quarter hour; a hundred from one client at any accounts (a
    # council's offices share one address); fifty at one account from everywhere together.
    Attempt.SIGN_IN: Rule(15 * 60, 5, 100, 50),
    # Three reset emails to one address an hour from one client, ten from everyone (so that nobody fills a mailbox, and
    # one client cannot stop the owner's own reset); ten requests from one client.
    Attempt.PASSWORD_RESET: Rule(60 * 60, 3, 10, 10),
    # Ten join requests from one client an hour.
    Attempt.JOIN: Rule(60 * 60, 10, 10, 10_000),
}


@dataclass(frozen=True)
class Refusal:
    wait: int  # seconds until the window ends
    by_target: bool  # the target's own limit (the same answer must then be given for any address)

    @property
    def minutes(self) -> int:
        return max(1, (self.wait + 59) // 60)


def _target(target: str) -> str:
    return hashlib.sha256(target.strip().lower().encode()).hexdigest()[:32]


def _keys(kind: Attempt, request: HttpRequest, target: str) -> list[tuple[str, int, bool]]:
    rule = RULES[kind]
    client = client_address(request)[:45]
    hashed = _target(target)
    return [
        (f"{kind}:ct:{client}:{hashed}", rule.per_client_and_target, True),
        (f"{kind}:c:{client}", rule.per_client, False),
        (f"{kind}:t:{hashed}", rule.per_target, True),
    ]


def attempt(kind: Attempt, request: HttpRequest, target: str = "") -> Refusal | None:
    """Counts one attempt; a Refusal when any of its limits is passed in this window. The limits are counted in turn
    and an attempt refused by one is not counted by the next: a client over its own limit for an address adds nothing
    to that address's count from everyone, so one client alone cannot slow the address for its owner."""
    moment = now()
    window = window_end(moment, RULES[kind].period)
    for key, limit, by_target in _keys(kind, request, target):
        if hit(key[:100], window) > limit:
            return Refusal(int(window - moment), by_target)
    return None


def succeeded(kind: Attempt, request: HttpRequest, target: str) -> None:
    """A successful sign-in clears its client's count for that account (a person who got there is not guessing)."""
    key, _limit, _by_target = _keys(kind, request, target)[0]
    RateCount.objects.filter(key=key[:100], window=window_end(now(), RULES[kind].period)).delete()
