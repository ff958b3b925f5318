"""The page the other side of a connection answers through the link it was sent: whether the connection is real."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from keepitlocal.accounts import access
from keepitlocal.common.refused import Refused
from keepitlocal.connections import forms, services
from keepitlocal.web.forms import render_form, render_refused


@access.confirmation_link
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, confirm_token: str) -> HttpResponse:
    try:
        asked = services.confirmation_for(confirm_token)
    except Refused as error:
        return render_refused(request, error, status=404 if error.title == "This link is not valid" else 410)
    form = forms.AnswerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.answer_confirmation(confirm_token, form.cleaned_data["answer"] == "yes", form.cleaned_data["name"])
        except Refused as error:
            return render_refused(request, error, status=410)
        return redirect("connections:confirm-done")
    about = dict(asked.asked_about)
    for name in ("since", "until"):
        about[name] = date.fromisoformat(about[name]) if about.get(name) else None
    return render_form(
        request,
        "connections/confirm.html",
        {"form": form, "about": about, "organisation": asked.connection.map.organisation},
    )


@access.public
def confirm_done(request: HttpRequest) -> HttpResponse:
    return render(request, "connections/confirm_done.html", {})
