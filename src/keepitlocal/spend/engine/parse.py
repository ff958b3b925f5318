"""Amounts and dates as councils publish them."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

CENT = Decimal("0.01")
_CURRENCY = re.compile(r"[£$€,\s]|GBP|gbp|\u00a0")
_NUMBER = re.compile(r"\d*\.?\d*(?:[eE][+-]?\d+)?")


class ParseError(ValueError):
    """The value cannot be read; the message says why, in plain English."""


def parse_amount(text: str) -> Decimal:
    """An amount in pounds, rounded to pence. Credit notes keep their sign.

    Reads £1,234.50, 1234.5, (1,234.50) and 1234.50- and 1234.50CR as negative, -£12, 468.2800000000001,
    1.2E+03 and the unicode minus sign.
    """
    raw = (text or "").strip()
    if not raw:
        raise ParseError("the amount is blank")
    if raw[0] in "0123456789-." and raw[-1] in "0123456789":
        # Most published amounts are plain numbers; Decimal reads them directly.
        try:
            plain = Decimal(raw)
        except InvalidOperation:
            pass
        else:
            if plain.is_finite():
                try:
                    return plain.quantize(CENT, rounding=ROUND_HALF_UP) + 0  # + 0 turns -0.00 into 0.00
                except InvalidOperation:
                    # An exponent beyond any amount ('1E9347173', an identifier that looks like a number).
                    raise ParseError(f"the amount '{raw}' is not a number") from None
    value = raw.replace("\u2212", "-").replace("\u2013", "-")
    negative = False
    if value.startswith("(") and value.endswith(")"):
        negative, value = True, value[1:-1]
    upper = value.upper()
    if upper.endswith("CR"):
        negative, value = True, value[:-2]
    elif upper.endswith("DR"):
        value = value[:-2]
    value = _CURRENCY.sub("", value)
    if value.endswith("-"):
        negative, value = True, value[:-1]
    if value.startswith("-"):
        negative, value = not negative, value[1:]
    value = value.lstrip("+")
    if not value or not _NUMBER.fullmatch(value) or value == ".":
        raise ParseError(f"the amount '{raw}' is not a number")
    try:
        amount = Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise ParseError(f"the amount '{raw}' is not a number") from None
    return (-amount if negative else amount) + 0


MONTHS = {
    m: i for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)
}
MONTHS.update({"sept": 9, "june": 6, "july": 7})
for _i, _name in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"],
    start=1,
):
    MONTHS[_name] = _i

EXCEL_EPOCH = date(1899, 12, 30)
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$")
_SLASHED = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_YMD_SLASH = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_NAMED = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?[\s\-/]+([A-Za-z]{3,9})\.?[\s\-/,]+(\d{2}|\d{4})$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MONTH_YEAR = re.compile(r"^([A-Za-z]{3,9})[\s\-/]+(\d{2}|\d{4})$")
_YEAR_MONTH = re.compile(r"^(\d{4})[\-/](\d{1,2})$")
# A period written as year and month run together (202105), as finance systems label their months.
_PERIOD = re.compile(r"^((?:19|20)\d{2})(0[1-9]|1[0-2])$")
# A financial year's period number: P01 2021/22, 2021/22 P1, 2021-22 Period 12 (period 1 is April).
_FISCAL_PERIOD = re.compile(
    r"^(?:(?:P|Period)\s*(\d{1,2})[\s\-/]*((?:19|20)\d{2})(?:[/\-]\d{2,4})?|((?:19|20)\d{2})(?:[/\-]\d{2,4})?[\s\-/]*(?:P|Period)\s*(\d{1,2}))$",
    re.IGNORECASE,
)
_QUARTER = re.compile(r"^(?:Q([1-4])[\s\-/]*(\d{4})(?:/(\d{2,4}))?|(\d{4})(?:/(\d{2,4}))?[\s\-/]*Q([1-4]))$", re.IGNORECASE)


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 100 and year < 70 else year + 1900 if year < 100 else year


def _financial_quarter(quarter: int, start_year: int) -> date:
    # UK public bodies use April-to-March years: Q1 starts in April.
    month = 4 + 3 * (quarter - 1)
    return date(start_year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


@lru_cache(maxsize=65536)
def parse_date(text: str) -> date:
    """A payment date. Day first, as in the UK. Periods and quarters give their first day.

    Reads 2024-04-02, 2024-04-02 00:00:00, 02/04/2024, 2/4/24, 2-Apr-24, 02 April 2024, 20240402,
    Excel serial numbers (45384), Apr-24, April 2024, 2024-04, periods as 202404 or P01 2024/25 (April: UK public
    bodies' financial years start in April), Q1 2024/25 and 2024/25 Q1.
    """
    raw = (text or "").strip()
    if not raw:
        raise ParseError("the date is blank")
    try:
        if m := _ISO.match(raw):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _SLASHED.match(raw):
            return date(_year(m[3]), int(m[2]), int(m[1]))
        if m := _YMD_SLASH.match(raw):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if (m := _NAMED.match(raw)) and m[2].lower() in MONTHS:
            return date(_year(m[3]), MONTHS[m[2].lower()], int(m[1]))
        if m := _COMPACT.match(raw):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if (m := _MONTH_YEAR.match(raw)) and m[1].lower() in MONTHS:
            return date(_year(m[2]), MONTHS[m[1].lower()], 1)
        if m := _YEAR_MONTH.match(raw):
            return date(int(m[1]), int(m[2]), 1)
        if m := _PERIOD.match(raw):
            return date(int(m[1]), int(m[2]), 1)
        if m := _FISCAL_PERIOD.match(raw):
            period, start = int(m[1] or m[4]), int(m[2] or m[3])
            if not 1 <= period <= 12:
                raise ValueError(period)
            return date(start + (period + 2) // 12, (period + 2) % 12 + 1, 1)
        if m := _QUARTER.match(raw):
            quarter = int(m[1] or m[6])
            return _financial_quarter(quarter, int(m[2] or m[4]))
        if re.fullmatch(r"\d{5}(?:\.0+)?", raw):
            serial = int(float(raw))
            if 30000 <= serial <= 60000:  # 1982 to 2064: a plausible Excel date, not an id
                return EXCEL_EPOCH + timedelta(days=serial)
    except ValueError:
        raise ParseError(f"the date '{raw}' is not a real date") from None
    raise ParseError(f"the date '{raw}' is not in a format we read")
