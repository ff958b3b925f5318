"""The API object: version 1 under /api/v1/, its OpenAPI document and browsable docs (Swagger UI served from this
site, never a CDN), errors as JSON with a code and a message, and the rate limits."""

from __future__ import annotations

import logging
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError

from keepitlocal.api import directory, private, public
from keepitlocal.api.paging import BadCursor
from keepitlocal.database import BUSY_MESSAGE, RETRY_AFTER, busy

logger = logging.getLogger(__name__)

DESCRIPTION = """The Keep it Local Network's evidence as data.

**Public** endpoints give what the site shows anyone: the member councils, the principles, published spend
indicators and the comparison, published value cases and published summaries of organisations' maps of connections.

**With a token** (create one on your account page; council editors and network admins can), the endpoints give
what your roles let you see on the site, such as your council's spend analyses, suppliers with their evidence,
payments, assessment results in aggregate and actions. Send it as `Authorization: Bearer kil_...`.

Lists come a page at a time: pass the `next_cursor` of one page as `cursor` to get the next (none: the last page).
Tables can be had as CSV with `format=csv`. Errors are JSON: `{"code": "...", "message": "..."}`. Requests are
limited per address and per token each minute; over the limit the answer is 429 with `Retry-After` in seconds.
Each operation's `x-access` says who may call it."""

ERROR_SCHEMA = {
    "type": "object",
    "required": ["code", "message"],
    "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
}
# The errors every operation may answer with (all as Error); 401 and 403 where a token is needed.
ERRORS = {
    400: "The request cannot be read (a bad cursor, a malformed value)",
    404: "Nothing here, or nothing you may see",
    422: "A parameter is not valid",
    429: "Too many requests: wait for the number of seconds in Retry-After",
    503: "The service is busy: try again after the number of seconds in Retry-After",
}
TOKEN_ERRORS = {
    401: "No token, or a token that is wrong, expired or revoked",
    403: "The token's roles do not let it see this",
}


class DocumentedAPI(NinjaAPI):
    """The OpenAPI document as callers need it: each operation's error answers, and public operations marked public
    (a token is optional there: none, or a valid one), where django-ninja would declare the optional token's scheme
    as if it were required."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        components = schema.setdefault("components", {})
        components.setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        schemes = components.get("securitySchemes", {})
        optional = schemes.pop("OptionalTokenAuth", None)
        if optional is not None and "TokenAuth" not in schemes:
            schemes["TokenAuth"] = optional
        error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                public = operation.get("x-access") == "public"
                if public:
                    operation["security"] = [{}, {"TokenAuth": []}]
                answers = {**ERRORS, **({} if public else TOKEN_ERRORS)}
                if public:
                    answers[401] = TOKEN_ERRORS[401]  # a token sent must be valid
                responses = operation.setdefault("responses", {})
                for status, text in answers.items():
                    responses.setdefault(status, {"description": text, "content": error})
        return schema


api = DocumentedAPI(
    title="Keep it Local Network API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    docs=Swagger(settings={"persistAuthorization": True}),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api.add_router("/", public.router)
api.add_router("/", private.router)
api.add_router("/", directory.router)


def error(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": message}, status=status)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error(request, 404, "not_found", str(exc) or "Nothing here.")


@api.exception_handler(AuthenticationError)
def unauthorised(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = error(
        request,
        401,
        "unauthorised",
        "Send a valid API token: 'Authorization: Bearer kil_...' (it may have expired or been revoked).",
    )
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    problems = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ())[1:]) or 'request'}: {e.get('msg', '')}" for e in exc.errors)
    return error(request, 422, "invalid_request", problems or "The request is not valid.")


@api.exception_handler(BadCursor)
def bad_cursor(request: HttpRequest, exc: BadCursor) -> HttpResponse:
    return error(request, 400, "bad_cursor", str(exc))


CODES = {400: "bad_request", 403: "forbidden", 404: "not_found"}


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return error(request, exc.status_code, CODES.get(exc.status_code, "error"), str(exc))


@api.exception_handler(Exception)
def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    if busy(exc):
        response = error(request, 503, "busy", BUSY_MESSAGE)
        response["Retry-After"] = str(RETRY_AFTER)
        return response
    logger.exception("API request failed: %s", request.path)
    return error(request, 500, "server_error", "Something went wrong on our side; it has been logged.")
