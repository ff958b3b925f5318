"""Numbered pages for long lists on pages (the GOV.UK pagination macro in macros.html draws the links)."""

from __future__ import annotations

from django.http import HttpRequest


def page_of(request: HttpRequest, count: int, per_page: int) -> tuple[int, int]:
    """The page asked for (1 when missing or not a number, the last when beyond it) and the number of pages."""
    pages = max(1, -(-count // per_page))
    try:
        return min(max(1, int(request.GET.get("page", "1"))), pages), pages
    except ValueError:
        return 1, pages
