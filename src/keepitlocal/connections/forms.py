"""Forms for recording a map: elements, connections, asking the other side, importing, sharing, answering."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models.functions import Lower

from keepitlocal.common.orgid import OrgIdError, parse_org_id
from keepitlocal.connections.engine.model import Direction, Kind, Sector
from keepitlocal.connections.models import ConnectionMap, MapElement
from keepitlocal.network.models import Council
from keepitlocal.web.forms import GovukForm
from keepitlocal.web.govuk import GovukDateField

NO_PEOPLE = (
    "Name an organisation, a service or a group of residents, such as 'Older residents in Park ward'. "
    "Never name a private individual."
)


class ElementForm(GovukForm):
    required_messages = {"label": "Enter a name for the element", "sector": "Select the sector it belongs to"}
    label = forms.CharField(label="Name", max_length=200, help_text=NO_PEOPLE)
    sector = forms.ChoiceField(
        label="Which sector is it in?", choices=[(s.value, s.label) for s in Sector], widget=forms.RadioSelect
    )
    type = forms.CharField(
        label="What kind of organisation or group is it? (optional)",
        max_length=100,
        required=False,
        help_text="For example, GP practice, primary school, police neighbourhood team, food bank",
    )
    org_id = forms.CharField(
        label="Org-id (optional)",
        max_length=40,
        required=False,
        help_text="A charity or company number with its register, such as GB-CHC-1234567 or GB-COH-01234567",
    )
    place = forms.CharField(label="Place (optional)", max_length=200, required=False, help_text="A ward, LSOA or council area")
    description = forms.CharField(
        label="Notes (optional)", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_org_id(self) -> str:
        value = self.cleaned_data.get("org_id", "").strip()
        if not value:
            return ""
        try:
            return str(parse_org_id(value))
        except OrgIdError as error:
            raise ValidationError(str(error)) from None


FREQUENCIES = [("", "Not stated"), ("1", "Rarely"), ("2", "Every few months"), ("3", "Monthly"), ("4", "Weekly"), ("5", "Daily")]


class ConnectionForm(GovukForm):
    required_messages = {
        "source": "Select where the connection starts",
        "target": "Select where the connection goes to",
        "kind": "Select what the connection does",
        "direction": "Select which way it runs",
    }
    source = forms.ModelChoiceField(queryset=MapElement.objects.none(), label="From", empty_label="Choose an element")
    target = forms.ModelChoiceField(queryset=MapElement.objects.none(), label="To", empty_label="Choose an element")
    kind = forms.ChoiceField(
        label="What does the connection do?", choices=[(k.value, k.label) for k in Kind], widget=forms.RadioSelect
    )
    direction = forms.ChoiceField(
        label="Which way does it run?",
        choices=[
            (Direction.DIRECTED.value, "From the first to the second"),
            (Direction.MUTUAL.value, "Both ways"),
            (Direction.UNDIRECTED.value, "Not stated"),
        ],
        widget=forms.RadioSelect,
        initial=Direction.DIRECTED.value,
    )
    strength = forms.TypedChoiceField(
        label="How often are you in touch?",
        choices=[
            ("", "Not stated"),
            ("1", "Rarely"),
            ("2", "Every few months"),
            ("3", "Monthly"),
            ("4", "Weekly"),
            ("5", "Daily"),
        ],
        coerce=float,
        empty_value=None,
        required=False,
    )
    since = GovukDateField(label="Since (optional)", required=False, help_text="For example, 1 4 2024")
    until = GovukDateField(label="Until (optional)", required=False, help_text="Leave blank if it is still going")
    introduced_by = forms.ModelChoiceField(
        queryset=MapElement.objects.none(),
        label="Who introduced you? (optional)",
        required=False,
        empty_label="Nobody, or not known",
        help_text="The element that brokered this connection",
    )
    evidence = forms.CharField(
        label="Evidence (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, a referral count, a partnership agreement or meeting notes. No personal data.",
    )

    def __init__(
        self, *args: Any, cmap: ConnectionMap, free_type: str = "", strength: float | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if free_type:
            # An imported connection whose type is none of the kinds keeps its own words unless a kind is chosen.
            self.fields["kind"].required = False
            self.fields["kind"].help_text = f"Its type is '{free_type}'. Choose a kind only to replace it."
        strength_field = self.fields["strength"]
        assert isinstance(strength_field, forms.TypedChoiceField)
        choices: list[tuple[str, str]] = [(str(k), str(v)) for k, v in FREQUENCIES]
        if strength is not None and f"{strength:g}" not in {k for k, _ in choices}:
            strength_field.choices = [*choices, (f"{strength:g}", f"{strength:g} (as imported)")]
        # In the order people look for a name: the organisation's own element first, then the rest alphabetically.
        elements = cmap.elements.order_by("-is_self", Lower("label"), "pk")
        for name in ("source", "target", "introduced_by"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = elements

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("source") and data.get("target") and data["source"] == data["target"]:
            self.add_error("target", "Choose a different element from the first: a connection joins two")
        if data.get("since") and data.get("until") and data["until"] <= data["since"]:
            self.add_error("until", "The date it ended must be after the date it began")
        return data


class AskForm(GovukForm):
    required_messages = {"email": "Enter the email address of someone at the other organisation"}
    email = forms.EmailField(
        label="Email address of someone at the other organisation",
        help_text="We send them a link that works once. They do not need an account.",
    )


class ImportForm(GovukForm):
    required_messages = {"file": "Choose a Kumu workbook, blueprint or GEXF file"}
    file = forms.FileField(
        label="Upload a map",
        help_text="A Kumu workbook (.xlsx), a Kumu blueprint (.json) or GEXF (.gexf), up to 10 MB",
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > 10 * 1024 * 1024:
            raise ValidationError("The file must be smaller than 10 MB")
        if not upload.name.lower().endswith((".xlsx", ".json", ".gexf")):
            raise ValidationError("The file must be a Kumu workbook (.xlsx), a Kumu blueprint (.json) or GEXF (.gexf)")
        return upload


class SharingForm(GovukForm):
    councils = forms.ModelMultipleChoiceField(
        queryset=Council.objects.none(),
        label="Share your map with councils",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Their users see your elements and connections in the map of their area",
    )
    network = forms.TypedChoiceField(
        label="Share your map with the Keep it Local Network team?",
        choices=[("yes", "Yes"), ("no", "No")],
        widget=forms.RadioSelect,
        coerce=lambda v: v == "yes",
    )
    publish = forms.TypedChoiceField(
        label="Publish a summary on a public page?",
        choices=[("yes", "Yes, counts by sector and kind of connection, with no names"), ("no", "No")],
        widget=forms.RadioSelect,
        coerce=lambda v: v == "yes",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["councils"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = Council.objects.filter(membership__isnull=False).order_by("name")


class AnswerForm(GovukForm):
    required_messages = {"answer": "Select whether you recognise this connection"}
    answer = forms.ChoiceField(
        label="Do you recognise this connection?",
        choices=[("yes", "Yes, it is right"), ("no", "No, I do not recognise it")],
        widget=forms.RadioSelect,
    )
    name = forms.CharField(
        label="Your organisation or role (optional)",
        max_length=200,
        required=False,
        help_text="Shown to the organisation beside your answer, for example 'Practice manager, Park Lane Surgery'",
    )
