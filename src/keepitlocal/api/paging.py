"""Cursor pagination. A cursor is opaque to clients (base64 of a small JSON object) and says where the next page
starts: after a row's ordering key (keyset: the next page is found with an index, however deep), or at a position
in a list built for one spend analysis (refused once a newer analysis replaced that list)."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

DEFAULT_LIMIT = 50
MOST = 500


def page_size(asked: int) -> int:
    """The rows a page may hold: what was asked, from 1 to MOST."""
    return max(1, min(asked, MOST))


class BadCursor(ValueError):
    """The cursor was not made by this API, or no longer applies."""


def encode(state: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(state, separators=(",", ":"), default=str).encode()).decode().rstrip("=")


def decode(cursor: str) -> dict[str, Any]:
    try:
        state = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadCursor("This cursor was not made by this API: use the next_cursor of the page before.") from None
    if not isinstance(state, dict):
        raise BadCursor("This cursor was not made by this API: use the next_cursor of the page before.")
    return state


def keyset(rows: QuerySet[Any], order: Sequence[str], cursor: str | None, limit: int) -> tuple[list[Any], str | None]:
    """One page of `rows` ordered by `order` (field names, ascending; the last must be unique, such as "id"),
    starting after the row the cursor names; and the cursor of the next page (None on the last)."""
    rows = rows.order_by(*order)
    if cursor:
        after = decode(cursor).get("after")
        if not isinstance(after, list) or len(after) != len(order):
            raise BadCursor("This cursor belongs to another list: use the next_cursor this list gave.")
        # (a > x) or (a = x and b > y) or ...: the rows strictly after the last one sent.
        if not all(isinstance(value, str | int | float) and not isinstance(value, bool) for value in after):
            raise BadCursor("This cursor was not made by this API: use the next_cursor of the page before.")
        condition = Q()
        for i, field in enumerate(order):
            equal = {order[j]: after[j] for j in range(i)}
            condition |= Q(**equal, **{f"{field}__gt": after[i]})
        try:
            rows = rows.filter(condition)
        except (ValueError, TypeError, ValidationError):
            raise BadCursor("This cursor was not made by this API: use the next_cursor of the page before.") from None
    try:
        page = list(rows[: limit + 1])
    except (ValueError, TypeError, ValidationError):
        # A cursor edited by hand: values that are not the list's kind (a word for a date, a null...).
        raise BadCursor("This cursor was not made by this API: use the next_cursor of the page before.") from None
    if len(page) <= limit:
        return page, None
    page = page[:limit]
    last = page[-1]
    return page, encode({"after": [_value(last, field) for field in order]})


def _value(row: Any, path: str) -> Any:
    """A field of a row by its query path ('council__name' is row.council.name)."""
    for part in path.split("__"):
        row = getattr(row, part)
    return row


def positions(total: int, owner: str, cursor: str | None, limit: int) -> tuple[int, int, str | None]:
    """For a list held in a fixed order for one `owner` (such as one spend analysis): the slice [start, end) to send
    and the next cursor. A cursor from another owner is refused: the list it counted through has gone."""
    start = 0
    if cursor:
        state = decode(cursor)
        if state.get("of") != owner or not isinstance(state.get("at"), int) or state["at"] < 0:
            raise BadCursor("The list changed since this cursor was made (a newer analysis): start again without it.")
        start = state["at"]
    end = min(total, start + limit)
    return start, end, encode({"of": owner, "at": end}) if end < total else None
