"""Organisations' relationship maps: their elements, the connections between them, and requests to the other side of
a connection to confirm it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from keepitlocal.connections.engine.model import Direction, Kind, Sector
from keepitlocal.network.models import TEXT_LIMIT, Council, Organisation

SECTORS = [(s.value, s.label) for s in Sector]
DIRECTIONS = [(d.value, d.label) for d in Direction]
KINDS = [(k.value, k.label) for k in Kind]


class ConnectionMap(models.Model):
    """One organisation's map of its relationships: private to it unless it shares it."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="connection_map")
    shared_with = models.ManyToManyField(Council, blank=True, related_name="shared_connection_maps")
    share_with_network = models.BooleanField(default=False)
    publish_summary = models.BooleanField(default=False)
    is_demo = models.BooleanField(default=False)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Map of {self.organisation}"


class MapElement(models.Model):
    """One element of a map: an organisation, public body, business, funder, faith group or group of residents
    (never a named private individual)."""

    map = models.ForeignKey(ConnectionMap, on_delete=models.CASCADE, related_name="elements")
    label = models.CharField(max_length=200)
    # The label with case and spacing ignored: the element's identity within its map (re-imports match on it).
    key = models.CharField(max_length=200, editable=False)
    sector = models.CharField(max_length=20, choices=SECTORS, blank=True)
    type = models.CharField("type", max_length=100, blank=True)
    description = models.TextField(blank=True, validators=[TEXT_LIMIT])
    tags = models.CharField(max_length=500, blank=True)
    org_id = models.CharField("org-id", max_length=40, blank=True)
    place = models.CharField(max_length=200, blank=True)
    fields = models.JSONField(default=list, blank=True)
    is_self = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["map", "key"], name="one_element_per_label_per_map")]

    def __str__(self) -> str:
        return self.label


class MapConnection(models.Model):
    """A relationship between two elements of a map, the dates it ran, who recorded it, and whether the other side
    confirmed it."""

    map = models.ForeignKey(ConnectionMap, on_delete=models.CASCADE, related_name="connections")
    source = models.ForeignKey(MapElement, on_delete=models.CASCADE, related_name="+")
    target = models.ForeignKey(MapElement, on_delete=models.CASCADE, related_name="+")
    direction = models.CharField(max_length=20, choices=DIRECTIONS, default=Direction.DIRECTED.value)
    type = models.CharField(max_length=100, blank=True)
    kind = models.CharField(max_length=20, choices=KINDS, blank=True)
    strength = models.FloatField(null=True, blank=True)
    since = models.DateField(null=True, blank=True)
    until = models.DateField(null=True, blank=True)
    introduced_by = models.ForeignKey(MapElement, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recorded_by_name = models.CharField(max_length=200, blank=True)
    evidence = models.TextField(blank=True, validators=[TEXT_LIMIT])
    description = models.TextField(blank=True, validators=[TEXT_LIMIT])
    tags = models.CharField(max_length=500, blank=True)
    fields = models.JSONField(default=list, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.CharField(max_length=200, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.source} to {self.target}"

    @property
    def direction_label(self) -> str:
        return Direction(self.direction).label

    @property
    def kind_label(self) -> str:
        return Kind(self.kind).label if self.kind else (self.type or "Not stated")


class ConfirmationRequest(models.Model):
    """A single-use link sent to the other side of a connection, asking them to confirm it (only the link's hash is
    kept)."""

    class Answer(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        DECLINED = "declined", "Not recognised"

    connection = models.ForeignKey(MapConnection, on_delete=models.CASCADE, related_name="confirmations")
    email = models.EmailField("email address")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    answer = models.CharField(max_length=20, choices=Answer.choices, blank=True)
    answered_by = models.CharField(max_length=200, blank=True)
    # What the other side was asked about (ends, kind, dates) as it stood when the link went out: an answer confirms
    # only that, and a link whose connection has changed since is refused.
    asked_about = models.JSONField(default=dict)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"Confirmation asked of {self.email}"


class AreaMeasures(models.Model):
    """A council's area measured from the maps shared with it, worked out in the background once per change (an
    area joins many maps, and measuring it on a page view made the page as slow as its largest map). `fingerprint`
    names what it was measured from: the maps, each as it last changed, and the council's latest analysis. `figures`
    stays empty until the measuring is done."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="area_measures")
    network_team_only = models.BooleanField(default=False)
    on = models.DateField()
    fingerprint = models.CharField(max_length=64)
    requested_at = models.DateTimeField(default=timezone.now)
    computed_at = models.DateTimeField(null=True, blank=True)
    figures = models.JSONField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["council", "network_team_only", "on", "fingerprint"], name="one_measuring_per_area_state"
            )
        ]

    def __str__(self) -> str:
        return f"Area measures of {self.council} on {self.on}"
