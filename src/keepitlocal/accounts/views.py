"""Signing in and out, resetting a forgotten password, and the account page with its API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.tokens import default_token_generator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.encoding import force_str
from django.utils.http import url_has_allowed_host_and_scheme, urlencode, urlsafe_base64_decode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from keepitlocal.accounts import services, throttle, tokens
from keepitlocal.accounts.access import public, signed_in
from keepitlocal.accounts.forms import NewPasswordForm, PasswordResetRequestForm, SignInForm, TokenForm
from keepitlocal.accounts.models import User
from keepitlocal.jobs import Job, enqueue
from keepitlocal.web.forms import render_form


@public
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        next_url = ""
    form = SignInForm(request, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid() and form.user is not None:
        login(request, form.user, backend="keepitlocal.accounts.backends.EmailBackend")
        return redirect(next_url or reverse("web:dashboard"))
    status = (429 if form.refusal else 400) if form.is_bound else 200
    return render(request, "accounts/sign_in.html", {"form": form, "next": next_url}, status=status)


@public
def admin_sign_in(request: HttpRequest) -> HttpResponse:
    """The Django admin's own login page is replaced by ours, so the lock-out and its messages apply there too."""
    next_url = request.GET.get("next", "/admin/")
    return redirect(f"{reverse('accounts:sign-in')}?{urlencode({'next': next_url})}")


@public
@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return render(request, "accounts/signed_out.html")


@public
@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    form = PasswordResetRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        address = form.cleaned_data["email"].lower()
        refusal = throttle.attempt(throttle.Attempt.PASSWORD_RESET, request, address)
        if refusal is not None and not refusal.by_target:
            return too_many(request, refusal, "ask for a password reset")
        if refusal is None:
            # Looked up and sent by the worker after this response, so its timing reveals nothing.
            enqueue(Job.SEND_PASSWORD_RESET, address)
        # The same answer whether or not the address has an account, or has had its emails for the hour.
        return redirect("accounts:password-reset-sent")
    return render_form(request, "accounts/password_reset.html", {"form": form})


def too_many(request: HttpRequest, refusal: throttle.Refusal, doing: str) -> HttpResponse:
    """The page for a client over its limit: what happened and when to try again."""
    response = render(request, "accounts/too_many.html", {"minutes": refusal.minutes, "doing": doing}, status=429)
    response["Retry-After"] = str(max(1, refusal.wait))
    return response


@public
def password_reset_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/password_reset_sent.html")


@public
@require_http_methods(["GET", "POST"])
def password_reset_confirm(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    try:
        user = User.objects.filter(pk=int(force_str(urlsafe_base64_decode(uidb64))), is_active=True).first()
    except (ValueError, TypeError):
        user = None
    if user is None or not default_token_generator.check_token(user, token):
        return render(request, "accounts/password_reset_invalid.html", status=400)
    form = NewPasswordForm(user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.set_password(user, form.cleaned_data["password"])
        return redirect("accounts:password-reset-done")
    return render_form(request, "accounts/password_reset_confirm.html", {"form": form})


@public
def password_reset_done(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/password_reset_done.html")


@signed_in
@never_cache  # the page shows a new token once: no browser or proxy may keep it
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    """Who you are, the roles you hold and, for council editors and network admins, your API tokens."""
    user = request.user
    assert isinstance(user, User)
    can_hold = tokens.can_hold_tokens(user)
    form = TokenForm(request.POST if request.method == "POST" and can_hold else None)
    created = ""
    if request.method == "POST" and can_hold and form.is_valid():
        try:
            _, created = tokens.create_token(user, form.cleaned_data["name"], form.cleaned_data["days"])
        except tokens.TokenRefused as error:
            form.add_error(None, str(error))
        else:
            form = TokenForm()
    context = {
        "form": form,
        "created": created,
        "can_hold": can_hold,
        "roles": list(user.roles.select_related("council", "organisation")),
        "api_tokens": list(user.api_tokens.all()),
    }
    return render_form(request, "accounts/account.html", context)


@signed_in
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    revoked = tokens.revoke_token(user, token_id)
    if revoked is not None:
        messages.success(request, f"Token revoked: {revoked.name} can no longer be used")
    return redirect("accounts:account")
