"""What a column's values say it holds: dates, amounts, payees' names or codes, counted over a sample of its rows, and
how well they fit a field (a date column must hold dates, an amount column money, a supplier column many names).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from functools import cached_property, lru_cache

from keepitlocal.common.names import is_redacted
from keepitlocal.spend.engine.headings import REQUIRED
from keepitlocal.spend.engine.parse import ParseError, parse_amount, parse_date


class Profile:
    """What a column's sampled values look like: each count made when first asked for (a decision about an optional
    field asks only whether the column is filled; testing every value as a date, an amount, a name and a code for
    every column was a tenth of an analysis)."""

    def __init__(self, values: tuple[str, ...]) -> None:
        self.values = values  # the sampled values, as published (for comparing repeated columns)
        self._counts = Counter(v for v in values if v)

    def _weighted(self, test: Callable[[str], bool]) -> int:
        # Each different value is tested once and counted as often as it appears (a layout's sample repeats many).
        return sum(n for v, n in self._counts.items() if test(v))

    @cached_property
    def filled(self) -> int:
        return sum(self._counts.values())

    @cached_property
    def distinct(self) -> int:
        return len(self._counts)

    @cached_property
    def dates(self) -> int:
        """Values that read as dates in the years payments can fall in (PLAUSIBLE_YEARS)."""
        return self._weighted(_plausible_date)

    @cached_property
    def dated_text(self) -> int:
        """Dates not written as plain numbers (a plain number may be an Excel date or an amount)."""
        return self._weighted(lambda v: _is_date(v) and not _PLAIN_NUMBER.fullmatch(v))

    @cached_property
    def amounts(self) -> int:
        return self._weighted(_is_amount)

    @cached_property
    def names(self) -> int:
        return self._weighted(_is_name)

    @cached_property
    def codes(self) -> int:
        """Values written as codes: one token with digits ('V10234', 'E4410'), not a name."""
        return self._weighted(_is_code)

    @cached_property
    def organisations(self) -> int:
        """Different values that name an organisation by its form or kind ('… Ltd', '… Trust')."""
        return sum(bool(_ORGANISATION.search(v)) for v in self._counts)

    @cached_property
    def redacted(self) -> int:
        """Values saying the payee was withheld or redacted (they count as names of payees)."""
        return self._weighted(is_redacted)

    def share(self, count: int) -> float:
        return count / self.filled if self.filled else 0.0

    @property
    def organisation_share(self) -> float:
        """The share of the column's different values that name an organisation by its form or kind."""
        return self.organisations / self.distinct if self.distinct else 0.0

    def examples(self, count: int = 5) -> list[str]:
        """A few different values, in the order met: what a person looks at to recognise a column."""
        return _first_different(self.values, count)


_LETTERS = re.compile(r"[A-Za-z]")

_PLAIN_NUMBER = re.compile(r"-?[0-9.,]+")

# One token of letters and digits with at least one digit, or of capitals alone up to six ('CHTY', 'LTD'): a code.
_CODE = re.compile(r"(?=[A-Za-z0-9/_.-]*[0-9])[A-Za-z0-9/_.-]{2,20}|[A-Z]{1,6}")

# Words that name an organisation by its legal form or its kind, wherever they stand in a name ('Acme Ltd',
# 'Ltd T/A Graham', 'Halifax Opportunities Trust', 'Mr J Smith'). A category's values ('Third Party Payments',
# 'Supplies and Services') have none of them.
_ORGANISATION = re.compile(
    r"\b(?:ltd|limited|plc|llp|lp|cic|cio|inc|llc|gmbh|co|company|companies|partnership|partners|sons|bros|"
    r"council|trust|charity|charitable|association|society|foundation|federation|union|church|diocese|parish|school|"
    r"academy|college|university|nhs|hospital|club|group|holdings|mr|mrs|ms|miss|dr)\b",
    re.IGNORECASE,
)

PLAUSIBLE_YEARS = (1990, date.today().year + 1)  # payments dated outside these years are not a date of payment


@lru_cache(maxsize=131072)
def _reads(parse: Callable[[str], object], value: str) -> bool:
    """Whether `parse` (parse_date, parse_amount) reads the value."""
    try:
        parse(value)
    except ParseError:
        return False
    return True


@lru_cache(maxsize=131072)
def _plausible_date(value: str) -> bool:
    try:
        day = parse_date(value)
    except ParseError:
        return False
    return PLAUSIBLE_YEARS[0] <= day.year <= PLAUSIBLE_YEARS[1]


def _is_date(value: str) -> bool:
    return _reads(parse_date, value)


def _is_amount(value: str) -> bool:
    return _reads(parse_amount, value)


def _is_name(value: str) -> bool:
    letters = len(_LETTERS.findall(value))
    return letters >= 3 and letters >= 0.5 * len(value.replace(" ", "")) and not _is_date(value)


def _is_code(value: str) -> bool:
    return bool(_CODE.fullmatch(value)) and not _is_amount(value)


def profile(rows: Sequence[Sequence[str]], index: int) -> Profile:
    return Profile(tuple((row[index] if index < len(row) else "").strip() for row in rows))


def examples(rows: Sequence[Sequence[str]], index: int, count: int = 5) -> list[str]:
    """A few different values of a column, in the order met (without profiling it)."""
    return _first_different(((row[index] if index < len(row) else "").strip() for row in rows), count)


def _first_different(values: Iterable[str], count: int) -> list[str]:
    seen: list[str] = []
    for value in values:
        if value and value not in seen:
            seen.append(value)
            if len(seen) == count:
                break
    return seen


JUDGED_FROM = 30  # fewer sampled values than this say too little about a column to rule it out


def fewest_payees(payments: int) -> int:
    """The fewest different payees a column may hold over this many payments and still be the payee column: half the
    square root (39 over 6,000 payments, 56 over 12,461). A council pays hundreds of suppliers a month, most of them
    once or twice; a column with fewer values is a category (a service, an expense type, a card provider)."""
    return max(3, math.ceil(math.sqrt(payments) / 2)) if payments >= JUDGED_FROM else 1


def payee_problem(p: Profile) -> str | None:
    """Why a column's values cannot be the payees, in a sentence; None when they can."""
    if p.filled < JUDGED_FROM:
        return None
    if p.share(p.codes) >= 0.5:
        return f"its values are codes ({', '.join(repr(v) for v in p.examples(3))}), not names"
    if p.share(p.names + p.redacted) < FIT:
        return f"only {p.share(p.names + p.redacted):.0%} of its values are names"
    if p.distinct < fewest_payees(p.filled):
        return (
            f"it holds only {p.distinct:,} different value{'s' if p.distinct != 1 else ''} over {p.filled:,} payments "
            f"({', '.join(repr(v) for v in p.examples(3))}): a category, not the payee"
        )
    return None


def fitting_count(field_name: str, p: Profile) -> int:
    """How many of a column's sampled values are what a required field holds: dates, amounts or names."""
    return {"date": p.dates, "amount": p.amounts, "supplier_name": p.names}[field_name]


def fits(field_name: str, p: Profile) -> float | None:
    """How well a column's values fit a required field (0 to 1), or None when there are none to judge by."""
    if not p.filled:
        return None
    if field_name not in REQUIRED:
        return 1.0
    if field_name == "supplier_name":
        # Payees are names (redacted ones included), varied, and not codes: a column failing that is no payee column.
        return 0.0 if payee_problem(p) else p.share(p.names + p.redacted)
    share = p.share(fitting_count(field_name, p))
    # Money, not dates written out (a date's digits read as a number).
    return share * (1 - p.share(p.dated_text) * 0.5) if field_name == "amount" else share


class Profiles:
    """The profiles of a sample's columns, each made when a decision first looks at it (most columns never are)."""

    def __init__(self, rows: Sequence[Sequence[str]]) -> None:
        self.rows = rows
        self._made: dict[int, Profile] = {}

    def __bool__(self) -> bool:
        return bool(self.rows)

    def __getitem__(self, index: int) -> Profile:
        if index not in self._made:
            self._made[index] = profile(self.rows, index)
        return self._made[index]


FIT = 0.8  # the share of a column's values that must fit its field for the values to confirm it
