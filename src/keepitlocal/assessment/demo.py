"""Demonstration assessments, all made up and marked as such: Calderdale has two closed rounds (with movement
between them), an open round and an action plan; other demo councils share a closed round so that the peer
benchmark has a spread. Loading twice changes nothing."""

from __future__ import annotations

import hashlib
import random
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from keepitlocal.assessment.engine.framework import CURRENT
from keepitlocal.assessment.engine.scoring import OFFICERS, PARTNERS
from keepitlocal.assessment.models import Action, ActionUpdate, Answer, Invitation, Response, Round, Sharing
from keepitlocal.assessment.services import end_of
from keepitlocal.common.tokens import token_hash
from keepitlocal.network.models import Council

CALDERDALE = "E08000033"
ACTOR = "Demo loader (made-up records)"

# Council → (typical level per principle 1–6, shares results, may be named).
PEERS: dict[str, tuple[tuple[float, ...], bool]] = {
    "E06000023": ((3.2, 2.8, 2.4, 3.0, 3.4, 2.6), True),
    "E08000035": ((2.2, 2.0, 3.3, 2.4, 2.8, 3.4), True),
    "E08000032": ((2.8, 3.3, 2.1, 2.7, 3.0, 2.2), False),
    "E08000034": ((1.8, 2.2, 1.9, 2.1, 2.5, 1.8), True),
    "E08000021": ((3.5, 3.1, 3.4, 3.6, 3.2, 3.3), True),
    "E08000018": ((2.5, 2.6, 2.9, 2.3, 2.2, 2.7), False),
    "E08000015": ((2.9, 2.4, 2.6, 3.1, 3.6, 2.9), True),
}

EVIDENCE = (
    "Nothing in place yet that we know of.",
    "A first conversation has started; one or two examples so far.",
    "Happening in several services, with a named lead and some reporting.",
    "Part of how the council routinely works, reviewed with partners every year.",
)


def _rng(*parts: object) -> random.Random:
    return random.Random(hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest())


def _level(rng: random.Random, typical: float) -> int:
    return max(1, min(4, round(rng.gauss(typical, 0.6))))


def _round(
    council: Council, title: str, opened: date, closes: date, profile: tuple[float, ...], *, closed: bool, people: tuple[int, int]
) -> Round:
    made = Round.objects.create(
        council=council,
        title=title,
        opened_on=opened,
        closes_on=closes,
        closed_at=end_of(closes) - timedelta(hours=7) if closed else None,
        is_demo=True,
    )
    officers, partners = people
    slug = council.name.split()[0].lower()
    for group, count, lift in ((OFFICERS, officers, 0.35), (PARTNERS, partners, -0.25)):
        for n in range(1, count + 1):
            rng = _rng(council.gss_code, title, group, n)
            invitation = Invitation.objects.create(
                round=made,
                group=group,
                email=f"{group}{n}@{slug}.demo.example",
                name=f"Demo {'officer' if group == OFFICERS else 'partner'} {n}",
                token_hash=token_hash(f"demo-{council.gss_code}-{title}-{group}-{n}-{rng.random()}"),
                expires_at=end_of(closes),
                sent_at=end_of(opened) - timedelta(hours=14),  # the morning the round opened, never after it closed
            )
            response = Response.objects.create(
                invitation=invitation,
                round=made,
                group=group,
                respondent_name=invitation.name,
                anonymous=group == PARTNERS and n % 2 == 0,
                about_done=True,
                submitted_at=end_of(opened + timedelta(days=6 + n)),
            )
            Answer.objects.bulk_create(
                Answer(
                    response=response,
                    indicator=i.code,
                    level=(level := _level(rng, profile[p.number - 1] + lift)),
                    evidence=EVIDENCE[level - 1],
                )
                for p in CURRENT.principles
                for i in p.indicators
            )
    return made


@transaction.atomic
def load_demo_assessment() -> bool:
    """Create the demo rounds once; False when they are already there."""
    if Round.objects.filter(is_demo=True).exists():
        return False
    today = timezone.localdate()
    calderdale = Council.objects.get(gss_code=CALDERDALE)
    first = (2.0, 2.3, 1.8, 2.2, 2.6, 1.9)
    second = (2.6, 2.7, 2.3, 2.5, 3.1, 2.6)
    _round(calderdale, "Self-assessment 2024", date(2024, 10, 1), date(2024, 11, 15), first, closed=True, people=(5, 4))
    latest = _round(calderdale, "Self-assessment 2025", date(2025, 10, 1), date(2025, 11, 14), second, closed=True, people=(6, 5))
    _open_round(calderdale, today)
    Sharing.objects.create(council=calderdale, share_results=True, may_be_named=True)
    for gss_code, (profile, named) in PEERS.items():
        council = Council.objects.filter(gss_code=gss_code).first()
        if council is None:
            continue
        _round(council, "Self-assessment 2025", date(2025, 9, 15), date(2025, 10, 31), profile, closed=True, people=(4, 3))
        Sharing.objects.create(council=council, share_results=True, may_be_named=named)
    _actions(calderdale, latest, today)
    return True


def _open_round(council: Council, today: date) -> None:
    """An open round with some answers in: two officers submitted, one partner half-way, one not started."""
    made = Round.objects.create(
        council=council,
        title="Self-assessment 2026",
        opened_on=today - timedelta(days=10),
        closes_on=today + timedelta(days=45),
        is_demo=True,
    )
    profile = (2.9, 2.9, 2.6, 2.8, 3.2, 2.9)
    for n, (group, submitted, answered) in enumerate(
        [(OFFICERS, True, 24), (OFFICERS, True, 24), (PARTNERS, False, 9), (PARTNERS, False, 0)], start=1
    ):
        rng = _rng(council.gss_code, "open", n)
        invitation = Invitation.objects.create(
            round=made,
            group=group,
            email=f"{group}{n}@calderdale-open.demo.example",
            token_hash=token_hash(f"demo-open-{n}-{rng.random()}"),
            expires_at=end_of(made.closes_on),
            sent_at=end_of(made.opened_on) - timedelta(hours=14),
        )
        if not answered:
            continue
        response = Response.objects.create(
            invitation=invitation, round=made, group=group, about_done=True, submitted_at=timezone.now() if submitted else None
        )
        codes = CURRENT.codes[:answered]
        Answer.objects.bulk_create(
            Answer(
                response=response,
                indicator=code,
                level=(level := _level(rng, profile[int(code[0]) - 1])),
                evidence=EVIDENCE[level - 1],
            )
            for code in codes
        )


def _actions(council: Council, source: Round, today: date) -> None:
    plan = [
        (
            3,
            "Publish a local spend target and report progress against it every quarter",
            "Director of Finance",
            today + timedelta(days=90),
            Action.Status.IN_PROGRESS,
        ),
        (
            6,
            "Make 'local by default' the first question in every commissioning plan over £100,000",
            "Head of Commissioning",
            today - timedelta(days=20),
            Action.Status.IN_PROGRESS,
        ),
        (
            2,
            "Agree neighbourhood boundaries with health and community partners",
            "Assistant Director, Communities",
            today + timedelta(days=150),
            Action.Status.NOT_STARTED,
        ),
        (
            5,
            "Move three small grants programmes to three-year funding",
            "Cabinet member for communities",
            today - timedelta(days=60),
            Action.Status.DONE,
        ),
        (
            4,
            "Pilot a shared prevention budget with the integrated care board",
            "Director of Public Health",
            today + timedelta(days=200),
            Action.Status.NOT_STARTED,
        ),
    ]
    for principle, what, owner, due, status in plan:
        action = Action.objects.create(
            council=council, round=source, principle=principle, what=what, owner=owner, due_on=due, status=status, is_demo=True
        )
        ActionUpdate.objects.create(
            action=action,
            status=Action.Status.NOT_STARTED,
            note="Action added",
            by_label=ACTOR,
            at=timezone.now() - timedelta(days=300),
        )
        if status != Action.Status.NOT_STARTED:
            ActionUpdate.objects.create(
                action=action, status=status, note="Progress reported at the quarterly review", by_label=ACTOR
            )
