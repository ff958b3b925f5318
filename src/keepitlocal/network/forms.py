"""Forms that record each step of a council's journey, and joining the network."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from keepitlocal.common.orgid import OrgIdError, parse_org_id
from keepitlocal.network.engine.journey import Status
from keepitlocal.network.models import (
    HTTP_URL,
    Champion,
    Cohort,
    CommunityConversation,
    Council,
    Endorsement,
    Event,
    Membership,
    NetworkMember,
    Organisation,
)
from keepitlocal.web.forms import GovukForm, GovukModelForm
from keepitlocal.web.govuk import GovukDateField

LINK_HELP = "The full address, starting with https://"


class MembershipForm(GovukModelForm):
    joined_on = GovukDateField(
        label="Date the council joined", required=False, help_text="For example, 3 3 2020. Leave blank if it has not joined yet"
    )
    cohort = forms.ModelChoiceField(queryset=Cohort.objects.all(), required=False, label="Cohort", empty_label="Not in a cohort")

    class Meta:
        model = Membership
        fields = ["cohort", "joined_on", "internal_notes"]
        labels = {"internal_notes": "Internal notes"}
        help_texts = {"internal_notes": "Seen only by the council's own users and the network team"}
        widgets = {"internal_notes": forms.Textarea(attrs={"rows": 4})}


class StatusForm(GovukForm):
    required_messages = {"status": "Select the membership status"}
    status = forms.ChoiceField(
        label="What is the council's membership status?",
        widget=forms.RadioSelect,
        choices=[(status.value, status.label) for status in Status],
    )

    def __init__(self, *args: Any, missing: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.missing = missing

    def clean_status(self) -> str:
        status: str = self.cleaned_data["status"]
        if status == Status.ACTIVE and self.missing:
            raise ValidationError(
                "The council cannot be an active member yet: " + "; ".join(m[0].lower() + m[1:] for m in self.missing)
            )
        return status


class EndorsementForm(GovukModelForm):
    required_messages = {
        "is_draft": "Select whether the endorsement is final",
        "mechanism": "Select how the principles were endorsed",
    }
    endorsed_on = GovukDateField(label="Date of the endorsement", required=False)
    is_draft = forms.TypedChoiceField(
        label="Is the endorsement final?",
        widget=forms.RadioSelect,
        coerce=lambda v: v == "True",
        choices=[("False", "Yes, it has been decided"), ("True", "No, it is still a draft")],
    )
    decision_url = forms.CharField(
        label="Link to the decision", required=False, max_length=500, validators=[HTTP_URL], help_text=LINK_HELP
    )

    class Meta:
        model = Endorsement
        fields = ["is_draft", "mechanism", "mechanism_other", "endorsed_on", "signatories", "decision_url", "wording"]
        labels = {
            "mechanism": "How was it endorsed?",
            "mechanism_other": "Describe how it was endorsed",
            "signatories": "Who signed it",
            "wording": "Wording endorsed",
        }
        help_texts = {
            "signatories": "Names and roles, one on each line",
            "wording": "The text the council agreed, as it was decided",
        }
        widgets = {
            "mechanism": forms.RadioSelect,
            "signatories": forms.Textarea(attrs={"rows": 3}),
            "wording": forms.Textarea(attrs={"rows": 6}),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("mechanism") == Endorsement.Mechanism.OTHER and not data.get("mechanism_other"):
            self.add_error("mechanism_other", "Describe how the principles were endorsed")
        if data.get("is_draft") is False and not data.get("endorsed_on") and "endorsed_on" not in self.errors:
            self.add_error("endorsed_on", "Enter the date of the endorsement")
        return data


class ChampionForm(GovukModelForm):
    required_messages = {"role": "Select which champion this is"}
    started_on = GovukDateField(label="Start date")
    ended_on = GovukDateField(label="End date", required=False, help_text="Leave blank if they are still the champion")

    class Meta:
        model = Champion
        fields = ["role", "name", "role_title", "email", "phone", "started_on", "ended_on"]
        labels = {
            "role": "Which champion is this?",
            "name": "Full name",
            "role_title": "Role title",
            "email": "Email address",
            "phone": "Phone number",
        }
        help_texts = {
            "role_title": "For example, Cabinet member for communities",
            "email": "Seen only by the council's own users and the network team",
            "phone": "Seen only by the council's own users and the network team",
        }
        widgets = {"role": forms.RadioSelect}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("started_on"), data.get("ended_on")
        if start and end and end < start:
            self.add_error("ended_on", "End date must be the same as or after the start date")
        return data


class ConversationForm(GovukModelForm):
    held_on = GovukDateField(label="Date of the conversation")

    class Meta:
        model = CommunityConversation
        fields = ["held_on", "organisations", "residents", "agreed"]
        labels = {
            "organisations": "Organisations that took part",
            "residents": "Number of residents who took part",
            "agreed": "What was agreed",
        }
        help_texts = {"organisations": "One on each line"}
        widgets = {"organisations": forms.Textarea(attrs={"rows": 4}), "agreed": forms.Textarea(attrs={"rows": 6})}


def _org_id(value: str) -> str:
    if not value:
        return ""
    try:
        return str(parse_org_id(value))
    except OrgIdError as error:
        raise ValidationError(str(error)) from None


class OrganisationForm(GovukModelForm):
    website = forms.CharField(label="Website", required=False, max_length=500, validators=[HTTP_URL], help_text=LINK_HELP)
    home_council = forms.ModelChoiceField(
        queryset=Council.objects.filter(successor_code=""), required=False, label="Home council", empty_label="Choose a council"
    )

    class Meta:
        model = Organisation
        fields = ["name", "org_id", "home_council", "description", "website"]
        labels = {"name": "Organisation name", "org_id": "Charity or company number (org-id)"}
        help_texts = {"org_id": "For example, GB-CHC-1234567 for a charity or GB-COH-01234567 for a company"}
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def clean_org_id(self) -> str | None:
        return _org_id(self.cleaned_data.get("org_id") or "") or None


class JoinForm(GovukModelForm):
    required_messages = {"kind": "Select how you are joining"}
    home_council = forms.ModelChoiceField(
        queryset=Council.objects.filter(successor_code=""),
        required=False,
        label="Which council? The one you work for, or whose area you are in",
        empty_label="Choose a council",
    )

    class Meta:
        model = NetworkMember
        fields = ["kind", "name", "email", "organisation_name", "org_id", "home_council", "area", "interests"]
        labels = {
            "kind": "How are you joining?",
            "name": "Your full name",
            "email": "Email address",
            "organisation_name": "Organisation name",
            "org_id": "Charity or company number (org-id)",
            "area": "Neighbourhood or area you work in",
            "interests": "What are you interested in?",
        }
        help_texts = {
            "org_id": "For a community organisation that has one, for example GB-CHC-1234567 or GB-COH-01234567",
            "interests": "For example, commissioning, community asset transfer, early help",
        }
        widgets = {"kind": forms.RadioSelect, "interests": forms.Textarea(attrs={"rows": 4})}

    def clean_org_id(self) -> str:
        return _org_id(self.cleaned_data.get("org_id") or "")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == NetworkMember.Kind.ORGANISATION and not data.get("organisation_name"):
            self.add_error("organisation_name", "Enter the name of your organisation")
        if data.get("kind") == NetworkMember.Kind.COUNCIL:
            if not data.get("home_council"):
                self.add_error("home_council", "Choose the council that wants to join")
            elif Membership.objects.filter(council=data["home_council"]).exists():
                self.add_error(
                    "home_council", f"{data['home_council'].name} is already in the network: ask its editors or the network team"
                )
        return data


class EventForm(GovukModelForm):
    required_messages = {"councils": "Select the councils taking part"}
    held_on = GovukDateField(label="Date")
    councils = forms.ModelMultipleChoiceField(
        queryset=Council.objects.filter(membership__isnull=False).order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        label="Councils taking part",
    )

    class Meta:
        model = Event
        fields = ["title", "held_on", "topic", "councils", "notes"]
        labels = {"notes": "Notes shared with the participants"}
        widgets = {"notes": forms.Textarea(attrs={"rows": 6})}


PEOPLE_ROLES = [
    ("council_editor", "Editor"),
    ("council_viewer", "Viewer"),
]
PEOPLE_ROLE_HINTS = {
    "council_editor": "Records the council's journey, uploads and publishes its spend, runs its assessments",
    "council_viewer": "Sees the council's private pages, changes nothing",
}


class InviteForm(GovukForm):
    """Invite a person to a council: their address, their name (optional) and their role."""

    required_messages = {"role": "Select whether they will be an editor or a viewer"}
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={"invalid": "Enter an email address in the correct format, like name@council.gov.uk"},
    )
    full_name = forms.CharField(label="Full name (optional)", max_length=200, required=False)
    role = forms.ChoiceField(label="Role", choices=PEOPLE_ROLES, widget=forms.RadioSelect)


class RoleForm(GovukForm):
    required_messages = {"role": "Select whether they will be an editor or a viewer"}
    role = forms.ChoiceField(label="Role", choices=PEOPLE_ROLES, widget=forms.RadioSelect)
