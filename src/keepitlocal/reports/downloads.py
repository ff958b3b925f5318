"""Turn a Table into an HTTP download in the format the person asked for."""

from __future__ import annotations

from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.utils.text import slugify

from keepitlocal.reports.engine.tables import FORMATS, Table, iter_csv, to_json, to_xlsx


def download(table: Table, fmt: str, filename: str) -> HttpResponse | StreamingHttpResponse:
    if fmt not in FORMATS:
        raise Http404("Downloads are CSV, XLSX or JSON")
    name = f"{slugify(filename)}.{fmt}"
    response: HttpResponse | StreamingHttpResponse
    if fmt == "csv":
        response = StreamingHttpResponse(iter_csv(table), content_type=FORMATS[fmt])
    elif fmt == "xlsx":
        response = HttpResponse(to_xlsx(table), content_type=FORMATS[fmt])
    else:
        response = HttpResponse(to_json(table), content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
