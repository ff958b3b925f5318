from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from keepitlocal.web.forms import GovukForm

MOST_BYTES = 5 * 1024 * 1024


class UploadForm(GovukForm):
    required_messages = {"file": "Choose a CSV file of names", "column": "Enter the heading of the column of names"}
    file = forms.FileField(
        label="Upload a CSV file",
        help_text="With a heading row; up to 5,000 rows and 5 MB",
        error_messages={"empty": "The selected file is empty"},
    )
    column = forms.CharField(label="Heading of the column of names", help_text="For example: Supplier Name", max_length=200)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MOST_BYTES:
            raise ValidationError("The file must be smaller than 5 MB")
        raw = upload.read()
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                continue
        raise ValidationError("The file must be a CSV file saved as UTF-8")
