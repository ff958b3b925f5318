"""Assessment rounds, the people invited to answer, their answers, and the council's action plan."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from keepitlocal.assessment.engine.framework import CURRENT, FRAMEWORKS, Framework
from keepitlocal.assessment.engine.scoring import OFFICERS, PARTNERS
from keepitlocal.network.models import HTTP_URL, TEXT_LIMIT, Council, Organisation

GROUPS = [(OFFICERS, "Council officer"), (PARTNERS, "Community partner")]


class Rounds(models.QuerySet["Round"]):
    """The questions asked of rounds again and again, asked one way."""

    def open(self) -> Rounds:
        """Rounds still taking answers (a council has at most one)."""
        return self.filter(closed_at__isnull=True)

    def closed(self) -> Rounds:
        """Rounds closed, most recently closed first: their results may be read and shared."""
        return self.filter(closed_at__isnull=False).order_by("-closed_at", "-id")


class Round(models.Model):
    """One self-assessment of a council against the framework version it opened with."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="assessment_rounds")
    title = models.CharField(max_length=200)
    framework_version = models.CharField(max_length=20, default=CURRENT.version, editable=False)
    opened_on = models.DateField(default=date.today)
    closes_on = models.DateField("closing date")
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    is_demo = models.BooleanField(default=False)

    objects = Rounds.as_manager()

    class Meta:
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["council"], condition=Q(closed_at__isnull=True), name="one_open_round_per_council")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def framework(self) -> Framework:
        return FRAMEWORKS[self.framework_version]

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def closed_on(self) -> date | None:
        return timezone.localdate(self.closed_at) if self.closed_at else None


class Invitation(models.Model):
    """A single-use link for one respondent: it opens their response until they submit, the link expires or
    the round closes."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="invitations")
    group = models.CharField(max_length=10, choices=GROUPS)
    email = models.EmailField("email address")
    name = models.CharField("name", max_length=200, blank=True)
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(default=timezone.now)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["group", "email"]
        constraints = [models.UniqueConstraint(fields=["round", "email"], name="one_invitation_per_person_per_round")]

    def __str__(self) -> str:
        return f"Invitation to {self.email}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


class Response(models.Model):
    """One respondent's answers. A response counts only once submitted, and cannot change after that."""

    invitation = models.OneToOneField(Invitation, on_delete=models.CASCADE, related_name="response")
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="responses")
    group = models.CharField(max_length=10, choices=GROUPS)
    respondent_name = models.CharField("your name", max_length=200, blank=True)
    organisation_name = models.CharField("your organisation", max_length=200, blank=True)
    anonymous = models.BooleanField(default=False)
    about_done = models.BooleanField(default=False, help_text="The respondent has answered the questions about themselves")
    started_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["submitted_at", "id"]

    def __str__(self) -> str:
        return f"Response to {self.round}"

    @property
    def label(self) -> str:
        """How the council sees who answered: partners who chose anonymity are never named."""
        if self.group == PARTNERS and self.anonymous:
            return "Anonymous community partner"
        who = self.respondent_name or self.invitation.name or self.invitation.email
        return f"{who}, {self.organisation_name}" if self.organisation_name else who


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    indicator = models.CharField(max_length=10)
    level = models.PositiveSmallIntegerField(choices=[(n, str(n)) for n in range(1, 5)])
    evidence = models.TextField(validators=[TEXT_LIMIT])
    link = models.URLField("link to the evidence", blank=True, validators=[HTTP_URL], max_length=500)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["indicator"]
        constraints = [
            models.UniqueConstraint(fields=["response", "indicator"], name="one_answer_per_indicator"),
            models.CheckConstraint(name="level_1_to_4", condition=Q(level__gte=1, level__lte=4)),
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.level}"


class Sharing(models.Model):
    """A council's consent to share its assessment results with the network, and to be named to peers."""

    council = models.OneToOneField(Council, on_delete=models.CASCADE, related_name="assessment_sharing")
    share_results = models.BooleanField("share our results with the network", default=False)
    may_be_named = models.BooleanField("name us to councils that could learn from us", default=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Sharing choice of {self.council}"


class Action(models.Model):
    """One action in a council's plan to improve against a principle."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="assessment_actions")
    round = models.ForeignKey(Round, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions")
    principle = models.PositiveSmallIntegerField(choices=[(p.number, f"{p.number}. {p.title}") for p in CURRENT.principles])
    what = models.TextField("what will be done", validators=[TEXT_LIMIT])
    owner = models.CharField("who owns it", max_length=200)
    due_on = models.DateField("due date")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    created_at = models.DateTimeField(default=timezone.now)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["principle", "due_on", "id"]

    def __str__(self) -> str:
        return self.what[:60]

    @property
    def is_overdue(self) -> bool:
        return self.status in (self.Status.NOT_STARTED, self.Status.IN_PROGRESS) and self.due_on < timezone.localdate()


class ActionUpdate(models.Model):
    """A dated note on an action's progress, kept so that the plan shows how it moved over time."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    by_label = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=20, choices=Action.Status.choices)
    note = models.TextField(blank=True, validators=[TEXT_LIMIT])

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_status_display()} at {self.at:%Y-%m-%d}"
