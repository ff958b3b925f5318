"""The network registry: councils, their membership journeys, champions, organisations and events."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.validators import MaxLengthValidator, URLValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from keepitlocal.common.geography import CouncilType
from keepitlocal.network.engine.journey import STAGE_LABELS, Stage, Status

HTTP_URL = URLValidator(schemes=["http", "https"], message="Enter a link that starts with http:// or https://")
TEXT_LIMIT = MaxLengthValidator(settings.KIL_MAX_TEXT)


class Council(models.Model):
    """A UK principal local authority, identified by its ONS GSS code."""

    gss_code = models.CharField("GSS code", max_length=9, unique=True)
    name = models.CharField(max_length=200)
    council_type = models.CharField(max_length=40, choices=[(t.value, t.value) for t in CouncilType])
    parent_code = models.CharField("upper-tier council code", max_length=9, blank=True)
    region_code = models.CharField(max_length=9, blank=True)
    region_name = models.CharField("region or nation", max_length=100, blank=True)
    nation = models.CharField(max_length=40, blank=True)
    successor_code = models.CharField(max_length=9, blank=True, help_text="Set when the council was abolished")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_current(self) -> bool:
        return not self.successor_code

    @property
    def org_id(self) -> str:
        return self.gss_code

    @property
    def parent(self) -> Council | None:
        return Council.objects.filter(gss_code=self.parent_code).first() if self.parent_code else None

    @property
    def successor(self) -> Council | None:
        return Council.objects.filter(gss_code=self.successor_code).first() if self.successor_code else None


class ImportRecord(models.Model):
    """What every import of a file records, whichever capability reads it (the councils file, a unit-cost library,
    360Giving grants, an Open Referral feed): where it came from, when, the rows read, what they created, updated or
    left unchanged, the rows not read with their reasons, and whether it went through."""

    source = models.TextField()  # the file read, as its uploader named it, or its address
    started_at = models.DateTimeField(default=timezone.now)
    rows_read = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    problems = models.JSONField(default=list, blank=True)  # each row not read: where it is and why
    succeeded = models.BooleanField(default=False)

    class Meta:
        abstract = True
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.source} at {self.started_at:%-d %B %Y %H:%M}"


class ImportRun(ImportRecord):
    """One run of a registry import (councils, reference data), with the rows skipped as out of scope."""

    kind = models.CharField(max_length=40)
    finished_at = models.DateTimeField(null=True, blank=True)
    skipped = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta(ImportRecord.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.kind} from {self.source} at {self.started_at:%Y-%m-%d %H:%M}"


class PrincipleSet(models.Model):
    """A published version of the Keep it Local principles."""

    version = models.CharField(max_length=20, unique=True)
    published_on = models.DateField()
    is_current = models.BooleanField(default=False)

    class Meta:
        ordering = ["-published_on"]
        constraints = [
            models.UniqueConstraint(fields=["is_current"], condition=Q(is_current=True), name="one_current_principle_set")
        ]

    def __str__(self) -> str:
        return f"Principles version {self.version}"


class Principle(models.Model):
    """One of the Keep it Local principles within a version."""

    principle_set = models.ForeignKey(PrincipleSet, on_delete=models.CASCADE, related_name="principles")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    description = models.TextField()

    class Meta:
        ordering = ["principle_set", "number"]
        constraints = [models.UniqueConstraint(fields=["principle_set", "number"], name="unique_principle_number")]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Cohort(models.Model):
    """A group of councils that joined the network together, such as the 2020 trailblazers."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100)
    announced_on = models.DateField(null=True, blank=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["announced_on", "name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A council's journey through the Keep it Local network, from prospect to active member."""

    council = models.OneToOneField(Council, on_delete=models.PROTECT, related_name="membership")
    cohort = models.ForeignKey(Cohort, null=True, blank=True, on_delete=models.SET_NULL, related_name="memberships")
    joined_on = models.DateField("date joined", null=True, blank=True)
    status = models.CharField(max_length=20, choices=[(s.value, s.label) for s in Status], default=Status.IN_PROGRESS)
    stage = models.CharField(max_length=30, choices=[(s.value, STAGE_LABELS[s]) for s in Stage], default=Stage.PROSPECT)
    stage_since = models.DateField(default=date.today)
    internal_notes = models.TextField(blank=True, validators=[TEXT_LIMIT])
    is_demo = models.BooleanField(default=False, help_text="Made up for the demonstration, not a real record")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["council__name"]

    def __str__(self) -> str:
        return f"Membership of {self.council}"

    @property
    def stage_label(self) -> str:
        return STAGE_LABELS[Stage(self.stage)]


class Endorsement(models.Model):
    """A council's endorsement of the six principles, with the evidence of how it was decided."""

    class Mechanism(models.TextChoices):
        CABINET_DECISION = "cabinet_decision", "Cabinet decision"
        LEADER_AND_CHIEF_EXECUTIVE = "leader_and_chief_executive", "Signed by the leader and the chief executive"
        OTHER = "other", "Other"

    membership = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="endorsement")
    is_draft = models.BooleanField("draft", default=True, help_text="A draft is seen only by the council and the network team")
    mechanism = models.CharField("how it was endorsed", max_length=40, choices=Mechanism.choices)
    mechanism_other = models.CharField("how it was endorsed (other)", max_length=200, blank=True)
    endorsed_on = models.DateField("date of the endorsement", null=True, blank=True)
    signatories = models.TextField(blank=True, validators=[TEXT_LIMIT])
    decision_url = models.URLField("link to the decision", blank=True, validators=[HTTP_URL], max_length=500)
    wording = models.TextField("wording endorsed", blank=True, validators=[TEXT_LIMIT])
    principle_set = models.ForeignKey(
        PrincipleSet, on_delete=models.PROTECT, related_name="endorsements", verbose_name="principles version"
    )

    def __str__(self) -> str:
        return f"Endorsement by {self.membership.council}"


class Champion(models.Model):
    """A named champion of Keep it Local inside a council: one in the cabinet, one in senior management."""

    class Role(models.TextChoices):
        CABINET = "cabinet", "Cabinet champion"
        SENIOR_MANAGEMENT = "senior_management", "Senior management champion"

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="champions")
    role = models.CharField("champion", max_length=30, choices=Role.choices)
    name = models.CharField("full name", max_length=200)
    role_title = models.CharField("role title", max_length=200)
    email = models.EmailField("email address", blank=True)
    phone = models.CharField("phone number", max_length=40, blank=True)
    started_on = models.DateField("start date")
    ended_on = models.DateField("end date", null=True, blank=True)

    class Meta:
        ordering = ["role", "-started_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")), name="champion_ends_after_start"
            ),
            models.CheckConstraint(condition=~Q(role_title=""), name="champion_has_role_title"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.role_title}"

    def is_current(self, on: date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.started_on <= on and (self.ended_on is None or self.ended_on >= on)


class CommunityConversation(models.Model):
    """A conversation a council convened with its community about keeping it local."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="conversations")
    held_on = models.DateField("date of the conversation")
    organisations = models.TextField("organisations that took part", blank=True, validators=[TEXT_LIMIT])
    residents = models.PositiveIntegerField("number of residents", default=0)
    agreed = models.TextField("what was agreed", validators=[TEXT_LIMIT])

    class Meta:
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return f"Community conversation in {self.membership.council} on {self.held_on}"


class Organisation(models.Model):
    """A community organisation in the network, identified by its org-id where it has one."""

    name = models.CharField(max_length=200)
    org_id = models.CharField("org-id", max_length=40, unique=True, null=True, blank=True)
    home_council = models.ForeignKey(Council, null=True, blank=True, on_delete=models.SET_NULL, related_name="organisations")
    description = models.TextField(blank=True, validators=[TEXT_LIMIT])
    website = models.URLField(blank=True, validators=[HTTP_URL], max_length=500)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class NetworkMember(models.Model):
    """A person or organisation who asked to join the network, and whether the network team has accepted them."""

    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", "As an individual"
        ORGANISATION = "organisation", "On behalf of a community organisation"
        COUNCIL = "council", "On behalf of a council that wants to join"

    class State(models.TextChoices):
        PENDING = "pending", "Waiting for review"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    name = models.CharField(max_length=200)
    email = models.EmailField()
    organisation_name = models.CharField(max_length=200, blank=True)
    org_id = models.CharField("org-id", max_length=40, blank=True)
    home_council = models.ForeignKey(Council, null=True, blank=True, on_delete=models.SET_NULL, related_name="network_members")
    area = models.CharField(max_length=200, blank=True)
    interests = models.TextField(blank=True, validators=[TEXT_LIMIT])
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="members")
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-joined_at"]

    def __str__(self) -> str:
        return self.name


class Event(models.Model):
    """A network event or peer exchange between councils, with notes shared among those taking part."""

    title = models.CharField(max_length=200)
    held_on = models.DateField()
    topic = models.CharField(max_length=200, blank=True)
    notes = models.TextField("notes for the participants", blank=True, validators=[TEXT_LIMIT])
    councils = models.ManyToManyField(Council, related_name="events")
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return self.title


class AuditEntry(models.Model):
    """One change to a council's membership records: who changed what, when, from what to what."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="audit_entries")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_label = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=20)
    record = models.CharField(max_length=100)
    record_id = models.CharField(max_length=40, blank=True)
    changes = models.JSONField(default=list)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.action} {self.record} by {self.actor_label} at {self.at:%Y-%m-%d %H:%M}"
