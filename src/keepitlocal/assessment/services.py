"""Every change to an assessment goes through here, in one transaction, with the refusals the issue asks for
worded for the person who meets them."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from keepitlocal.accounts.email import Email, email_service
from keepitlocal.assessment.engine import scoring
from keepitlocal.assessment.engine.framework import Framework
from keepitlocal.assessment.models import GROUPS, Action, ActionUpdate, Answer, Invitation, Response, Round, Sharing
from keepitlocal.common.refused import Refused
from keepitlocal.common.tokens import token_hash
from keepitlocal.network.models import Council
from keepitlocal.network.services import audit

# Rounds ------------------------------------------------------------------------------------------------


def open_round(council: Council, title: str, closes_on: date, actor: Any) -> Round:
    with transaction.atomic():
        if Round.objects.select_for_update().open().filter(council=council).exists():
            raise Refused("A round is already open", "Close the open round before you open another")
        opened = Round.objects.create(council=council, title=title, closes_on=closes_on, opened_by=actor)
        audit(council, actor, "opened", "Assessment round", str(opened.pk), [{"field": "Title", "from": "", "to": title}])
    return opened


def close_round(assessment: Round, actor: Any) -> None:
    """Freezes the round: no answers after this, and its results are final."""
    with transaction.atomic():
        locked = Round.objects.select_for_update().get(pk=assessment.pk)
        if locked.closed_at is not None:
            raise Refused("This round is closed", "The round was already closed")
        locked.closed_at = timezone.now()
        locked.save(update_fields=["closed_at"])
        audit(assessment.council, actor, "closed", "Assessment round", str(assessment.pk), [])
    assessment.closed_at = locked.closed_at


def end_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def _audit_invitation(assessment: Round, actor: Any, invitation: Invitation) -> None:
    """One entry in the council's history for each invitation sent (or sent again), whoever answered."""
    audit(assessment.council, actor, "invited", "Assessment invitation", str(invitation.pk),
          [{"field": "Email", "from": "", "to": invitation.email}])  # fmt: skip


def invite(
    assessment: Round, *, group: str, email: str, name: str, organisation: Any, actor: Any, base_url: str
) -> tuple[Invitation, str]:
    """Creates a single-use link (only its hash is kept) that expires at the end of the closing date, and emails
    it. Inviting the same person again replaces their unused link."""
    if not assessment.is_open:
        raise Refused("This round is closed", "You cannot invite anyone to a round that has closed")
    token = secrets.token_urlsafe(32)
    email = email.strip().lower()
    with transaction.atomic():
        existing = Invitation.objects.select_for_update().filter(round=assessment, email=email).first()
        submitted = existing is not None and hasattr(existing, "response") and existing.response.submitted_at
        if existing is not None and existing.group == scoring.PARTNERS:
            # A partner stays a partner: moving them (and answers they saved) among the named officers would undo
            # their anonymity, and whether it could be done would tell whether they had answered. What the editor
            # sees of the invitation changes alike whether or not they answered.
            group = scoring.PARTNERS
            if submitted:
                existing.name, existing.organisation = name, organisation
                existing.sent_at, existing.sent_by = timezone.now(), actor
                existing.save(update_fields=["name", "organisation", "sent_at", "sent_by"])
                _audit_invitation(assessment, actor, existing)
                transaction.on_commit(lambda: _already_in(assessment, email))  # told their answers are in
                return existing, ""
        elif submitted:
            raise Refused("Already answered", f"{email} has already submitted answers to this round")
        invitation = existing or Invitation(round=assessment, email=email)
        invitation.group, invitation.name, invitation.organisation = group, name, organisation
        invitation.token_hash = token_hash(token)
        invitation.expires_at = end_of(assessment.closes_on)
        invitation.sent_at, invitation.sent_by = timezone.now(), actor
        invitation.save()
        # Answers already saved stay, under the group the person now answers as.
        Response.objects.filter(invitation=invitation, submitted_at__isnull=True).update(group=group)
        _audit_invitation(assessment, actor, invitation)
    link = f"{base_url.rstrip('/')}/respond/{token}/"
    council = assessment.council.name
    email_service().send(
        Email(
            to=email,
            subject=f"{council} asks for your view: Keep it Local self-assessment",
            body=(
                f"{council} is assessing how well it follows the six Keep it Local principles, and would like "
                f"your view as a {dict(GROUPS)[group].lower()}.\n\n"
                f"Answer here: {link}\n\n"
                f"The link is yours alone: do not forward it. It works until you submit your answers, and no later "
                f"than {assessment.closes_on:%-d %B %Y}. You can save your answers and come back to them.\n"
            ),
        )
    )
    return invitation, token


def _already_in(assessment: Round, email: str) -> None:
    council = assessment.council.name
    email_service().send(
        Email(
            to=email,
            subject=f"{council}: your answers to its Keep it Local self-assessment are in",
            body=(
                f"You were sent a new link to {council}'s Keep it Local self-assessment, but your answers are already "
                "in, so there is nothing more to do. Thank you.\n"
            ),
        )
    )


def invitation_for(token: str) -> Invitation:
    """The invitation a link opens, or the reason it does not: unknown, expired, closed or already used."""
    invitation = Invitation.objects.select_related("round__council").filter(token_hash=token_hash(token)).first()
    if invitation is None:
        raise Refused("This link is not valid", "Check that you copied the whole link from your email.")
    response = Response.objects.filter(invitation=invitation).first()
    if response is not None and response.submitted_at is not None:
        raise Refused(
            "You have already submitted your answers",
            "Each link can be used for one set of answers, and yours have been received.",
        )
    if not invitation.round.is_open:
        raise Refused("This assessment has closed", f"{invitation.round.council.name} is no longer taking answers.")
    if invitation.is_expired:
        raise Refused(
            "This link has expired",
            f"Ask {invitation.round.council.name} to send you a new link if the assessment is still open.",
        )
    return invitation


def response_for(invitation: Invitation, *, create: bool) -> Response | None:
    found = Response.objects.filter(invitation=invitation).first()
    if found is None and create:
        found = Response.objects.create(invitation=invitation, round=invitation.round, group=invitation.group)
    return found


def _locked_open(invitation: Invitation) -> Response:
    """The response, locked for the change, after checking again that the round still takes answers."""
    locked = Invitation.objects.select_for_update().select_related("round").get(pk=invitation.pk)
    if not locked.round.is_open:
        raise Refused("This assessment has closed", "Your answer was not saved: the round closed.")
    response = response_for(locked, create=True)
    assert response is not None
    response = Response.objects.select_for_update().get(pk=response.pk)
    if response.submitted_at is not None:
        raise Refused("You have already submitted your answers", "Your answers were received and can no longer change.")
    return response


def save_answer(invitation: Invitation, indicator: str, level: int, evidence: str, link: str) -> None:
    invitation.round.framework.indicator(indicator)  # an unknown code is refused before anything is written
    with transaction.atomic():
        response = _locked_open(invitation)
        Answer.objects.update_or_create(
            response=response, indicator=indicator, defaults={"level": level, "evidence": evidence, "link": link}
        )


def save_about(invitation: Invitation, name: str, organisation: str, anonymous: bool) -> None:
    with transaction.atomic():
        response = _locked_open(invitation)
        response.respondent_name, response.organisation_name = name, organisation
        response.anonymous = anonymous and response.group == scoring.PARTNERS
        response.about_done = True
        response.save(update_fields=["respondent_name", "organisation_name", "anonymous", "about_done"])


def missing(invitation: Invitation) -> list[str]:
    """The indicator codes still to answer."""
    response = response_for(invitation, create=False)
    answered = set(response.answers.values_list("indicator", flat=True)) if response else set()
    return [code for code in invitation.round.framework.codes if code not in answered]


def submit(invitation: Invitation) -> Response:
    with transaction.atomic():
        response = _locked_open(invitation)
        if invitation.is_expired:
            raise Refused("This link has expired", "Your answers were not submitted: the link expired.")
        problems = []
        if response.group == scoring.PARTNERS and not response.about_done:
            problems.append("say whether the council may see your name")
        still = missing(invitation)
        if still:
            problems.append(f"answer every question ({len(still)} to go)")
        if problems:
            raise Refused("Your answers are not complete", "Before you submit, " + " and ".join(problems) + ".")
        response.submitted_at = timezone.now()
        response.save(update_fields=["submitted_at"])
    return response


# Results ---------------------------------------------------------------------------------------------


def answers_of(assessment: Round) -> list[scoring.Answer]:
    rows = Answer.objects.filter(response__round=assessment, response__submitted_at__isnull=False).values_list(
        "response_id", "response__group", "indicator", "level"
    )
    return [scoring.Answer(str(r), group, code, level) for r, group, code, level in rows]


def results(assessment: Round) -> scoring.RoundResults:
    """Its results: partners' answers count only once it is closed (scoring.partners_visible)."""
    return scoring.round_results(assessment.framework, answers_of(assessment), final=not assessment.is_open)


def previous_round(assessment: Round) -> Round | None:
    return (
        Round.objects.closed()
        .filter(council=assessment.council, opened_on__lte=assessment.opened_on)
        .exclude(pk=assessment.pk)
        .order_by("-opened_on", "-id")
        .first()
    )


@dataclass(frozen=True)
class Movement:
    """Movement since the previous closed round, like for like: officers with officers, partners with partners, and
    both together only where both rounds hold the same groups; `notes` say, in sentences, what is not compared and why."""

    previous: Round
    officers: dict[int, float | None]
    partners: dict[int, float | None] | None  # None: either round shows no partners' answers
    together: dict[int, float | None] | None  # None: the rounds hold different groups
    indicators: dict[str, float | None]
    notes: tuple[str, ...] = ()

    @property
    def principles(self) -> dict[int, float | None]:
        """The movement of the overall score where it compares like with like, else the officers' alone."""
        return self.together if self.together is not None else self.officers


def _partners_absent(found: scoring.RoundResults, which: str) -> str:
    if found.partners_pending:
        return f"partners' answers {which} are shown when the round closes"
    if found.partner_count:
        return f"fewer than three partners answered {which}, so their answers are not shown"
    return f"no partner has answered {which} yet"


def movement(assessment: Round, current: scoring.RoundResults) -> Movement | None:
    """Movement since the council's previous closed round, officers with officers, partners with partners, and together
    with together only when both rounds hold the same groups (an open round's officers against a closed round's officers
    and partners once read +20 where like for like was +13). Indicators compare only within one framework version, since
    a new version may reword them, and only together with together; principles compare across versions."""
    before = previous_round(assessment)
    if before is None:
        return None
    earlier = results(before)
    same_version = before.framework_version == assessment.framework_version
    both_partners = earlier.partners is not None and current.partners is not None
    same_groups = (earlier.partners is None) == (current.partners is None)
    notes = []
    if not both_partners:
        absent = [
            _partners_absent(found, which)
            for found, which in ((current, "this round"), (earlier, f"in {before.title}"))
            if found.partners is None
        ]
        notes.append(
            "Partners are not compared: "
            + " and ".join(absent)
            + ". Officers are compared with officers"
            + ("." if same_groups else ", and the overall score is not compared, as the rounds hold different groups.")
        )
    if not current.officer_count:
        notes.append("No officer has answered this round yet.")
    return Movement(
        before,
        scoring.movement(earlier.officers, current.officers),
        scoring.movement(earlier.partners or {}, current.partners or {}) if both_partners else None,
        scoring.movement(earlier.overall, current.overall) if same_groups else None,
        scoring.movement(earlier.indicators, current.indicators) if same_version and same_groups else {},
        tuple(notes),
    )


@dataclass(frozen=True)
class EvidenceItem:
    indicator: str
    level: int
    text: str
    link: str
    who: str


def evidence(assessment: Round, *, individual: bool) -> dict[int, list[EvidenceItem]]:
    """Evidence by principle. Partners' words are shown only once the round is closed and at least three partners
    answered, never with their names, and in an order that does not line one partner's answers up (by indicator,
    level and words, not by when they were given); officers are named only to those allowed to see individual
    answers."""
    answers = sorted(
        Answer.objects.filter(response__round=assessment, response__submitted_at__isnull=False).select_related(
            "response__invitation"
        ),
        key=lambda a: (
            (a.indicator, a.response.group, a.level, a.evidence, a.link)
            if a.response.group == scoring.PARTNERS
            else (a.indicator, a.response.group, a.id)
        ),
    )
    partners = [
        scoring.Answer(str(a.response_id), scoring.PARTNERS, a.indicator, a.level)
        for a in answers
        if a.response.group == scoring.PARTNERS
    ]
    partners_shown = scoring.partners_visible(partners, final=not assessment.is_open)
    found: dict[int, list[EvidenceItem]] = {p.number: [] for p in assessment.framework.principles}
    for answer in answers:
        is_partner = answer.response.group == scoring.PARTNERS
        if is_partner and not partners_shown:
            continue
        who = "A council officer" if not individual else answer.response.label
        if is_partner:
            who = "A community partner"
        number = int(answer.indicator.split(".")[0])
        found.setdefault(number, []).append(EvidenceItem(answer.indicator, answer.level, answer.evidence, answer.link, who))
    return found


def officer_responses(assessment: Round) -> QuerySet[Response]:
    return (
        Response.objects.filter(round=assessment, group=scoring.OFFICERS, submitted_at__isnull=False)
        .select_related("invitation")
        .prefetch_related("answers")
    )


@dataclass(frozen=True)
class Measured:
    principle: int
    indicator: str
    label: str
    value: float | None
    flag: str | None
    coverage: float | None = None
    period: str = ""  # the financial year and months the figure covers, in words


MEASURED_LABELS = {
    "share_local": "Share of spend with local suppliers",
    "share_local_vcse": "Share of spend with local VCSE organisations",
}


def measured(assessment: Round, current: scoring.RoundResults) -> list[Measured]:
    """The council's own measured spend figures beside its self-ratings, for the principles they bear on, from its
    latest finished spend analysis, if it has one."""
    from keepitlocal.spend.engine.figures import IndicatorId
    from keepitlocal.spend.figures import figures
    from keepitlocal.spend.models import AnalysisRun

    run = AnalysisRun.objects.finished().filter(council=assessment.council).only("figures", "year_labels", "period").first()
    if run is None:
        return []
    # The latest financial year with payments, as on the spend dashboard: years are never merged into one figure.
    shown = figures(run, charts=False)
    # With no supplier's locality known, a local share of 0% would be an artefact, not a measurement.
    coverage = shown.value(IndicatorId.LOCALITY_KNOWN)
    found = []
    for principle in assessment.framework.principles:
        if not principle.measured_by:
            continue
        value = shown.value(IndicatorId(principle.measured_by)) if coverage else None
        found.append(
            Measured(
                principle.number,
                principle.measured_by,
                MEASURED_LABELS.get(principle.measured_by, principle.measured_by),
                value,
                scoring.disagreement(current.overall.get(principle.number), value),
                coverage,
                shown.sentence,
            )
        )
    return found


# Peer benchmarking -----------------------------------------------------------------------------------


def sharing_of(council: Council) -> Sharing:
    return Sharing.objects.filter(council=council).first() or Sharing(council=council)


def save_sharing(council: Council, share: bool, named: bool, actor: Any) -> None:
    with transaction.atomic():
        sharing = sharing_of(council)
        before = [sharing.share_results, sharing.may_be_named]
        sharing.share_results, sharing.may_be_named = share, share and named
        sharing.save()
        audit(
            council,
            actor,
            "updated",
            "Assessment sharing",
            str(sharing.pk),
            [
                {"field": "Share results with the network", "from": _yes(before[0]), "to": _yes(sharing.share_results)},
                {"field": "May be named to peers", "from": _yes(before[1]), "to": _yes(sharing.may_be_named)},
            ],
        )


def _yes(value: bool) -> str:
    return "Yes" if value else "No"


def latest_closed(council: Council) -> Round | None:
    return Round.objects.closed().filter(council=council).first()


@dataclass(frozen=True)
class Peer:
    council: Council
    named: bool
    scores: dict[int, float | None]


def shared_peers(exclude: Council | None = None) -> list[Peer]:
    """Councils that opted in, each with the overall scores of its latest closed round."""
    peers = []
    for sharing in Sharing.objects.filter(share_results=True).select_related("council"):
        if exclude is not None and sharing.council_id == exclude.pk:
            continue
        latest = latest_closed(sharing.council)
        if latest is not None:
            peers.append(Peer(sharing.council, sharing.may_be_named, results(latest).overall))
    return peers


@dataclass(frozen=True)
class Benchmark:
    framework: Framework
    own: dict[int, float | None]
    own_round: Round | None
    distributions: dict[int, scoring.Distribution | None]
    learn_from: dict[int, list[Council]]
    peers: int


def benchmark(council: Council, framework: Framework) -> Benchmark:
    """The anonymised spread of every sharing council (this one included when it shares), the council's own
    position, and who it could learn from (named only with their consent)."""
    own_round = latest_closed(council)
    own = results(own_round).overall if own_round else {p.number: None for p in framework.principles}
    others = shared_peers(exclude=council)
    sharing = sharing_of(council)
    pool = [p.scores for p in others] + ([own] if sharing.share_results and own_round else [])
    distributions = {
        p.number: scoring.distribution([s for scores in pool if (s := scores.get(p.number)) is not None])
        for p in framework.principles
    }
    named = {peer.council.pk: peer for peer in others if peer.named}
    strong = scoring.learn_from(own, {pk: peer.scores for pk, peer in named.items()}, distributions)
    return Benchmark(
        framework,
        own,
        own_round,
        distributions,
        {number: [named[pk].council for pk in keys] for number, keys in strong.items()},
        len(pool),
    )


# Action plan -----------------------------------------------------------------------------------------


def add_action(action: Action, actor: Any) -> Action:
    with transaction.atomic():
        action.save()
        ActionUpdate.objects.create(
            action=action, by=actor, by_label=getattr(actor, "audit_label", ""), status=action.status, note="Action added"
        )
        audit(action.council, actor, "added", "Action", str(action.pk), [{"field": "What", "from": "", "to": action.what}])
    return action


def update_action(action: Action, status: str, note: str, actor: Any) -> None:
    with transaction.atomic():
        before = action.get_status_display()
        action.status = status
        action.save(update_fields=["status"])
        ActionUpdate.objects.create(action=action, by=actor, by_label=getattr(actor, "audit_label", ""), status=status, note=note)
        audit(
            action.council,
            actor,
            "updated",
            "Action",
            str(action.pk),
            [{"field": "Status", "from": before, "to": action.get_status_display()}],
        )


def actions_by_principle(council: Council, framework: Framework) -> list[tuple[Any, list[Action]]]:
    actions = list(Action.objects.filter(council=council).prefetch_related("updates"))
    return [(p, [a for a in actions if a.principle == p.number]) for p in framework.principles]
