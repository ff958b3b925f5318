"""Unit costs (versioned), the deflator series used to uprate them, and councils' value cases with their outcomes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from keepitlocal.network.models import HTTP_URL, TEXT_LIMIT, Council, ImportRecord
from keepitlocal.value.engine.money import Agency, Confidence

AGENCIES = [(a.value, a.label) for a in Agency]
CONFIDENCE = [(c.value, c.label) for c in Confidence]


class UnitCostImport(ImportRecord):
    """One import of a unit-cost library file: what was read, added, changed and not read."""

    sha256 = models.CharField(max_length=64)

    class Meta(ImportRecord.Meta):
        pass


class UnitCost(models.Model):
    """One version of a unit cost: a library line or a user's own. Editing makes a new version; value cases keep
    the versions they used."""

    code = models.CharField(max_length=40)
    version = models.PositiveIntegerField(default=1)
    is_current = models.BooleanField(default=True)
    description = models.TextField(validators=[TEXT_LIMIT])
    unit = models.CharField(max_length=100, blank=True)
    agency = models.CharField(max_length=20, choices=AGENCIES)
    agency_level1 = models.CharField(max_length=200, blank=True)
    agency_level2 = models.CharField(max_length=200, blank=True)
    theme = models.CharField(max_length=100, blank=True)
    # {"fiscal": {"value": 2470.0, "price_year": 2008}, ...}
    values = models.JSONField()
    source = models.TextField(validators=[TEXT_LIMIT])
    confidence = models.CharField(max_length=1, choices=CONFIDENCE, blank=True)
    comment = models.TextField(blank=True)
    licence = models.CharField(max_length=200, blank=True)
    cashable = models.BooleanField(null=True, blank=True)
    geography = models.CharField(max_length=200, blank=True)
    council = models.ForeignKey(Council, null=True, blank=True, on_delete=models.CASCADE, related_name="unit_costs")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    imported_by = models.ForeignKey(UnitCostImport, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="one_unit_cost_version"),
            models.UniqueConstraint(fields=["code"], condition=Q(is_current=True), name="one_current_unit_cost"),
        ]

    def __str__(self) -> str:
        return f"{self.code} (version {self.version})"


class DeflatorSeries(models.Model):
    """A deflator series (financial year -> index) with its citation; the newest loaded is used for new cases."""

    citation = models.TextField()
    index = models.JSONField()  # {"2008": 84.2, ...} by the year each financial year starts
    loaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-loaded_at"]

    def __str__(self) -> str:
        return self.citation


class ValueCases(models.QuerySet["ValueCase"]):
    """The questions asked of value cases again and again, asked one way."""

    def published(self) -> ValueCases:
        """Cases their councils published: the only ones anyone outside the council sees."""
        return self.filter(published_at__isnull=False)


class ValueCase(models.Model):
    """A council's case for the value of an intervention: its costs, cohort and outcomes; calculated on request."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="value_cases")
    title = models.CharField(max_length=200)
    price_year = models.PositiveIntegerField()
    cost_per_year = models.JSONField()  # {"low": .., "central": .., "high": ..}
    years = models.PositiveIntegerField(default=1)
    cohort_per_year = models.JSONField()
    deflator = models.ForeignKey(DeflatorSeries, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    is_demo = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ValueCases.as_manager()

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class CaseOutcome(models.Model):
    """One outcome of a value case, with the unit-cost versions it uses and every rate as low, central and high."""

    case = models.ForeignKey(ValueCase, on_delete=models.CASCADE, related_name="outcomes")
    name = models.CharField(max_length=200)
    event = models.CharField(max_length=200, blank=True)
    unit_costs = models.ManyToManyField(UnitCost, related_name="+")
    kinds = models.JSONField(default=list)  # ["fiscal", "economic", "social"]
    # {"events_per_person": {"low":..}, "success": {...}, "deadweight": ..., "displacement", "attribution",
    #  "optimism_bias", "drop_off"}
    rates = models.JSONField()
    persistence = models.PositiveIntegerField(default=1)
    cashable = models.BooleanField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name


class GrantImport(ImportRecord):
    """One import of a 360Giving file: grants read, added, already held (unchanged: a grant held is never changed),
    and the rows not read."""

    sha256 = models.CharField(max_length=64)

    class Meta(ImportRecord.Meta):
        pass


class Grant(models.Model):
    """A grant published to the 360Giving standard, its recipient resolved to an org-id and placed in a local
    authority area where its location code or postcode allows."""

    grant_id = models.CharField(max_length=200, unique=True)
    title = models.CharField(max_length=500, blank=True)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3, default="GBP")
    award_date = models.DateField()
    financial_year = models.CharField(max_length=7)
    funder_id = models.CharField(max_length=200, blank=True)
    funder_name = models.CharField(max_length=300)
    recipient_name = models.CharField(max_length=300)
    recipient_org_id = models.CharField(max_length=40, blank=True, db_index=True)
    postcode = models.CharField(max_length=12, blank=True)
    lad = models.CharField("local authority district", max_length=9, blank=True, db_index=True)
    to_individual = models.BooleanField(default=False)
    imported_by = models.ForeignKey(GrantImport, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-award_date"]

    def __str__(self) -> str:
        return self.grant_id


class LM3Survey(models.Model):
    """An organisation's local multiplier survey: its income, what it spent locally, and what that was re-spent."""

    organisation = models.ForeignKey("network.Organisation", on_delete=models.CASCADE, related_name="lm3_surveys")
    period = models.CharField(max_length=100)
    income = models.DecimalField(max_digits=14, decimal_places=2)
    local_staff_pay = models.DecimalField(max_digits=14, decimal_places=2)
    local_suppliers = models.DecimalField(max_digits=14, decimal_places=2)
    staff_respend_share = models.FloatField()
    supplier_respend_share = models.FloatField()
    local = models.CharField("what local means", max_length=300)
    round3_basis = models.CharField(max_length=20, default="survey")
    round3_source = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"LM3 of {self.organisation} for {self.period}"


class LM3Estimate(models.Model):
    """A council's stated re-spend share for an LM3 estimate from its spend, with the source it relies on."""

    council = models.OneToOneField(Council, on_delete=models.CASCADE, related_name="lm3_estimate")
    respend_share = models.FloatField()
    source = models.CharField(max_length=500)
    local = models.CharField("what local means", max_length=300)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"LM3 estimate for {self.council}"


class ValueClaim(models.Model):
    """Value a case evidences without a price (convening, informing a strategy, mapping assets): never turned into
    money, shown beside the figures."""

    case = models.ForeignKey(ValueCase, on_delete=models.CASCADE, related_name="claims")
    what = models.CharField("what was done", max_length=300)
    when = models.DateField()
    for_whom = models.CharField("for whom", max_length=300)
    evidence = models.URLField("link to the evidence", blank=True, max_length=500, validators=[HTTP_URL])
    who_can_confirm = models.CharField("who can confirm it", max_length=300, blank=True)

    class Meta:
        ordering = ["-when"]

    def __str__(self) -> str:
        return self.what


class ConnectionsContext(models.Model):
    """An organisation's connections measures, attached by the organisation to a value case as context: what its map
    showed on the day it attached them, kept as they were so that the case reads the same later. Never money."""

    case = models.ForeignKey(ValueCase, on_delete=models.CASCADE, related_name="contexts")
    organisation = models.ForeignKey("network.Organisation", on_delete=models.CASCADE, related_name="value_contexts")
    on = models.DateField("measured on")
    attached_by = models.CharField(max_length=300)
    resident_groups = models.PositiveIntegerField("resident groups it is connected to")
    residents_cut_off = models.PositiveIntegerField(
        "resident groups on its map that would lose every path to a public body without it"
    )
    public_bodies = models.PositiveIntegerField("public bodies it is connected to")
    sectors = models.PositiveIntegerField("sectors it is connected to")
    connections = models.PositiveIntegerField()
    confirmed = models.PositiveIntegerField("connections the other side confirmed")
    introductions = models.PositiveIntegerField("introductions it made that still last")

    class Meta:
        ordering = ["organisation__name"]
        constraints = [models.UniqueConstraint(fields=["case", "organisation"], name="one_context_per_organisation")]

    def __str__(self) -> str:
        return f"{self.organisation} on {self.on}"
