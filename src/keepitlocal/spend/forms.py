from __future__ import annotations

from django import forms

from keepitlocal.web.forms import GovukForm


def file_field(label: str, help_text: str, missing: str) -> forms.FileField:
    """A GOV.UK file upload field with its two messages: none chosen, and an empty file."""
    return forms.FileField(
        label=label, help_text=help_text, error_messages={"required": missing, "empty": "The selected file is empty"}
    )


MOST_FILES = 60  # files in one upload: five years of monthly files


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files chosen at once (a year of monthly files); each is checked as one file is."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def clean(self, data: object, initial: object = None) -> list[object]:
        one = super().clean
        if isinstance(data, list | tuple):
            if len(data) > MOST_FILES:
                raise forms.ValidationError(f"Select up to {MOST_FILES} files at a time, or upload them as a ZIP")
            if not data:
                return [one(None, initial)]
            cleaned = []
            for item in data:
                try:
                    cleaned.append(one(item, initial))
                except forms.ValidationError as error:
                    raise forms.ValidationError(f"{getattr(item, 'name', 'A file')}: {' '.join(error.messages)}") from None
            return cleaned
        return [one(data, initial)]


class UploadForm(GovukForm):
    required_messages = {"spend_file": "Select a spend file"}
    spend_file = MultipleFileField(
        label="Upload spend files",
        help_text="CSV or XLSX files as the council publishes them, or compressed (GZIP or ZIP): choose several at once (a year of monthly files). Up to 200 MB each.",
        error_messages={"required": "Select a spend file", "empty": "The selected file is empty"},
    )


# The types an editor can set: every supplier type but "payee not published", which only the council's file can say.
TYPE_CHOICES = [
    ("vcse", "Voluntary, community or social enterprise (VCSE)"),
    ("public", "Public body"),
    ("private", "Private business"),
    ("individual", "Individual"),
    ("unknown", "Unknown"),
]


class CorrectionForm(GovukForm):
    required_messages = {"supplier_type": "Select what kind of organisation the supplier is"}
    supplier_type = forms.ChoiceField(label="What kind of organisation is it?", widget=forms.RadioSelect, choices=TYPE_CHOICES)
    org_id = forms.CharField(
        label="Org-id (optional)", required=False, max_length=40, help_text="For example, GB-CHC-1234567 or GB-COH-01234567"
    )
    reason = forms.CharField(
        label="Why is this correct?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text="For example, the charity register lists it as a registered charity",
    )

    def clean_org_id(self) -> str:
        from keepitlocal.common.orgid import OrgIdError, parse_org_id

        value: str = self.cleaned_data.get("org_id") or ""
        if not value:
            return ""
        try:
            return str(parse_org_id(value))
        except OrgIdError as error:
            raise forms.ValidationError(str(error)) from None


class BulkCorrectionForm(GovukForm):
    """One type and one reason for every supplier ticked in the list."""

    required_messages = {
        "key": "Select at least one supplier to correct",
        "supplier_type": "Select what kind of organisation the selected suppliers are",
        "reason": "Enter why this is correct for the selected suppliers",
    }
    key = forms.MultipleChoiceField(label="Suppliers to correct", widget=forms.CheckboxSelectMultiple)
    supplier_type = forms.ChoiceField(
        label="What kind of organisation are the selected suppliers?", widget=forms.RadioSelect, choices=TYPE_CHOICES
    )
    reason = forms.CharField(
        label="Why is this correct?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text="This reason is recorded for each selected supplier",
    )

    def __init__(self, keys: list[str], *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["key"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(k, k) for k in keys]
        field.error_messages["invalid_choice"] = "Select suppliers from the list; the list may have changed, so try again"


class RegisterForm(GovukForm):
    required_messages = {"register_file": "Select a register file"}
    register_file = file_field(
        "Upload a register file",
        "For example the Charity Commission register extract, Companies House basic company data, or an ONS postcode lookup (CSV, TXT, ZIP or GZIP)",
        "Select a register file",
    )


class ColumnChoiceForm(GovukForm):
    """One question for each field that several columns could hold, with sample values as hints."""

    def __init__(self, candidates: dict[str, list[str]], samples: dict[str, list[str]], *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.hints: dict[str, dict[str, str]] = {}
        for field_name, columns in candidates.items():
            label = field_name.replace("_", " ")
            self.fields[field_name] = forms.ChoiceField(
                label=f"Which column holds the {label}?", widget=forms.RadioSelect, choices=[(c, c) for c in columns]
            )
            self.fields[field_name].error_messages["required"] = f"Select the column that holds the {label}"
            self.fields[field_name].error_messages["invalid_choice"] = f"Select the column that holds the {label}"
            self.hints[field_name] = {
                c: "For example: " + ", ".join(samples.get(c, [])[:5]) if samples.get(c) else "No values in the first rows"
                for c in columns
            }


NOT_READ = ""  # the choice for an optional field that is not in the files


class ReadingForm(GovukForm):
    """Which column of a layout holds each field: one select per field, set to how the files were read. Required
    fields must name a column; the others may be "not in these files"."""

    def __init__(
        self,
        columns: list[str],
        current: dict[str, str],
        required: tuple[str, ...],
        labels: dict[str, str],
        *args: object,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)
        for field_name, label in labels.items():
            choices = [(c, c) for c in columns]
            if field_name not in required:
                choices = [(NOT_READ, "Not in these files"), *choices]
            self.fields[field_name] = forms.ChoiceField(label=label, choices=choices, required=field_name in required)
            self.fields[field_name].initial = current.get(field_name, NOT_READ)
            self.fields[field_name].error_messages["required"] = f"Select the column that holds the {label.lower()}"
            self.fields[field_name].error_messages["invalid_choice"] = f"Select the column that holds the {label.lower()}"

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        used: dict[str, str] = {}
        for field_name, column in list(data.items()):
            if column and column in used:
                self.add_error(field_name, f"'{column}' is already chosen for the {str(self.fields[used[column]].label).lower()}")
            elif column:
                used[str(column)] = field_name
        return data
