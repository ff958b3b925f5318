from __future__ import annotations

from django import forms

from keepitlocal.web.forms import GovukForm


class UploadForm(GovukForm):
    required_messages = {"spend_file": "Select a spend file"}
    spend_file = forms.FileField(
        label="Upload a spend file",
        help_text="A CSV or XLSX file as the council publishes it, or a ZIP of several. Up to 200 MB.",
        error_messages={"required": "Select a spend file", "empty": "The selected file is empty"},
    )
