"""Forms for a value case: its intervention and cohort, its outcomes, a council's own unit cost."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from keepitlocal.value.engine.calculator import OPTIMISM_BIAS_BY_GRADE, Range
from keepitlocal.value.engine.money import Agency, PriceYear, ValueKind
from keepitlocal.value.models import UnitCost
from keepitlocal.web.forms import GovukForm
from keepitlocal.web.govuk import GovukDateField, MoneyField

RANGE_HINT = "A number, or low, central and high separated by commas"


class RangeField(forms.CharField):
    """A number, or three (low, central, high); a rate may be written as a percentage ('20%')."""

    def __init__(self, *args: Any, rate: bool = False, **kwargs: Any) -> None:
        self.rate = rate
        kwargs.setdefault("max_length", 100)
        super().__init__(*args, **kwargs)

    def clean(self, value: Any) -> Any:
        text = super().clean(value)
        if text in (None, ""):
            return None
        # ", " separates values; a comma inside a number ("180,000") is a thousands separator.
        parts = [p.strip() for p in re.split(r",\s+|;| to ", str(text)) if p.strip()]
        numbers = []
        for part in parts:
            percent = part.endswith("%")
            try:
                number = float(part.rstrip("%").replace("£", "").replace(",", "").strip())
            except ValueError:
                raise ValidationError(f"{self.label} must be a number, or three numbers separated by commas") from None
            numbers.append(number / 100 if percent or (self.rate and number > 1) else number)
        if len(numbers) == 1:
            found = Range.exactly(numbers[0])
        elif len(numbers) == 3:
            found = Range(*numbers)
        else:
            raise ValidationError(f"{self.label} must be one number, or three: low, central and high")
        if not found.low <= found.central <= found.high:
            raise ValidationError(f"{self.label}: the low must not be above the central, nor the central above the high")
        if found.low < 0 or (self.rate and found.high > 1):
            raise ValidationError(f"{self.label} must be between 0% and 100%" if self.rate else f"{self.label} must be 0 or more")
        return found


class PriceYearField(forms.CharField):
    def clean(self, value: Any) -> Any:
        text = super().clean(value)
        try:
            return PriceYear.parse(text).start
        except ValueError:
            raise ValidationError("Enter a financial year, such as 2019/20") from None


class CaseForm(GovukForm):
    required_messages = {"title": "Enter a title for the value case"}
    title = forms.CharField(label="Title", max_length=200, help_text="For example, Community domestic abuse service")
    price_year = PriceYearField(
        label="Price year",
        max_length=9,
        help_text="The financial year the results are priced in, such as 2019/20. Unit costs are uprated to it.",
    )
    cost_per_year = RangeField(
        label="Cost of the intervention each year (£)", help_text=RANGE_HINT + ", for example 180000, 200000, 230000"
    )
    years = forms.IntegerField(label="Years of delivery", min_value=1, max_value=50)
    cohort_per_year = RangeField(label="People reached each year", help_text=RANGE_HINT)

    def clean_cohort_per_year(self) -> Any:
        cohort = self.cleaned_data.get("cohort_per_year")
        if cohort is not None and cohort.high <= 0:
            raise ValidationError("People reached each year must be more than 0")
        return cohort


class OutcomeForm(GovukForm):
    required_messages = {"name": "Enter the outcome", "unit_costs": "Enter at least one unit cost code"}
    name = forms.CharField(
        label="Outcome",
        max_length=200,
        help_text="What the intervention avoids or achieves, for example Repeat incidents of domestic abuse avoided",
    )
    event = forms.CharField(
        label="The avoided event (optional)",
        max_length=200,
        required=False,
        help_text="Name it so that the same event claimed by two outcomes is caught, for example domestic abuse incident",
    )
    unit_costs = forms.CharField(
        label="Unit cost codes",
        max_length=500,
        help_text="Codes from the unit cost library, separated by commas, for example CR2.0.1, CR2.0.3",
    )
    kinds = forms.MultipleChoiceField(
        label="Which values count",
        choices=[(k.value, k.label) for k in ValueKind],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Leave all unticked to count every value the unit costs have",
    )
    events_per_person = RangeField(
        label="Events per person", help_text="How many such events each person would have. " + RANGE_HINT
    )
    success = RangeField(label="Success rate", rate=True, help_text="The share of people for whom it works. " + RANGE_HINT)
    deadweight = RangeField(
        label="Deadweight", rate=True, required=False, help_text="What would have happened anyway (blank: none)"
    )
    displacement = RangeField(
        label="Displacement", rate=True, required=False, help_text="The problem moved elsewhere (blank: none)"
    )
    attribution = RangeField(
        label="Attribution to others", rate=True, required=False, help_text="The share others' work deserves (blank: none)"
    )
    confidence_grade = forms.TypedChoiceField(
        label="How strong is the evidence?",
        choices=[(str(g), f"Grade {g}: optimism bias {share:.0%}") for g, share in OPTIMISM_BIAS_BY_GRADE.items()],
        coerce=int,
        widget=forms.RadioSelect,
        help_text="Grade 1 is the strongest evidence, 6 the weakest; the optimism bias haircut follows HM Treasury's 2014 guidance for local partners",
    )
    persistence = forms.IntegerField(label="Years the effect lasts", min_value=1, max_value=50)
    drop_off = RangeField(
        label="Drop-off each year",
        rate=True,
        required=False,
        help_text="How much of the effect is lost each year after the first (blank when it lasts one year)",
    )

    def clean_unit_costs(self) -> list[UnitCost]:
        codes = [c.strip().upper() for c in re.split(r"[,\s]+", self.cleaned_data.get("unit_costs", "")) if c.strip()]
        found = {c.code.upper(): c for c in UnitCost.objects.filter(is_current=True, code__in=codes)}
        missing = [c for c in codes if c not in found]
        if missing:
            raise ValidationError(f"No unit cost with the code {', '.join(missing)}: check the library")
        return [found[c] for c in codes]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        persistence = data.get("persistence")
        if persistence and persistence > 1 and data.get("drop_off") is None:
            self.add_error("drop_off", "Enter the drop-off each year (0 if none): the effect lasts more than a year")
        return data


class OwnCostForm(GovukForm):
    code = forms.CharField(label="Your code for it", max_length=20)
    description = forms.CharField(label="What it costs", max_length=500)
    value = MoneyField(label="Value (£)", min_value=0, decimal_places=2, max_digits=14)
    price_year = PriceYearField(label="Price year", max_length=9, help_text="The financial year of the value, such as 2023/24")
    agency = forms.ChoiceField(label="Who bears it", choices=[(a.value, a.label) for a in Agency], widget=forms.RadioSelect)
    kind = forms.ChoiceField(label="Kind of value", choices=[(k.value, k.label) for k in ValueKind], widget=forms.RadioSelect)
    source = forms.CharField(label="Source, with page or table", max_length=1000)
    licence = forms.CharField(label="Licence (optional)", max_length=200, required=False)


class SurveyForm(GovukForm):
    period = forms.CharField(label="Period the survey covers", max_length=100, help_text="For example, 2025/26")
    income = MoneyField(
        label="Round 1: income (£)",
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text="The contract or grant whose effect you measure",
    )
    local_staff_pay = MoneyField(label="Pay to staff who live locally (£)", min_value=0, max_digits=14, decimal_places=2)
    local_suppliers = MoneyField(label="Spending with local suppliers (£)", min_value=0, max_digits=14, decimal_places=2)
    staff_respend_share = RangeField(
        label="Share of their pay local staff spend locally", rate=True, help_text="From your survey, for example 40%"
    )
    supplier_respend_share = RangeField(
        label="Share local suppliers re-spend locally", rate=True, help_text="From your survey, for example 25%"
    )
    round3_basis = forms.ChoiceField(
        label="Where do the re-spend shares come from?",
        choices=[("survey", "Our survey of staff and suppliers"), ("assumption", "An assumption, with its source")],
        widget=forms.RadioSelect,
    )
    round3_source = forms.CharField(label="Source of the assumption (if any)", max_length=500, required=False)
    local = forms.CharField(
        label="What local means", max_length=300, help_text="For example, living or trading in the council's area"
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("staff_respend_share", "supplier_respend_share"):
            if isinstance(data.get(name), Range):
                data[name] = data[name].central
        if data.get("round3_basis") == "assumption" and not data.get("round3_source", "").strip():
            self.add_error("round3_source", "Enter the source of the assumed re-spend shares")
        return data


class EstimateForm(GovukForm):
    respend_share = RangeField(
        label="Share of local suppliers' takings re-spent locally",
        rate=True,
        help_text="For example 25%: say where it comes from below",
    )
    source = forms.CharField(
        label="Source of that share", max_length=500, help_text="A study, a survey of your suppliers, or who stated it and why"
    )
    local = forms.CharField(
        label="What local means", max_length=300, help_text="As your spend analysis places suppliers: in the council's own area"
    )


class ClaimForm(GovukForm):
    required_messages = {"what": "Enter what was done", "for_whom": "Enter who it was for"}
    what = forms.CharField(
        label="What was done",
        max_length=300,
        help_text="For example, convened a stakeholder group on violence against women and girls",
    )
    when = GovukDateField(label="When", help_text="For example, 12 3 2025")
    for_whom = forms.CharField(
        label="For whom", max_length=300, help_text="For example, the council's community safety partnership"
    )
    evidence = forms.URLField(label="Link to the evidence (optional)", required=False, max_length=500, assume_scheme="https")
    who_can_confirm = forms.CharField(
        label="Who can confirm it (optional)",
        max_length=300,
        required=False,
        help_text="A role, not a private person's contact details",
    )


class DeflatorForm(GovukForm):
    required_messages = {"file": "Choose a CSV file of the series", "source": "Enter where the series comes from"}
    file = forms.FileField(
        label="Upload a deflator series",
        help_text="A CSV file with a 'year' column (2024/25 or 2024) and an 'index' column, one row per financial year, no gaps",
        error_messages={"empty": "The selected file is empty"},
    )
    source = forms.CharField(
        label="Where the series comes from",
        help_text="For example: HM Treasury, GDP deflators at market prices, and money GDP, September 2026",
        max_length=500,
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > 1024 * 1024:
            raise ValidationError("The file must be smaller than 1 MB")
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError("The file must be a CSV file saved as UTF-8") from None
