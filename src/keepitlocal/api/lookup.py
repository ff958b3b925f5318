"""One record by its identifiers, for the API: a missing one is a 404 that says in words what was not found, never a
model's name ('No SpendPublication matches the given query.')."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import Http404

T = TypeVar("T", bound=Model)


def found(queryset: QuerySet[T], message: str, **lookup: Any) -> T:
    """The record `lookup` names in `queryset`, or Http404(message)."""
    row = queryset.filter(**lookup).first()
    if row is None:
        raise Http404(message)
    return row
