"""The directory in the Open Referral UK API's own shapes (HSDS 3.0 API): `/services`, a page of services, and
`/services/{id}`, one service with its organisation, locations and categories; public, as the directory's pages are."""

from __future__ import annotations

import math
import uuid
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router, Schema

from keepitlocal.api.auth import OptionalTokenAuth
from keepitlocal.api.paging import page_size
from keepitlocal.directory import queries
from keepitlocal.directory.models import Attribute, Service
from keepitlocal.network.models import Council

router = Router(auth=OptionalTokenAuth(), tags=["Directory (Open Referral UK)"])
PUBLIC = {"x-access": "public"}


class Organisation(Schema):
    id: str
    name: str
    description: str
    email: str | None
    website: str | None


class Address(Schema):
    id: str
    address_1: str
    city: str
    region: str | None
    state_province: str
    postal_code: str
    country: str
    address_type: str


class Location(Schema):
    id: str
    location_type: str
    name: str | None
    addresses: list[Address]


class ServiceAtLocation(Schema):
    id: str
    location: Location


class TaxonomyTerm(Schema):
    id: str
    name: str
    description: str
    taxonomy: str | None


class AttributeOut(Schema):
    id: str
    link_id: str
    link_type: str | None
    taxonomy_term: TaxonomyTerm


class ServiceOut(Schema):
    id: str
    name: str
    description: str | None
    url: str | None
    email: str | None
    status: str
    fees: str | None
    minimum_age: float | None
    maximum_age: float | None
    last_modified: str | None
    organization: Organisation
    service_at_locations: list[ServiceAtLocation]
    attributes: list[AttributeOut]


class ServicePage(Schema):
    total_items: int
    total_pages: int
    page_number: int
    size: int
    first_page: bool
    last_page: bool
    empty: bool
    contents: list[ServiceOut]


def _or_none(value: str) -> str | None:
    return value or None


def _number(value: str) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None


def _service(s: Service, attributes: list[Attribute]) -> dict[str, Any]:
    o = s.organisation
    return {
        "id": str(s.pk),
        "name": s.name,
        "description": _or_none(s.description),
        "url": _or_none(s.url),
        "email": _or_none(s.email),
        "status": s.status,
        "fees": _or_none(s.fees),
        "minimum_age": _number(s.minimum_age),
        "maximum_age": _number(s.maximum_age),
        "last_modified": _or_none(s.last_modified),
        "organization": {
            "id": str(o.pk),
            "name": o.name,
            "description": o.description,
            "email": _or_none(o.email),
            "website": _or_none(o.website),
        },
        "service_at_locations": [
            {
                "id": str(at.pk),
                "location": {
                    "id": str(at.location.pk),
                    "location_type": at.location.location_type,
                    "name": _or_none(at.location.name),
                    "addresses": [
                        {
                            "id": str(a.pk),
                            "address_1": a.address_1,
                            "city": a.city,
                            "region": _or_none(a.region),
                            "state_province": a.state_province,
                            "postal_code": a.postal_code,
                            "country": a.country,
                            "address_type": a.address_type,
                        }
                        for a in at.location.addresses.all()
                    ],
                },
            }
            for at in s.at_locations.all()
        ],
        "attributes": [
            {
                "id": str(a.pk),
                "link_id": str(a.link_id),
                "link_type": _or_none(a.link_type),
                "taxonomy_term": {
                    "id": str(a.taxonomy_term.pk),
                    "name": a.taxonomy_term.name,
                    "description": a.taxonomy_term.description,
                    "taxonomy": _or_none(a.taxonomy_term.taxonomy),
                },
            }
            for a in attributes
        ],
    }


def _with_attributes(services: list[Service]) -> list[dict[str, Any]]:
    by_service: dict[str, list[Attribute]] = {}
    for a in Attribute.objects.filter(link_id__in=[s.pk for s in services]).select_related("taxonomy_term").order_by("id"):
        by_service.setdefault(str(a.link_id), []).append(a)
    return [_service(s, by_service.get(str(s.pk), [])) for s in services]


@router.get("/services", response=ServicePage, openapi_extra=PUBLIC, summary="Directory services (ORUK)")
def services(
    request: HttpRequest, council: str = "", text: str = "", taxonomy_term_id: str = "", page: int = 1, per_page: int = 50
) -> Any:
    """Services in the ORUK API's page shape: narrow by `council` (GSS code), `text` (in a name or description) and
    `taxonomy_term_id`; `page` counts from 1."""
    chosen = None
    if council:
        chosen = Council.objects.filter(gss_code=council.upper()).first()
        if chosen is None:
            raise Http404("No council has this GSS code.")
    found = queries.matching(queries.services_of(chosen), text)
    if taxonomy_term_id:
        term = _uuid(taxonomy_term_id, "No category has this id.")
        found = found.filter(pk__in=Attribute.objects.filter(taxonomy_term__pk=term).values("link_id"))
    size = page_size(per_page)
    total = found.count()
    pages = max(1, math.ceil(total / size))
    number = max(1, min(page, pages))
    chosen_page = list(found.prefetch_related("at_locations__location__addresses")[(number - 1) * size : number * size])
    return {
        "total_items": total,
        "total_pages": pages,
        "page_number": number,
        "size": size,
        "first_page": number == 1,
        "last_page": number == pages,
        "empty": total == 0,
        "contents": _with_attributes(chosen_page),
    }


@router.get("/services/{service_id}", response=ServiceOut, openapi_extra=PUBLIC, summary="One directory service (ORUK)")
def service(request: HttpRequest, service_id: str) -> Any:
    found = queries.services_of().prefetch_related("at_locations__location__addresses").filter(pk=_uuid(service_id)).first()
    if found is None:
        raise Http404("No service has this id.")
    return _with_attributes([found])[0]


def _uuid(value: str, missing: str = "No service has this id.") -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise Http404(missing) from None
