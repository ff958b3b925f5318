"""Turn Django form fields into the parameter dictionaries that the GOV.UK Frontend macros expect.

One place for this so that every form gets the same error summary, inline errors, hints and ids.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms


def _error(bound: forms.BoundField) -> dict[str, str] | None:
    if not bound.errors:
        return None
    return {"text": " ".join(str(e) for e in bound.errors)}


def _label(bound: forms.BoundField, is_page_heading: bool, classes: str) -> dict[str, Any]:
    label: dict[str, Any] = {"text": str(bound.label)}
    if is_page_heading:
        label.update(isPageHeading=True, classes=classes or "govuk-label--l")
    elif classes:
        label["classes"] = classes
    return label


def first_error_id(bound: forms.BoundField) -> str:
    if isinstance(bound.field, GovukDateField):
        return f"{bound.auto_id}-day"
    if isinstance(bound.field, forms.ChoiceField) and isinstance(
        bound.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple
    ):
        return f"{bound.auto_id}"
    return bound.auto_id


def field(bound: forms.BoundField, *, page_heading: bool = False, label_classes: str = "", **extra: Any) -> dict[str, Any]:
    """Parameters for govukInput, govukTextarea, govukSelect or govukCharacterCount."""
    value = bound.value()
    params: dict[str, Any] = {
        "id": bound.auto_id,
        "name": bound.html_name,
        "label": _label(bound, page_heading, label_classes),
        "value": "" if value is None else value,
        "errorMessage": _error(bound),
    }
    if bound.help_text:
        params["hint"] = {"text": str(bound.help_text)}
    max_length = getattr(bound.field, "max_length", None)
    if max_length and isinstance(bound.field.widget, forms.Textarea):
        params["maxlength"] = max_length
    if isinstance(bound.field, forms.EmailField):
        params.update(type="email", autocomplete="email", spellcheck=False)
    if isinstance(bound.field, forms.URLField):
        params.update(type="url", spellcheck=False)
    if getattr(bound.field.widget, "allow_multiple_selected", False) and isinstance(bound.field, forms.FileField):
        params["attributes"] = {"multiple": "multiple"}
    if isinstance(bound.field, forms.IntegerField):
        params.update(inputmode="numeric", classes="govuk-input--width-5")
    if isinstance(bound.field, forms.ChoiceField) and not isinstance(bound.field.widget, forms.RadioSelect):
        choices: Any = bound.field.choices
        params["items"] = [{"value": str(k), "text": str(v), "selected": str(k) == str(value)} for k, v in choices]
    params.update(extra)
    return params


def choice_field(
    bound: forms.BoundField,
    *,
    page_heading: bool = False,
    legend_classes: str = "govuk-fieldset__legend--m",
    hints: dict[str, str] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """Parameters for govukRadios or govukCheckboxes."""
    value = bound.value()
    selected = {str(v) for v in value} if isinstance(value, list | tuple) else {str(value)}
    legend: dict[str, Any] = {"text": str(bound.label), "classes": legend_classes}
    if page_heading:
        legend.update(isPageHeading=True, classes="govuk-fieldset__legend--l")
    items = []
    choices: Any = getattr(bound.field, "choices", ())
    for key, text in choices:
        if key in ("", None):
            continue
        item: dict[str, Any] = {"value": str(key), "text": str(text), "checked": str(key) in selected}
        if hints and str(key) in hints:
            item["hint"] = {"text": hints[str(key)]}
        items.append(item)
    params: dict[str, Any] = {
        "idPrefix": bound.auto_id,
        "name": bound.html_name,
        "fieldset": {"legend": legend},
        "items": items,
        "errorMessage": _error(bound),
    }
    if bound.help_text:
        params["hint"] = {"text": str(bound.help_text)}
    params.update(extra)
    return params


def date_field(bound: forms.BoundField, *, page_heading: bool = False, **extra: Any) -> dict[str, Any]:
    """Parameters for govukDateInput from a GovukDateField."""
    raw = bound.value()
    parts = raw if isinstance(raw, list | tuple) else DateWidget().decompress(raw)
    has_error = bool(bound.errors)
    legend: dict[str, Any] = {"text": str(bound.label), "classes": "govuk-fieldset__legend--m"}
    if page_heading:
        legend.update(isPageHeading=True, classes="govuk-fieldset__legend--l")
    items = []
    for name, part, width in zip(("day", "month", "year"), parts, (2, 2, 4), strict=True):
        classes = f"govuk-input--width-{width}" + (" govuk-input--error" if has_error else "")
        items.append(
            {
                "id": f"{bound.auto_id}-{name}",
                "name": f"{bound.html_name}_{name}",
                "label": name.capitalize(),
                "value": part or "",
                "classes": classes,
                "autocomplete": None,
            }
        )
    params: dict[str, Any] = {
        "id": bound.auto_id,
        "fieldset": {"legend": legend},
        "hint": {"text": str(bound.help_text or "For example, 27 3 2026")},
        "items": items,
        "errorMessage": _error(bound),
    }
    params.update(extra)
    return params


def error_summary(*forms_: forms.Form) -> dict[str, Any] | None:
    """Parameters for govukErrorSummary, linking each message to its field; None when there are no errors."""
    items: list[dict[str, str]] = []
    for form in forms_:
        if form is None or not form.is_bound:
            continue
        for message in form.non_field_errors():
            items.append({"text": str(message), "href": "#main-content"})
        for name, errors in form.errors.items():
            if name == "__all__":
                continue
            bound = form[name]
            for message in errors:
                items.append({"text": str(message), "href": f"#{first_error_id(bound)}"})
    if not items:
        return None
    return {"titleText": "There is a problem", "errorList": items}


class DateWidget(forms.MultiWidget):
    """Day, month and year boxes, named field_day, field_month and field_year as the GOV.UK pattern has them."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__([forms.TextInput, forms.TextInput, forms.TextInput], attrs)
        self.widgets_names = ["_day", "_month", "_year"]

    def decompress(self, value: Any) -> list[str | None]:
        if value is None or value == "":
            return [None, None, None]
        if hasattr(value, "day"):
            return [str(value.day), str(value.month), str(value.year)]
        return [None, None, None]


class GovukDateField(forms.MultiValueField):
    """A date entered as day, month and year, with the GOV.UK error messages for each way it can go wrong."""

    widget = DateWidget

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        fields = (forms.CharField(), forms.CharField(), forms.CharField())
        super().__init__(fields, *args, require_all_fields=False, **kwargs)

    def compress(self, data_list: list[str]) -> Any:
        if not data_list or not any(data_list):
            return None
        day, month, year = (str(p or "").strip() for p in [*data_list, "", "", ""][:3])
        missing = [name for name, part in (("day", day), ("month", month), ("year", year)) if not part]
        if missing:
            raise forms.ValidationError(f"{self.label} must include a {' and '.join(missing)}")
        if not (day.isdigit() and month.isdigit() and year.isdigit()):
            raise forms.ValidationError(f"{self.label} must be a real date")
        if len(year) != 4:
            raise forms.ValidationError("Year must include 4 numbers")
        try:
            return dt.date(int(year), int(month), int(day))
        except ValueError:
            raise forms.ValidationError(f"{self.label} must be a real date") from None

    def clean(self, value: Any) -> Any:
        # MultiValueField would demand every part when required; the GOV.UK messages say which part is missing.
        if not value or not any(value):
            if self.required:
                raise forms.ValidationError(f"Enter {str(self.label).lower()}", code="required")
            return None
        return self.compress(value)


def widget_kind(bound: forms.BoundField) -> str:
    """Which GOV.UK component draws this field."""
    widget = bound.field.widget
    if isinstance(bound.field, GovukDateField):
        return "date"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.PasswordInput):
        return "password"
    if isinstance(widget, forms.FileInput):
        return "file"
    return "input"


class MoneyField(forms.DecimalField):
    """An amount of money in pounds, written as people write it: '£100,000', '40,000', '1 250.50' or '100000'. The pound
    sign, thousands separators and spaces are dropped before the number is read; anything else is refused."""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = re.sub(r"(?<=\d)[,\s](?=\d{3}\b)", "", value.strip().removeprefix("£").strip())
        return super().to_python(value)
