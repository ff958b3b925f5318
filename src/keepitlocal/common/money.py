"""Money as pages and reports show it."""

from __future__ import annotations

from decimal import Decimal


def whole_pounds(value: Decimal | float | int) -> str:
    """To the pound, for figures that are estimates: £12,345 and −£12,345 (a true minus sign; nothing rounds to −£0)."""
    amount = round(float(value))
    return f"−£{-amount:,}" if amount < 0 else f"£{amount:,}"
