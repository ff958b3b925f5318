"""A council's spend files and what the latest analysis of them found."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property

from keepitlocal.network.models import Council
from keepitlocal.spend.engine.figures import AnalysisFigures, FigureSet
from keepitlocal.spend.engine.periods import Period
from keepitlocal.spend.engine.read import FileStatus

if TYPE_CHECKING:
    from keepitlocal.spend.figures import PublishedFigures

_NO_PAYMENTS = FigureSet(Period(None, None), ())


class SpendFile(models.Model):
    """A spend file a council uploaded: stored, hashed, and analysed together with the council's other files."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="spend_files")
    original_name = models.CharField(max_length=255)
    stored = models.FileField(upload_to="spend/%Y/%m/", max_length=500)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["original_name", "uploaded_at"]
        constraints = [models.UniqueConstraint(fields=["council", "sha256"], name="one_copy_of_a_file_per_council")]

    def __str__(self) -> str:
        return self.original_name


class AnalysisRuns(models.QuerySet["AnalysisRun"]):
    """The questions asked of analyses again and again, asked one way."""

    def finished(self) -> AnalysisRuns:
        """Analyses that succeeded, newest first."""
        return self.filter(status=AnalysisRun.Status.SUCCEEDED)

    def latest_finished(self, council: Council) -> AnalysisRun | None:
        """The council's latest finished analysis: the one its figures, suppliers and publication come from."""
        return self.finished().filter(council=council).first()


class AnalysisRun(models.Model):
    """One background analysis of all of a council's spend files."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Finished"
        FAILED = "failed", "Failed"

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="analysis_runs")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(max_length=40, blank=True)
    files_done = models.PositiveIntegerField(default=0)
    files_total = models.PositiveIntegerField(default=0)
    files_refused = models.PositiveIntegerField(default=0)  # of files_done: refused or ambiguous, not read
    rows_processed = models.PositiveBigIntegerField(default=0)
    message = models.TextField(blank=True)
    files_report = models.JSONField(default=list, blank=True)
    # A run that applied people's corrections to the figures of an earlier one, without reading the files again.
    based_on = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Whether its supplier records hold all that the figures need (locality in the region, the org-id found), so that
    # corrections can be applied to them directly; analyses saved before that was kept are analysed again instead.
    reclassifiable = models.BooleanField(default=False)
    # How each layout (files with the same heading row) was read: read.LayoutReport as JSON, file names as uploaded.
    layouts = models.JSONField(default=list, blank=True)
    registers_used = models.JSONField(default=list, blank=True)
    charts = models.JSONField(default=dict, blank=True, help_text="SVG charts drawn once when the analysis finished")
    # The analysis's figures, the engine's own type (engine.figures.AnalysisFigures.as_json, with its schema version):
    # the whole period and each financial year, so that no page merges years without saying so. Read as
    # `analysis_figures`; written only by `set_figures`, which also copies the two small parts lists read without
    # the figures: the whole period (periods.Period.as_json) and the financial years' labels.
    figures = models.JSONField(default=dict, blank=True)
    period = models.JSONField(default=dict, blank=True)
    year_labels = models.JSONField(default=list, blank=True)
    # A failed analysis keeps its full traceback for the network team; `message` is what the council sees.
    traceback = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Written by the worker at least every HEARTBEAT seconds while it runs: a running analysis whose heartbeat has
    # stopped lost its worker (analysis.recover_stuck_runs).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # The analysis whose payments, suppliers and rejected rows are the council's current ones (at most one a council).
    # An analysis saves its rows beside the current ones in short transactions and they become current all at once,
    # when this moves to it: a save never holds the database's write lock for longer than one batch.
    holds_rows = models.BooleanField(default=False, db_index=True)

    objects = AnalysisRuns.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Analysis of {self.council} ({self.get_status_display()})"

    @property
    def done(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)

    @property
    def stage_label(self) -> str:
        """The stage in words ('finding and classifying suppliers'); never the engine's code."""
        from keepitlocal.spend.engine.pipeline import Stage

        if self.stage == "saving":
            return "saving the results"
        try:
            return Stage(self.stage).label
        except ValueError:
            return "working"

    @property
    def percent(self) -> int:
        if self.status == self.Status.SUCCEEDED:
            return 100
        from keepitlocal.spend.engine.pipeline import STAGES

        stages = [*STAGES, "saving"]
        reading = self.files_done / self.files_total if self.files_total else 0
        index = stages.index(self.stage) if self.stage in stages else 0
        return int(min(99, 60 * reading if self.stage in ("", "read", "file") else 60 + 40 * index / len(stages)))

    @cached_property
    def analysis_figures(self) -> AnalysisFigures:
        """The figures, typed (none for an analysis that has not finished)."""
        if not self.figures:
            return AnalysisFigures(_NO_PAYMENTS)
        return AnalysisFigures.from_json(self.figures)

    def set_figures(self, figures: AnalysisFigures | None) -> None:
        """The analysis's figures (None: no files, no figures), with the light copies read without them."""
        self.figures = figures.as_json() if figures is not None else {}
        self.period = figures.period.as_json() if figures is not None else {}
        self.year_labels = [y.year for y in figures.years] if figures is not None else []
        self.__dict__.pop("analysis_figures", None)

    def unread_files(self) -> list[dict[str, Any]]:
        """The files this analysis did not read (refused as not spend, or waiting for a column to be chosen), as kept in
        its report, each with why: their payments are not in its figures."""
        return [f for f in self.files_report or [] if f.get("status") != FileStatus.READ]


class CurrentRows(models.Manager[Any]):
    """The rows of the analyses that hold their councils' rows (`AnalysisRun.holds_rows`), and rows made by hand with
    no analysis; rows an analysis is still saving, or left by one that failed, are not seen. Deleting through related
    objects uses Django's plain base manager, so it reaches every row."""

    def get_queryset(self) -> models.QuerySet[Any]:
        holding = AnalysisRun.objects.filter(holds_rows=True).values("pk")
        return super().get_queryset().filter(models.Q(run__isnull=True) | models.Q(run__in=holding))


class Supplier(models.Model):
    """A supplier of a council, as resolved and classified by the latest analysis."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="suppliers")
    run = models.ForeignKey(AnalysisRun, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    name = models.CharField(max_length=500)
    names = models.TextField(blank=True)
    org_id = models.CharField(max_length=40, blank=True)
    supplier_type = models.CharField(max_length=20)
    evidence = models.TextField(blank=True)
    # The kind of fact that decided the type (the engine's classify.Evidence), for filtering; `evidence` is the sentence.
    evidence_kind = models.CharField(max_length=20, blank=True)
    confidence = models.FloatField(default=0)
    postcode = models.CharField(max_length=12, blank=True)
    lad_code = models.CharField(max_length=9, blank=True)
    is_local = models.BooleanField(null=True)
    in_region = models.BooleanField(null=True)
    # The org-id the analysis found itself, before any person's correction (a correction without one falls back to it).
    found_org_id = models.CharField(max_length=40, blank=True)
    candidates = models.TextField(blank=True)
    total_amount = models.DecimalField(max_digits=16, decimal_places=2)
    transactions = models.PositiveIntegerField()

    # `every` reaches rows of every analysis (to delete them); `objects`, the default, only the current ones.
    every = models.Manager()
    objects = CurrentRows()

    class Meta:
        default_manager_name = "objects"
        ordering = ["-total_amount"]
        constraints = [models.UniqueConstraint(fields=["council", "run", "key"], name="one_supplier_key_per_council_run")]

    def __str__(self) -> str:
        return self.name


class Payment(models.Model):
    """One payment kept from a council's spend files."""

    # No index of its own: both indexes below begin with the council (a third index cost a tenth of every save).
    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="payments", db_index=False)
    run = models.ForeignKey(AnalysisRun, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    spend_file = models.ForeignKey(SpendFile, on_delete=models.CASCADE, related_name="payments")
    source_row = models.PositiveBigIntegerField()
    date = models.DateField()
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    supplier_name = models.CharField(max_length=500)
    supplier_key = models.CharField(max_length=100)
    org_id = models.CharField(max_length=40, blank=True)
    supplier_type = models.CharField(max_length=20)
    is_local = models.BooleanField(null=True)
    service_area = models.CharField(max_length=500, blank=True)
    expense_type = models.CharField(max_length=500, blank=True)

    # `every` reaches rows of every analysis (to delete them); `objects`, the default, only the current ones.
    every = models.Manager()
    objects = CurrentRows()

    class Meta:
        default_manager_name = "objects"
        ordering = ["date", "id"]
        # A supplier's payments are read newest first: with the date in the supplier's index the database finds and
        # orders them from it, rather than walking the council's whole date index (seconds with a million payments).
        indexes = [models.Index(fields=["council", "date"]), models.Index(fields=["council", "supplier_key", "date"])]

    def __str__(self) -> str:
        return f"{self.date} {self.supplier_name} £{self.amount}"


class RejectedRow(models.Model):
    """A row of a spend file that was not kept, with the reason."""

    spend_file = models.ForeignKey(SpendFile, on_delete=models.CASCADE, related_name="rejected_rows")
    run = models.ForeignKey(AnalysisRun, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    source_row = models.PositiveBigIntegerField()
    reason = models.CharField(max_length=500)
    raw_line = models.TextField()

    # `every` reaches rows of every analysis (to delete them); `objects`, the default, only the current ones.
    every = models.Manager()
    objects = CurrentRows()

    class Meta:
        default_manager_name = "objects"
        ordering = ["spend_file", "source_row"]

    def __str__(self) -> str:
        return f"{self.spend_file} row {self.source_row}: {self.reason}"


class SupplierCorrection(models.Model):
    """A council editor's correction of a supplier's type or organisation, kept across every re-analysis."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="supplier_corrections")
    supplier_key = models.CharField(max_length=100)
    supplier_type = models.CharField(max_length=20)
    org_id = models.CharField("org-id", max_length=40, blank=True)
    reason = models.TextField()
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    corrected_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-corrected_at"]
        constraints = [models.UniqueConstraint(fields=["council", "supplier_key"], name="one_correction_per_supplier")]

    def __str__(self) -> str:
        return f"{self.supplier_key}: {self.supplier_type}"

    def evidence(self) -> str:
        who = self.corrected_by.email if self.corrected_by else "a council editor"
        return f"Corrected by {who} on {self.corrected_at:%-d %B %Y}: {self.reason}"


class SpendPublication(models.Model):
    """A council's decision to publish the figures of one analysis on its public profile and the comparison page."""

    council = models.OneToOneField(Council, on_delete=models.CASCADE, related_name="spend_publication")
    run = models.ForeignKey(AnalysisRun, on_delete=models.PROTECT, related_name="+")
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Published spend of {self.council}"

    def years(self) -> list[str]:
        return list(self.run.year_labels or [])

    def figures(self, year: str | None = None, with_trend: bool = False) -> PublishedFigures:
        """What the public sees for one financial year (the latest with payments unless another is asked for); with
        `with_trend`, every year's headline shares too (a profile's, not the comparison's, which reads no chart)."""
        from keepitlocal.spend.figures import PublishedFigures, figures, trend

        return PublishedFigures(
            council=self.council,
            # A demonstration council's figures are made up, and say so wherever they are shown.
            is_demo=bool(getattr(getattr(self.council, "membership", None), "is_demo", False)),
            shown=figures(self.run, year, charts=False),
            years=self.years(),
            files=[f["file"] for f in self.run.files_report if f.get("status") == "read"],
            registers=list(self.run.registers_used),
            analysed_on=self.run.finished_at,
            trend=trend(self.run.analysis_figures) if with_trend else [],
            trend_chart=(self.run.charts or {}).get("trend", "") if with_trend else "",
        )


class PublishedSupplier(models.Model):
    """A supplier as the council published it: copied from the analysis it published, when it published it, so that
    what others see (an organisation's home, the reconciliation service, the directory) stays as published while
    the council analyses again or corrects suppliers privately."""

    publication = models.ForeignKey(SpendPublication, on_delete=models.CASCADE, related_name="suppliers")
    key = models.CharField(max_length=100)
    name = models.CharField(max_length=500)
    names = models.TextField(blank=True)
    org_id = models.CharField(max_length=40, blank=True)
    supplier_type = models.CharField(max_length=20)
    postcode = models.CharField(max_length=12, blank=True)
    total_amount = models.DecimalField(max_digits=16, decimal_places=2)
    transactions = models.PositiveIntegerField()

    class Meta:
        ordering = ["-total_amount"]
        indexes = [models.Index(fields=["org_id"])]

    def __str__(self) -> str:
        return self.name


class RegisterFile(models.Model):
    """A register file (charities, companies, postcodes...) loaded once for every council's spend analysis."""

    original_name = models.CharField(max_length=255)
    stored_name = models.CharField(max_length=300, unique=True)
    sha256 = models.CharField(max_length=64, unique=True)
    size = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=100)
    # The engine's name for the kind (registers.recognise), for code; `kind` is the words shown.
    kind_code = models.CharField(max_length=40, blank=True)
    rows = models.PositiveBigIntegerField(default=0)
    # Where a fetched file came from (empty for a file a person uploaded).
    source_url = models.URLField(max_length=500, blank=True)
    edition = models.DateField(null=True, blank=True)
    fetched_at = models.DateTimeField(null=True, blank=True)
    loaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    loaded_at = models.DateTimeField(default=timezone.now)
    # Made up for the demonstration: read for the demo councils' analyses, never a real council's (a real supplier
    # matched to a made-up company would be published as placed where no company is).
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["original_name"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.kind})"

    @property
    def path(self) -> Path:
        """Where the file is kept: its name in the registers folder, and never anywhere else (a stored name with a
        folder in it, from a crafted backup say, keeps only its last part)."""
        return Path(settings.KIL_REGISTERS_DIR) / Path(self.stored_name).name

    def describe(self) -> str:
        """The register in words, as the figures that used it name it to anyone: what it is, which edition, how much of
        it and when it was loaded; never its file's name."""
        edition = f", edition of {self.edition:%-d %B %Y}" if self.edition else ""
        made_up = " (made up for the demonstration)" if self.is_demo else ""
        source = f", fetched from {urlsplit(self.source_url).netloc}" if self.source_url else ""
        return f"{self.kind}{made_up}{edition}, {self.rows:,} rows{source}, loaded {self.loaded_at:%-d %B %Y}"


class ColumnChoice(models.Model):
    """A council editor's choice of which published column is which field, for every file of one layout (files whose
    heading rows are the same: columns.layout_key); a choice with no layout, made before layouts were kept, serves
    every layout that has the column."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="column_choices")
    layout = models.CharField(max_length=12, blank=True, default="")
    field = models.CharField(max_length=40)
    column = models.CharField(max_length=255)  # a heading ('Amount#2' for the second of two), or '' for "not used"
    chosen_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    chosen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["layout", "field"]
        constraints = [models.UniqueConstraint(fields=["council", "layout", "field"], name="one_column_choice_per_layout_field")]

    def __str__(self) -> str:
        return f"{self.field} ← {self.column}"


class RegisterFetch(models.Model):
    """One background fetch of the official registers from their publishers, asked for on the registers page."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Downloading"
        SUCCEEDED = "succeeded", "Finished"
        FAILED = "failed", "Finished with problems"

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    kinds = models.JSONField(default=list)
    # One line per register: {"kind", "title", "ok", "message"}, written as each finishes.
    results = models.JSONField(default=list, blank=True)
    traceback = models.TextField(blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Register fetch of {self.created_at:%Y-%m-%d %H:%M} ({self.get_status_display()})"

    @property
    def done(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)


class Reanalysis(models.Model):
    """Every council's spend analysed again after the registers changed (loaded, fetched or removed): one analysis
    queued per council, each a task of its own, so that a council's own upload never waits behind the batch and a
    worker that stops loses one council's analysis, not the rest. Its progress is read from those analyses."""

    reason = models.TextField(blank=True)
    councils = models.JSONField(default=list)  # GSS codes
    runs = models.JSONField(default=list)  # the analyses queued (AnalysisRun ids), one per council
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Analyses again of {self.created_at:%Y-%m-%d %H:%M}"

    def progress(self) -> tuple[int, list[str]]:
        """How many of its analyses have finished, and the councils whose analysis did not."""
        finished = AnalysisRun.objects.filter(
            pk__in=self.runs, status__in=[AnalysisRun.Status.SUCCEEDED, AnalysisRun.Status.FAILED]
        )
        failed = [run.council.name for run in finished.select_related("council") if run.status == AnalysisRun.Status.FAILED]
        return finished.count(), failed
