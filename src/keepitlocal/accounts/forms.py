"""Sign-in and password forms, with GOV.UK error messages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import authenticate, password_validation
from django.http import HttpRequest

from keepitlocal.accounts import throttle
from keepitlocal.accounts.models import User
from keepitlocal.accounts.tokens import LIFETIMES
from keepitlocal.web.forms import GovukForm


def email_field() -> forms.EmailField:
    return forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
    )


class SignInForm(forms.Form):
    email = email_field()
    password = forms.CharField(
        label="Password", max_length=200, widget=forms.PasswordInput, error_messages={"required": "Enter your password"}
    )

    def __init__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.user: User | None = None
        self.refusal: throttle.Refusal | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        # Counted before the password is checked, for known and unknown addresses alike (accounts.throttle).
        self.refusal = throttle.attempt(throttle.Attempt.SIGN_IN, self.request, data["email"])
        if self.refusal is not None:
            raise forms.ValidationError(
                f"Too many attempts to sign in. Wait {self.refusal.minutes} minutes and try again, or reset your password"
            )
        user = authenticate(self.request, username=data["email"], password=data["password"])
        if user is None:
            raise forms.ValidationError("Enter a correct email address and password")
        throttle.succeeded(throttle.Attempt.SIGN_IN, self.request, data["email"])
        self.user = user if isinstance(user, User) else None
        return data


class PasswordResetRequestForm(forms.Form):
    email = email_field()


class NewPasswordForm(forms.Form):
    password = forms.CharField(
        label="New password",
        max_length=200,
        widget=forms.PasswordInput,
        help_text="At least 12 characters, not a common password",
        error_messages={"required": "Enter a new password"},
    )
    confirm = forms.CharField(
        label="Confirm new password",
        max_length=200,
        widget=forms.PasswordInput,
        error_messages={"required": "Confirm your new password"},
    )

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        try:
            password_validation.validate_password(password, self.user)
        except forms.ValidationError as error:
            raise forms.ValidationError(" ".join(error.messages)) from None
        return password

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # Compare what was typed, so a mismatch is reported even when the password itself was refused.
        typed = self.data.get("password", "")
        if typed and data.get("confirm") and typed != data["confirm"]:
            self.add_error("confirm", "The passwords do not match")
        return data


class TokenForm(GovukForm):
    required_messages = {"name": "Enter a name for the token", "days": "Choose how long the token lasts"}
    name = forms.CharField(
        label="Name", max_length=100, help_text="What the token is for, so you can tell it apart, for example 'Finance dashboard'"
    )
    days = forms.TypedChoiceField(
        label="How long it lasts",
        choices=list(LIFETIMES.items()),
        coerce=int,
        widget=forms.RadioSelect,
        initial=90,
    )
