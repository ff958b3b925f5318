"""Which published column holds which field: recognised by the words of its heading (headings.py), confirmed by its
values (values.py).

The best-ranked column by heading is taken. Net amounts are preferred to plain ones, and plain to gross, and the
mapping says which was used. Where a sample of the file's rows is given, the values confirm the choice. Two columns
tied by heading are settled by their values (one empty, both the same, or only one that fits); a field no heading
names is found by its values alone (a column of names under 'Vendor Ref(T)'), and the mapping says so with its
evidence. Only two candidates equally plausible by heading and by values stop the file, and a mapping file settles it
(naming a repeated heading as 'Amount#2').
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from keepitlocal.spend.engine.headings import (
    FIELDS,
    REQUIRED,
    AmountBasis,
    How,
    amount_basis,
    column_label,
    columns_named,
    fields_named,
    kind_of_dataset,
    normal,
    rank,
)
from keepitlocal.spend.engine.values import FIT, Profile, Profiles, examples, fits, fitting_count, payee_problem

# Rules: the rank of a heading (as a set of words) for each field, or None. Lower ranks are better; a fraction
# breaks ties between headings that say the same thing with more or fewer extra words.


class NotSpendDataError(ValueError):
    """The file is some other dataset (a contracts register, card transactions, grants): say which."""


class AmbiguousMappingError(ValueError):
    """Two or more columns could be the same field, or none passes its checks: a person must say which to use
    (on the file's page, or with a mapping file at the command line)."""

    def __init__(self, field_name: str, candidates: Sequence[str], why: str = "") -> None:
        self.field_name = field_name
        self.candidates = list(candidates)
        label = field_name.replace("_", " ")
        text = why or f"Several columns could be the {label}: {', '.join(repr(c) for c in candidates)}"
        super().__init__(f"{text}. Choose which column is the {label}.")


class MissingColumnError(ValueError):
    """A field the analysis needs has no column."""


@dataclass
class Mapping:
    """Field name → the column index and published header it is read from, how it was chosen and why."""

    columns: dict[str, int] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    how: dict[str, str] = field(default_factory=dict)  # a How
    notes: list[str] = field(default_factory=list)  # choices a person may want to check, with their evidence
    amount_basis: str = AmountBasis.PLAIN
    why: dict[str, str] = field(default_factory=dict)  # field → what decided it, in a sentence
    samples: dict[str, list[str]] = field(default_factory=dict)  # field → a few of its different values

    def describe(self) -> str:
        chosen = "; ".join(f"{f} ← '{self.headers[f]}' ({self.how[f]})" for f in self.columns)
        return chosen + "".join(f". {note}" for note in self.notes)


# Values ------------------------------------------------------------------------------------------------------


def map_columns(
    headers: Sequence[str],
    overrides: dict[str, str] | None = None,
    ignore: Sequence[str] = (),
    strict: bool = True,
    rows: Sequence[Sequence[str]] = (),
    chosen: How = How.MAPPING,
) -> Mapping:
    """Decide which column is which field from the headings and, when given, a sample of the rows below them (for a
    layout, rows from all of its files). Raises for non-spend data, ambiguity that neither headings nor values settle,
    a payee column whose values fail its checks with no other to take, or a missing field.

    `overrides` are a person's choices (`chosen` says whether from a mapping file or the platform). With
    `strict=False` an override naming a column this file does not have is passed over, so that one saved choice can
    serve a publisher's whole series of files.
    """
    headers = [h.strip() for h in headers]
    reason = kind_of_dataset(headers)
    if reason:
        raise NotSpendDataError(reason)
    ignored = {normal(name) for name in ignore}
    usable = [h if normal(h) not in ignored else "" for h in headers]
    profiles = Profiles(rows)
    mapping = Mapping()
    taken: set[int] = set()

    def take(field_name: str, index: int, how: How, why: str) -> None:
        mapping.columns[field_name], mapping.headers[field_name], mapping.how[field_name] = index, usable[index], how
        mapping.why[field_name] = why
        if profiles:
            mapping.samples[field_name] = examples(profiles.rows, index)
        taken.add(index)

    # An optional field a person said is not in the file ('' for its column) is left out.
    absent = {name for name, column in (overrides or {}).items() if not str(column).strip() and name not in REQUIRED}
    for field_name, column in (overrides or {}).items():
        if field_name in absent or not str(column).strip():
            continue
        matches = columns_named(column, usable)
        if not matches and not strict:
            continue
        if not matches:
            raise MissingColumnError(
                f"The {chosen} names '{column}' for the {field_name.replace('_', ' ')}, but the file has no such column"
            )
        take(field_name, matches[0], chosen, "for every file with this heading row" if chosen == How.CHOICE else "")

    # The required fields first, by heading and then by values, so that a column of names under an identifier's
    # heading ('Vendor Ref(T)') is the supplier's before the optional fields are looked for.
    for field_name in FIELDS:
        if field_name in mapping.columns or field_name in absent:
            continue
        label = field_name.replace("_", " ")
        ranked = sorted((r, i) for i, h in enumerate(usable) if h and i not in taken and (r := rank(field_name, h)) is not None)
        refused: list[tuple[int, str]] = []
        if profiles and field_name in REQUIRED:
            ranked, refused = _confirmed(field_name, ranked, profiles, usable, mapping)
        elif profiles and ranked:
            # An optional field is read from a column with values: an empty 'Proclass' gives way to the category
            # column beside it that is filled in (a column that is empty in every file is no reading of anything).
            filled = [(r, i) for r, i in ranked if profiles[i].filled]
            ranked = filled if filled else []
        if ranked:
            best = ranked[0][0]
            hits = [i for r, i in ranked if r == best]
            if len(hits) > 1:
                hits = _settle(field_name, hits, profiles, usable, mapping)
            if len(hits) > 1 and field_name not in REQUIRED and profiles:
                # Optional columns equally well headed ('Proclass', 'BVACOP', 'Purpose of Spend'): the one whose values
                # are most often words rather than codes, then the most varied, then the leftmost.
                hits = [min(hits, key=lambda i: (-profiles[i].share(profiles[i].names), -profiles[i].distinct, i))]
            if len(hits) > 1:
                if field_name in REQUIRED:
                    raise AmbiguousMappingError(field_name, [column_label(usable, i) for i in hits])
                continue  # an optional field we cannot pin down is left out rather than guessed
            checked = "its values checked" if profiles and field_name in REQUIRED else ""
            take(field_name, hits[0], How.HEADING, checked)
        elif field_name in REQUIRED and profiles:
            found = _by_values(field_name, usable, profiles, taken)
            if len(found) > 1:
                raise AmbiguousMappingError(field_name, [column_label(usable, i) for i in found])
            if not found and refused:
                # Headed like the field, but its values say otherwise (a category under a payee's heading): never read
                # it silently; a person chooses among the columns that could hold the field.
                why = "; ".join(f"'{column_label(usable, i)}' is headed like the {label} but {problem}" for i, problem in refused)
                raise AmbiguousMappingError(field_name, _possible(field_name, usable, profiles, taken), why)
            if found:
                index = found[0]
                p = profiles[index]
                what = {"date": "dates", "amount": "amounts of money", "supplier_name": "names"}[field_name]
                evidence = f"{p.share(fitting_count(field_name, p)):.0%} of {p.filled:,} sampled values are {what}"
                if field_name == "supplier_name":
                    evidence = (
                        f"{p.distinct:,} different names over {p.filled:,} sampled payments, "
                        f"{p.organisation_share:.0%} of them naming an organisation by its form or kind"
                    )
                take(field_name, index, How.VALUES, evidence)
                mapping.notes.append(f"No heading names the {label}: '{usable[index]}' was chosen by its values ({evidence})")
    missing = [f for f in REQUIRED if f not in mapping.columns]
    if missing:
        names = ", ".join(f.replace("_", " ") for f in missing)
        raise MissingColumnError(f"No column for the {names}; the columns are: {', '.join(repr(h) for h in headers if h)}")
    mapping.amount_basis = amount_basis(mapping.headers["amount"])
    others = [h for i, h in enumerate(usable) if h and i != mapping.columns["amount"] and rank("amount", h) is not None]
    if mapping.amount_basis == AmountBasis.NET and any(amount_basis(h) == AmountBasis.GROSS for h in others):
        mapping.notes.append(f"Amounts are net of VAT ('{mapping.headers['amount']}'), not the gross column beside it")
    elif mapping.amount_basis == AmountBasis.GROSS:
        mapping.notes.append(f"Amounts include VAT ('{mapping.headers['amount']}'): the file has no net amount")
    return mapping


def _possible(field_name: str, usable: list[str], profiles: Profiles, taken: set[int]) -> list[str]:
    """Every column a person might choose for a required field: those whose values are mostly of its kind."""
    found = []
    for i, h in enumerate(usable):
        if (
            h
            and i not in taken
            and (p := profiles[i]).filled
            and p.share(fitting_count(field_name, p) + (p.redacted if field_name == "supplier_name" else 0)) >= 0.5
        ):
            found.append(column_label(usable, i))
    return found or [column_label(usable, i) for i, h in enumerate(usable) if h and i not in taken]


def _confirmed(
    field_name: str, ranked: list[tuple[float, int]], profiles: Profiles, usable: list[str], mapping: Mapping
) -> tuple[list[tuple[float, int]], list[tuple[int, str]]]:
    """The heading's candidates whose values do not contradict the field, and those refused with why. For a date or an
    amount a candidate is dropped only when another fits: a file whose only amount column holds some bad values is
    read, and those rows are rejected with reasons. A payee column must pass its checks (names, varied, not codes)."""
    kept = [(r, i) for r, i in ranked if (fit := fits(field_name, profiles[i])) is None or fit >= FIT]
    refused: list[tuple[int, str]] = []
    if field_name == "supplier_name":
        refused = [(i, problem) for _, i in ranked if (problem := payee_problem(profiles[i]))]
        if refused and kept:
            for i, problem in refused:
                mapping.notes.append(f"'{column_label(usable, i)}' is headed like the supplier name but {problem}")
        return kept, refused
    if ranked and kept and kept[0] != ranked[0]:
        dropped = ranked[0][1]
        mapping.notes.append(
            f"'{usable[dropped]}' is headed like the {field_name.replace('_', ' ')} but its values are not; "
            f"'{usable[kept[0][1]]}' was used"
        )
    return kept or ranked, refused


def _settle(field_name: str, hits: list[int], profiles: Profiles, usable: list[str], mapping: Mapping) -> list[int]:
    """Columns tied by heading, settled by values: empty columns give way; identical columns are one."""
    if not profiles:
        return hits
    filled = [i for i in hits if profiles[i].filled] or hits
    if len(filled) < len(hits):
        empty = ", ".join(repr(column_label(usable, i)) for i in hits if i not in filled)
        mapping.notes.append(f"Also headed like the {field_name.replace('_', ' ')} but empty: {empty}")
    if len({profiles[i].values for i in filled}) == 1:
        if len(filled) > 1:
            mapping.notes.append(
                f"The columns {', '.join(repr(column_label(usable, i)) for i in filled)} hold the same values; the first was used"
            )
        return filled[:1]
    if field_name in REQUIRED:
        fitting = [(fits(field_name, profiles[i]) or 0.0, i) for i in filled]
        top = max(f for f, _ in fitting)
        best = [i for f, i in fitting if f >= top - 0.2]
        if len(best) == 1 and top >= FIT:
            return best
        if field_name == "supplier_name" and len(best) > 1:
            # Two name columns under payee headings ('Supplier', 'Payee'): the one naming organisations by their form
            # or kind, when clearly so (the other holding, say, a cost centre's names).
            return _most_organisations(best, profiles)
    return filled


def _most_organisations(columns: list[int], profiles: Profiles) -> list[int]:
    """The column whose different values most often name an organisation, when clearly ahead (twice the next and at
    least one in ten); otherwise all of them, for a person to choose between."""
    ordered = sorted(columns, key=lambda i: -profiles[i].organisation_share)
    top, second = profiles[ordered[0]].organisation_share, profiles[ordered[1]].organisation_share
    return ordered[:1] if top >= 0.1 and top >= 2 * second else columns


def _by_values(field_name: str, usable: list[str], profiles: Profiles, taken: set[int]) -> list[int]:
    """The column whose values alone say it is the field, when no heading does: a column of dates, of money, or of
    payees (names, varied, naming organisations more than any other column does)."""
    free, seen = [], set()
    for i, h in enumerate(usable):
        if h and i not in taken and profiles[i].filled and profiles[i].values not in seen:
            free.append(i)  # a column repeating another's values is the same column
            seen.add(profiles[i].values)
    fitting = [i for i in free if (fits(field_name, profiles[i]) or 0) >= (0.95 if field_name == "amount" else 0.9)]
    if field_name == "supplier_name":
        # A column another field's heading claims (a service area, an expense type) is not the payee; nor is free text
        # (descriptions run to many words, payees' names to a few).
        fitting = [
            i
            for i in fitting
            if set(fields_named(usable[i])) <= {"supplier_id", "transaction_id"} and _words_per_value(profiles[i]) <= 8
        ]
        if len(fitting) > 1:
            # The most varied column, when clearly so (a body's or a team's name repeats; payees vary), then the one
            # naming organisations most often.
            fitting.sort(key=lambda i: -profiles[i].distinct)
            if profiles[fitting[1]].distinct < 0.8 * profiles[fitting[0]].distinct:
                return fitting[:1]
            fitting = _most_organisations(fitting, profiles)
        return fitting
    if field_name == "amount":
        fitting = [i for i in fitting if not fields_named(usable[i])]
    return fitting


def _words_per_value(p: Profile) -> float:
    filled = [v for v in p.values if v]
    return sum(len(v.split()) for v in filled) / len(filled) if filled else 0.0
