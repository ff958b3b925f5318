"""The pages people reach through their invitation link to answer a council's assessment (officers and community
partners): no account, the link alone; refused plainly when it is unknown, used, expired or its round closed."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from keepitlocal.accounts import access
from keepitlocal.assessment import services
from keepitlocal.assessment.engine.framework import LEVELS, Framework
from keepitlocal.assessment.engine.scoring import PARTNERS
from keepitlocal.assessment.forms import AboutForm, AnswerForm
from keepitlocal.assessment.models import Invitation
from keepitlocal.common.refused import Refused
from keepitlocal.web.forms import render_form, render_refused


def _refused(request: HttpRequest, error: Refused, status: int = 400, **context: Any) -> HttpResponse:
    return render_refused(request, error, status, "assessment/refused.html", **context)


def _with_invitation(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A respondent's view, given the invitation its link names; a link that is unknown (404), expired, used or
    closed (410) is refused before the view runs."""

    @wraps(view)
    def wrapped(request: HttpRequest, link_token: str, **kwargs: Any) -> HttpResponse:
        try:
            invitation = services.invitation_for(link_token)
        except Refused as error:
            status = 404 if error.title == "This link is not valid" else 410
            return _refused(request, error, status=status)
        return view(request, invitation, link_token, **kwargs)

    return wrapped


def _tasks(invitation: Invitation, fw: Framework) -> tuple[list[dict[str, Any]], bool]:
    """The task list: each principle's indicators with whether they are answered, and whether "About you" is."""
    still = set(services.missing(invitation))
    sections = [{"principle": p, "items": [(i, i.code not in still) for i in p.indicators]} for p in fw.principles]
    response = services.response_for(invitation, create=False)
    return sections, response is not None and response.about_done


@access.invitation_link
@_with_invitation
def respond(request: HttpRequest, invitation: Invitation, link_token: str) -> HttpResponse:
    fw = invitation.round.framework
    sections, about_done = _tasks(invitation, fw)
    done = sum(1 for s in sections for _, answered in s["items"] if answered)
    return render(
        request,
        "assessment/respond.html",
        {
            "invitation": invitation,
            "round": invitation.round,
            "sections": sections,
            "about_done": about_done,
            "done": done,
            "total": len(fw.codes),
            "link_token": link_token,
        },
    )


@access.invitation_link
@require_http_methods(["GET", "POST"])
@_with_invitation
def respond_about(request: HttpRequest, invitation: Invitation, link_token: str) -> HttpResponse:
    response = services.response_for(invitation, create=False)
    partner = invitation.group == PARTNERS
    initial = (
        {
            "name": response.respondent_name,
            "organisation": response.organisation_name,
            "anonymous": "yes" if response.anonymous else "no",
        }
        if response
        else {"name": invitation.name, "organisation": invitation.organisation.name if invitation.organisation else ""}
    )
    form = AboutForm(request.POST if request.method == "POST" else None, initial=initial, partner=partner)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.save_about(invitation, data["name"], data.get("organisation", ""), data.get("anonymous") == "yes")
        except Refused as error:
            return _refused(request, error, status=410)
        return redirect("assessment:respond", link_token=link_token)
    return render_form(
        request, "assessment/respond_about.html", {"form": form, "invitation": invitation, "link_token": link_token}
    )


@access.invitation_link
@require_http_methods(["GET", "POST"])
@_with_invitation
def respond_question(request: HttpRequest, invitation: Invitation, link_token: str, code: str) -> HttpResponse:
    fw = invitation.round.framework
    try:
        indicator = fw.indicator(code)
    except KeyError:
        raise Http404("No such question") from None
    response = services.response_for(invitation, create=False)
    existing = response.answers.filter(indicator=code).first() if response else None
    initial = {"level": existing.level, "evidence": existing.evidence, "link": existing.link} if existing else None
    form = AnswerForm(request.POST if request.method == "POST" else None, initial=initial, indicator=indicator)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.save_answer(invitation, code, data["level"], data["evidence"], data["link"])
        except Refused as error:
            return _refused(request, error, status=410)
        following = fw.codes.index(code) + 1
        if following < len(fw.codes) and "save_and_return" not in request.POST:
            return redirect("assessment:respond-question", link_token=link_token, code=fw.codes[following])
        return redirect("assessment:respond", link_token=link_token)
    principle = next(p for p in fw.principles if indicator in p.indicators)
    return render_form(
        request,
        "assessment/respond_question.html",
        {
            "form": form,
            "invitation": invitation,
            "indicator": indicator,
            "principle": principle,
            "link_token": link_token,
            "position": fw.codes.index(code) + 1,
            "total": len(fw.codes),
        },
    )


@access.invitation_link
@require_http_methods(["GET", "POST"])
@_with_invitation
def respond_check(request: HttpRequest, invitation: Invitation, link_token: str) -> HttpResponse:
    fw = invitation.round.framework
    error = None
    if request.method == "POST":
        try:
            services.submit(invitation)
        except Refused as refused:
            error = refused
        else:
            request.session["assessment_submitted"] = invitation.round.council.name
            return redirect("assessment:respond-done")
    response = services.response_for(invitation, create=False)
    by_code = {a.indicator: a for a in response.answers.all()} if response else {}
    return render(
        request,
        "assessment/respond_check.html",
        {
            "invitation": invitation,
            "response": response,
            "framework": fw,
            "answers": by_code,
            "levels": LEVELS,
            "missing": services.missing(invitation),
            "link_token": link_token,
            "error": error,
        },
        status=400 if error else 200,
    )


@access.public
def respond_done(request: HttpRequest) -> HttpResponse:
    return render(request, "assessment/respond_done.html", {"council_name": request.session.get("assessment_submitted", "")})
