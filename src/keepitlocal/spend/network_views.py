"""Spend pages for the network team: the registers every council's analysis reads."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_http_methods

from keepitlocal.accounts import access
from keepitlocal.spend.forms import RegisterForm
from keepitlocal.spend.models import Reanalysis, RegisterFetch, RegisterFile
from keepitlocal.web.forms import render_form


@access.network_admin
@require_http_methods(["GET", "POST"])
def registers(request: HttpRequest) -> HttpResponse:
    """The network team loads register files once for every council's analysis."""
    from keepitlocal.spend.engine.publishers import PUBLISHERS, RegisterKind
    from keepitlocal.spend.registers import RegisterError, load_register, reanalyse_all, remove_register, start_fetch

    if request.method == "POST" and request.POST.get("fetch"):
        running = RegisterFetch.objects.exclude(status__in=[RegisterFetch.Status.SUCCEEDED, RegisterFetch.Status.FAILED])
        if running.exists():
            messages.success(request, "A fetch is already running; its progress is below")
        else:
            start_fetch(list(RegisterKind), request.user)
            messages.success(request, "Fetching the latest registers in the background; their progress is below")
        return redirect("spend:registers")
    form = RegisterForm(request.POST if request.method == "POST" else None, request.FILES if request.method == "POST" else None)
    if request.method == "POST" and request.POST.get("remove"):
        record = get_object_or_404(RegisterFile, pk=request.POST["remove"])
        remove_register(record)
        again = reanalyse_all(f"{record.original_name} removed", request.user)
        messages.success(
            request,
            f"{record.original_name} removed" + ("; every council's spend is being analysed again without it" if again else ""),
        )
        return redirect("spend:registers")
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["register_file"]
        try:
            record, created = load_register(upload.name, upload, request.user)
        except RegisterError as error:
            form.add_error("register_file", str(error))
        else:
            again = reanalyse_all(f"{record.original_name} loaded", request.user) if created else None
            done = ("Loaded " if created else "Already loaded: ") + f"{record.original_name}: {record.describe()}"
            messages.success(request, done + ("; every council's spend is being analysed again with it" if again else ""))
            return redirect("spend:registers")
    return render_form(
        request,
        "spend/registers.html",
        {
            "form": form,
            "records": RegisterFile.objects.select_related("loaded_by"),
            "publishers": PUBLISHERS,
            "fetch": RegisterFetch.objects.first(),
            "reanalysis": Reanalysis.objects.first(),
        },
    )
