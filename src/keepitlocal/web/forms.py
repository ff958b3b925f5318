"""A base form that words every error the GOV.UK way, so each form does not repeat it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from keepitlocal.web.govuk import GovukDateField


class GovukFormMixin:
    """Required, too-long and invalid-choice messages in the GOV.UK style; long text capped everywhere."""

    fields: dict[str, forms.Field]
    # Messages a form states itself, where the label is a question and cannot be turned into one.
    required_messages: dict[str, str] = {}

    def _govuk_messages(self) -> None:
        for name, fld in self.fields.items():
            label = str(fld.label or name.replace("_", " ")).strip()
            lower = label[0].lower() + label[1:] if label else label
            if isinstance(fld, forms.ChoiceField | forms.ModelChoiceField | forms.ModelMultipleChoiceField):
                fld.error_messages["required"] = f"Select {lower}"
                fld.error_messages["invalid_choice"] = f"Select {lower} from the list"  # noqa: S608 - a message, not SQL
            elif not isinstance(fld, GovukDateField):
                fld.error_messages["required"] = f"Enter {lower}"
            if isinstance(fld, forms.CharField):
                limit = fld.max_length or settings.KIL_MAX_TEXT
                fld.max_length = limit
                if not any(isinstance(v, MaxLengthValidator) for v in fld.validators):
                    fld.validators.append(MaxLengthValidator(limit))
                fld.error_messages["max_length"] = f"{label} must be {limit:,} characters or fewer"
                for validator in fld.validators:
                    if isinstance(validator, MaxLengthValidator):
                        validator.message = f"{label} must be {limit:,} characters or fewer"
            if isinstance(fld, forms.EmailField):
                fld.error_messages["invalid"] = "Enter an email address in the correct format, like name@example.org"
            if name in self.required_messages:
                fld.error_messages["required"] = self.required_messages[name]
                fld.error_messages["invalid_choice"] = self.required_messages[name]
            if isinstance(fld, forms.IntegerField):
                fld.error_messages["invalid"] = f"{label} must be a whole number"
                fld.error_messages["min_value"] = f"{label} must be 0 or more"


class GovukForm(GovukFormMixin, forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._govuk_messages()


class GovukModelForm(GovukFormMixin, forms.ModelForm[Any]):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._govuk_messages()


def render_refused(
    request: HttpRequest, error: Any, status: int = 400, template: str = "refused.html", **context: Any
) -> HttpResponse:
    """A page saying why something was refused (a common.refused.Refused: its title, message and problems), with the
    status that says so; a capability's own template may add where to go next."""
    return render(request, template, {"error": error, **context}, status=status)


def render_form(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """A page holding `context["form"]`: status 400 when a submitted form comes back with its errors, so that a
    refusal is never reported as a success."""
    return render(request, template, context, status=400 if context["form"].is_bound else 200)
