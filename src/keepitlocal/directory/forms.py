from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from keepitlocal.directory.models import AssetType, DirectoryOrganisation, Tenure
from keepitlocal.directory.services import MOST_BYTES
from keepitlocal.web.forms import GovukForm
from keepitlocal.web.govuk import GovukDateField

POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")


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


def yes_or_no(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, choices=[("yes", "Yes"), ("no", "No")], coerce=lambda v: v == "yes", widget=forms.RadioSelect, initial="no"
    )


class AssetForm(GovukForm):
    """A community asset recorded by hand: most service directories' feeds carry none."""

    required_messages = {
        "name": "Enter the asset's name",
        "asset_type": "Choose what kind of asset it is",
        "owner": "Enter who owns it",
        "tenure": "Choose how the organisation holds it",
        "address_1": "Enter the first line of its address",
        "city": "Enter its town or city",
        "postal_code": "Enter its postcode",
        "acv_listed": "Say whether it is listed as an Asset of Community Value",
        "transferred": "Say whether it came by a community asset transfer",
    }
    name = forms.CharField(label="Name", max_length=300)
    asset_type = forms.ChoiceField(
        label="What kind of asset is it?", choices=[(t.value, t.label) for t in AssetType], widget=forms.RadioSelect
    )
    organisation = forms.ModelChoiceField(
        label="Organisation that holds or runs it", queryset=DirectoryOrganisation.objects.none(), required=False,
        empty_label="None of the directory's organisations",
    )  # fmt: skip
    owner = forms.CharField(label="Owner", max_length=300, help_text="For example, the council, a trust or a company")
    tenure = forms.ChoiceField(
        label="How does the organisation hold it?", choices=[(t.value, t.label) for t in Tenure], widget=forms.RadioSelect
    )
    capacity = forms.IntegerField(label="How many people it holds (optional)", required=False, min_value=1, max_value=1_000_000)
    address_1 = forms.CharField(label="Address line 1", max_length=300)
    city = forms.CharField(label="Town or city", max_length=200)
    postal_code = forms.CharField(label="Postcode", max_length=10)
    acv_listed = yes_or_no("Is it listed as an Asset of Community Value?")
    acv_listed_on = GovukDateField(label="Date listed", required=False, help_text="For example, 1 3 2024")
    acv_expires_on = GovukDateField(label="Listing ends", required=False, help_text="A listing lasts five years")
    acv_listing_authority = forms.CharField(label="Council that listed it", max_length=200, required=False)
    transferred = yes_or_no("Did it come to the organisation by a community asset transfer?")
    lease_start = GovukDateField(label="Lease starts", required=False)
    lease_end = GovukDateField(label="Lease ends", required=False)
    lease_terms = forms.CharField(label="Terms of the lease (optional)", required=False, widget=forms.Textarea, max_length=2000)

    def __init__(self, *args: Any, council: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if council is not None:
            chosen = self.fields["organisation"]
            assert isinstance(chosen, forms.ModelChoiceField)
            chosen.queryset = DirectoryOrganisation.objects.filter(council=council)

    def clean_postal_code(self) -> str:
        postcode = " ".join(self.cleaned_data["postal_code"].upper().split())
        if not POSTCODE.match(postcode):
            raise ValidationError("Enter a real postcode, like HX1 1AA")
        return postcode

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("acv_listed") and not data.get("acv_listed_on"):
            self.add_error("acv_listed_on", "Enter the date it was listed")
        if data.get("acv_listed_on") and data.get("acv_expires_on") and data["acv_expires_on"] <= data["acv_listed_on"]:
            self.add_error("acv_expires_on", "The listing must end after it was made")
        if data.get("transferred") and not data.get("lease_start"):
            self.add_error("lease_start", "Enter when the transfer's lease starts")
        if data.get("lease_start") and data.get("lease_end") and data["lease_end"] <= data["lease_start"]:
            self.add_error("lease_end", "The lease must end after it starts")
        return data
