from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from keepitlocal.directory.services import MOST_BYTES
from keepitlocal.web.forms import GovukForm


class ImportForm(GovukForm):
    required_messages = {"file": "Choose an Open Referral UK feed"}
    file = forms.FileField(
        label="Upload an Open Referral UK feed",
        help_text="A zip of the data package (datapackage.json and its CSV files), up to 20 MB",
        error_messages={"empty": "The selected file is empty"},
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MOST_BYTES:
            raise ValidationError("The file must be smaller than 20 MB")
        if not upload.name.lower().endswith(".zip"):
            raise ValidationError("The file must be a zip of the data package")
        return upload
