"""Forms of the assessment: opening a round, inviting, answering, the action plan and sharing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from keepitlocal.assessment.engine.framework import LEVELS, Indicator
from keepitlocal.assessment.models import GROUPS, Action
from keepitlocal.network.models import HTTP_URL, Organisation
from keepitlocal.web.forms import GovukForm, GovukModelForm
from keepitlocal.web.govuk import GovukDateField

YES_NO = [("yes", "Yes"), ("no", "No")]


class RoundForm(GovukForm):
    title = forms.CharField(label="Name of the round", max_length=200, help_text="For example, Self-assessment 2026")
    closes_on = GovukDateField(
        label="Closing date", help_text="Links stop working at the end of this day. For example, 31 3 2027"
    )

    def clean_closes_on(self) -> Any:
        closes_on = self.cleaned_data["closes_on"]
        if closes_on is not None and closes_on < timezone.localdate():
            raise ValidationError("Closing date must be today or in the future")
        return closes_on


class InvitationForm(GovukForm):
    required_messages = {"group": "Select whether they answer as a council officer or a community partner"}
    group = forms.ChoiceField(label="How do they answer?", choices=GROUPS, widget=forms.RadioSelect)
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        required=False,
        help_text="Leave blank to invite the editor of the organisation you choose below",
    )
    name = forms.CharField(label="Name (optional)", max_length=200, required=False)
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.all(),
        required=False,
        label="Organisation in the network (optional)",
        empty_label="Not an organisation in the network",
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        organisation = cleaned.get("organisation")
        if organisation and cleaned.get("group") != GROUPS[1][0]:
            self.add_error("organisation", "Only community partners answer for an organisation")
        if not cleaned.get("email") and "email" not in self.errors:
            editor = organisation_editor_email(organisation) if organisation else None
            if editor:
                cleaned["email"] = editor
            elif organisation:
                self.add_error("email", f"{organisation.name} has no editor on the platform: enter an email address")
            else:
                self.add_error("email", "Enter an email address, or choose an organisation in the network")
        return cleaned


def organisation_editor_email(organisation: Organisation) -> str | None:
    """The address of the organisation's first editor on the platform, if it has one."""
    from keepitlocal.accounts.models import Role

    role = Role.objects.filter(organisation=organisation, kind=Role.Kind.ORGANISATION_EDITOR, user__is_active=True).order_by("pk")
    return role.values_list("user__email", flat=True).first()


class AnswerForm(GovukForm):
    required_messages = {
        "level": "Select the level that best describes where things are now",
        "evidence": "Enter your evidence",
    }
    level = forms.TypedChoiceField(
        label="Where are things now?", coerce=int, widget=forms.RadioSelect, choices=[(n, LEVELS[n - 1]) for n in range(1, 5)]
    )
    evidence = forms.CharField(
        label="What is your evidence?",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="In your own words: what you have seen or done that shows this level",
    )
    link = forms.URLField(
        label="Link to the evidence (optional)",
        required=False,
        max_length=500,
        validators=[HTTP_URL],
        help_text="A web page or document, starting with https://",
        assume_scheme="https",
    )

    def __init__(self, *args: Any, indicator: Indicator, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        self.fields["link"].error_messages["invalid"] = "Enter a link that starts with http:// or https://"

    def level_hints(self) -> dict[str, str]:
        return {str(n): f"{self.indicator.levels[n - 1]}. Evidence: {self.indicator.evidence[n - 1]}." for n in range(1, 5)}

    def clean_link(self) -> str:
        raw = str(self.data.get(self.add_prefix("link"), "")).strip()
        if raw and not raw.lower().startswith(("http://", "https://")):
            raise ValidationError("Enter a link that starts with http:// or https://")
        link: str = self.cleaned_data.get("link") or ""
        return link


class AboutForm(GovukForm):
    name = forms.CharField(label="Your name (optional)", max_length=200, required=False)
    organisation = forms.CharField(label="Your organisation (optional)", max_length=200, required=False)
    anonymous = forms.ChoiceField(
        label="Should the council see your name with your answers?",
        choices=[("no", "Yes, the council may see my name"), ("yes", "No, answer anonymously")],
        widget=forms.RadioSelect,
        help_text="Either way, the council sees community partners' answers only in aggregate, and only when at least three partners answer",
    )

    def __init__(self, *args: Any, partner: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.required_messages = {"anonymous": "Select whether the council may see your name"}
        self._govuk_messages()
        if not partner:
            del self.fields["anonymous"]
            del self.fields["organisation"]


class ActionForm(GovukModelForm):
    required_messages = {
        "principle": "Select the principle the action helps with",
        "what": "Enter what will be done",
        "owner": "Enter who owns it",
    }
    due_on = GovukDateField(label="Due date", help_text="For example, 30 6 2027")

    class Meta:
        model = Action
        fields = ["principle", "what", "owner", "due_on"]
        widgets = {"what": forms.Textarea(attrs={"rows": 3}), "principle": forms.RadioSelect}
        labels = {"principle": "Which principle does it help with?", "what": "What will be done?", "owner": "Who owns it?"}
        help_texts = {"owner": "A named person or a role"}


class ActionUpdateForm(GovukForm):
    required_messages = {"status": "Select the action's status"}
    status = forms.ChoiceField(label="Status", choices=Action.Status.choices, widget=forms.RadioSelect)
    note = forms.CharField(label="What has happened? (optional)", widget=forms.Textarea(attrs={"rows": 3}), required=False)


class SharingForm(GovukForm):
    required_messages = {
        "share_results": "Select whether to share your results with the network",
        "may_be_named": "Select whether other councils may see your name",
    }
    share_results = forms.ChoiceField(
        label="Share your results with the network?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        help_text="Your scores join the anonymised spread that every member council sees. Individual answers are never shared",
    )
    may_be_named = forms.ChoiceField(
        label="May councils that are weaker where you are strong see your name, to learn from you?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        help_text="Only if you share your results",
    )
