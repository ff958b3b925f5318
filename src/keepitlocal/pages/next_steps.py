"""What a council should do next, from its own records across every capability: the steps of the membership journey
still missing, spend to upload or publish, answers still to come in, a round past its closing date, overdue
actions, and the evidence not yet built (a value case, a directory). Each step links to where it is done."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone

from keepitlocal.assessment.models import Action, Round
from keepitlocal.directory.models import DirectoryOrganisation
from keepitlocal.network import services as network
from keepitlocal.network.models import Council
from keepitlocal.spend.models import AnalysisRun, SpendFile, SpendPublication
from keepitlocal.value.models import ValueCase

STALE_AFTER = timedelta(days=120)  # councils publish spend monthly or quarterly: four months without is behind


@dataclass(frozen=True)
class NextStep:
    text: str
    href: str
    urgent: bool = False  # something has gone wrong or is late, rather than the next thing to do
    to_view: bool = False  # the link only shows something (a viewer may follow it); otherwise it is for editors


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _month(day: date) -> str:
    return f"{day:%B %Y}"


def journey_steps(council: Council, membership: Any) -> list[NextStep]:
    if membership is None:
        return [NextStep("Start the membership record", reverse("network:membership", args=[council.gss_code]))]
    if membership.stage in ("paused", "left"):
        return []
    evidence = network.evidence_for(membership)
    gss = council.gss_code
    steps = []
    if not evidence.endorsed:
        steps.append(NextStep("Record the endorsement of the six principles", reverse("network:endorsement", args=[gss])))
    if not evidence.cabinet_champion:
        steps.append(NextStep("Appoint a champion in the cabinet", reverse("network:champion-add", args=[gss])))
    if not evidence.senior_champion:
        steps.append(NextStep("Appoint a champion in the senior management team", reverse("network:champion-add", args=[gss])))
    if not evidence.conversation_held:
        steps.append(NextStep("Record the conversation with your community", reverse("network:conversation-add", args=[gss])))
    return steps


def spend_steps(council: Council, today: date) -> list[NextStep]:
    gss = council.gss_code
    if not SpendFile.objects.filter(council=council).exists():
        return [NextStep("Upload your spend over £500", reverse("spend:upload", args=[gss]))]
    steps = []
    latest = AnalysisRun.objects.filter(council=council).defer("figures", "charts", "files_report").first()
    if latest is not None and latest.status == AnalysisRun.Status.FAILED:
        steps.append(
            NextStep(
                "The latest spend analysis did not finish: see why", reverse("spend:run", args=[gss, latest.pk]), urgent=True
            )
        )
    done = AnalysisRun.objects.finished().filter(council=council).only("period", "pk").first()
    last = (done.period or {}).get("last") if done else None
    if last and date.fromisoformat(str(last)[:10]) < today - STALE_AFTER:
        since = date.fromisoformat(str(last)[:10]) + timedelta(days=1)
        steps.append(NextStep(f"Upload your spend from {since.day} {_month(since)}", reverse("spend:upload", args=[gss])))
    published = SpendPublication.objects.filter(council=council).select_related("run").only("run__finished_at").first()
    if done is not None and published is None:
        steps.append(NextStep("Publish your latest spend figures", reverse("spend:dashboard", args=[gss]) + "#publish"))
    elif done is not None and published is not None and published.run_id != done.pk:
        # The published figures stay public until newer ones are published: say that newer ones are ready.
        when = published.run.finished_at
        steps.append(
            NextStep(
                f"Newer spend figures are ready to publish (those published are from the analysis of {when.day} {_month(when)})"
                if when
                else "Newer spend figures are ready to publish",
                reverse("spend:dashboard", args=[gss]) + "#publish",
            )
        )
    return steps


def assessment_steps(council: Council, today: date) -> list[NextStep]:
    gss = council.gss_code
    steps = []
    current = Round.objects.open().filter(council=council).first()
    if current is not None:
        invitations = list(current.invitations.select_related("response"))
        # Officers only: whether a community partner has answered is not told while the round is open.
        waiting = sum(
            1 for i in invitations if i.group != "partner" and getattr(getattr(i, "response", None), "submitted_at", None) is None
        )
        if current.closes_on < today:
            steps.append(
                NextStep(
                    f"Close {current.title}: its closing date has passed",
                    reverse("assessment:close", args=[gss, current.pk]),
                    urgent=True,
                )
            )
        elif waiting:
            steps.append(
                NextStep(
                    f"{_plural(waiting, 'council officer invited has', 'council officers invited have')} not answered {current.title} yet",
                    reverse("assessment:round", args=[gss, current.pk]),
                    to_view=True,
                )
            )
        elif not invitations:
            steps.append(
                NextStep(
                    f"Invite officers and community partners to {current.title}",
                    reverse("assessment:invite", args=[gss, current.pk]),
                )
            )
    else:
        last = Round.objects.closed().filter(council=council).first()
        if last is None or last.closed_at is None or last.closed_at.date() < today - timedelta(days=365):
            steps.append(NextStep("Open this year's self-assessment", reverse("assessment:round-add", args=[gss])))
    overdue = [a for a in Action.objects.filter(council=council) if a.is_overdue]
    if overdue:
        steps.append(
            NextStep(
                f"{_plural(len(overdue), 'action is', 'actions are')} overdue",
                reverse("assessment:actions", args=[gss]),
                urgent=True,
            )
        )
    return steps


def evidence_steps(council: Council) -> list[NextStep]:
    gss = council.gss_code
    steps = []
    if not ValueCase.objects.filter(council=council).exists():
        steps.append(NextStep("Build a value case for early intervention (principle 4)", reverse("value:case-add", args=[gss])))
    if not DirectoryOrganisation.objects.filter(council=council).exists():
        steps.append(NextStep("Import your directory of local services", reverse("directory:import", args=[gss])))
    return steps


def next_steps(council: Council, membership: Any, today: date | None = None) -> list[NextStep]:
    """Every step, the urgent first; the rest in the order of the journey."""
    today = today or timezone.localdate()
    steps = [
        *journey_steps(council, membership),
        *spend_steps(council, today),
        *assessment_steps(council, today),
        *evidence_steps(council),
    ]
    return sorted(steps, key=lambda s: not s.urgent)
