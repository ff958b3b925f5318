"""360Giving grants: read from a JSON data package or the flat CSV layout, recipients resolved to org-ids (their own
identifier, else their charity or company number), and totals by recipient, funder and year or by council area."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from keepitlocal.common.orgid import OrgIdError, parse_org_id


class NotGrants(ValueError):
    """The file is not 360Giving data (the message says what is missing)."""


@dataclass(frozen=True)
class GrantProblem:
    row: int
    message: str


@dataclass(frozen=True)
class Grant:
    id: str
    title: str
    amount: float
    currency: str
    award_date: date
    funder_id: str
    funder_name: str
    recipient_id: str  # as published
    recipient_name: str
    recipient_org_id: str  # resolved: the published org-id, else from charity or company number; '' if none
    postcode: str
    location_codes: tuple[str, ...]
    to_individual: bool = False  # a grant to a person: counted in totals, never matched to an organisation

    @property
    def financial_year(self) -> str:
        start = self.award_date.year if self.award_date.month >= 4 else self.award_date.year - 1
        return f"{start}/{(start + 1) % 100:02d}"


@dataclass(frozen=True)
class Grants:
    grants: tuple[Grant, ...]
    problems: tuple[GrantProblem, ...]


def resolve_recipient(identifier: str, charity_number: str, company_number: str) -> str:
    """The recipient's org-id: its own identifier when that is an org-id, else its charity number, else its company
    number (zeros restored); '' when none can be read."""
    try:
        if identifier.upper().startswith("GB-"):
            return str(parse_org_id(identifier))
    except OrgIdError:
        pass
    for number, scheme in ((charity_number, "GB-CHC"), (company_number, "GB-COH")):
        text = str(number or "").strip()
        if not text:
            continue
        try:
            if scheme == "GB-CHC" and text.upper().startswith("SC"):
                return str(parse_org_id(text))
            return str(parse_org_id(text, scheme))
        except OrgIdError:
            continue
    return ""


def _date(text: str) -> date:
    """ISO dates and datetimes as the standard has them; also dd/mm/yyyy, with or without a time, as spreadsheets
    save the flat layout."""
    text = text.strip()
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    for layout in ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, layout).date()
        except ValueError:
            continue
    raise ValueError(text)


def _first(items: Any) -> dict[str, Any]:
    return items[0] if isinstance(items, list) and items and isinstance(items[0], dict) else {}


def _grant(row: int, record: dict[str, Any]) -> Grant | GrantProblem:
    recipient = _first(record.get("recipientOrganization"))
    individual = isinstance(record.get("recipientIndividual"), dict) and not recipient
    if individual:
        recipient = {"name": "Individual recipient"}
    funder = _first(record.get("fundingOrganization"))
    if not record.get("id") or not recipient or not funder:
        return GrantProblem(row, "A grant needs an id, a funding organisation and a recipient organisation.")
    try:
        amount = float(record["amountAwarded"])
        awarded = _date(str(record["awardDate"]))
    except (KeyError, TypeError, ValueError):
        return GrantProblem(row, f"{record.get('id')}: amountAwarded and awardDate must be a number and a date.")
    codes = tuple(
        str(place.get("geoCode"))
        for place in (recipient.get("location") or [])
        if isinstance(place, dict) and place.get("geoCode")
    )
    return Grant(
        id=str(record["id"]),
        title=str(record.get("title", "")),
        amount=amount,
        currency=str(record.get("currency", "GBP")),
        award_date=awarded,
        funder_id=str(funder.get("id", "")),
        funder_name=str(funder.get("name", "")),
        recipient_id=str(recipient.get("id", "")),
        recipient_name=str(recipient.get("name", "")),
        recipient_org_id=""
        if individual
        else resolve_recipient(
            str(recipient.get("id", "")), str(recipient.get("charityNumber", "")), str(recipient.get("companyNumber", ""))
        ),
        postcode=str(recipient.get("postalCode", "")).strip().upper(),
        location_codes=codes,
        to_individual=individual,
    )


def _collect(records: Iterable[tuple[int, dict[str, Any]]]) -> Grants:
    grants: list[Grant] = []
    problems: list[GrantProblem] = []
    seen: set[str] = set()
    for row, record in records:
        made = _grant(row, record)
        if isinstance(made, GrantProblem):
            problems.append(made)
        elif made.id in seen:
            problems.append(GrantProblem(row, f"{made.id} appears twice in the file."))
        else:
            seen.add(made.id)
            grants.append(made)
    if not grants:
        raise NotGrants("No 360Giving grant could be read: each needs id, amountAwarded, awardDate and its organisations.")
    return Grants(tuple(grants), tuple(problems))


def read_json(text: str) -> Grants:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise NotGrants("This file is not JSON.") from error
    if not isinstance(data, dict) or not isinstance(data.get("grants"), list):
        raise NotGrants('A 360Giving data package is an object with a "grants" list.')
    return _collect((n, g) for n, g in enumerate(data["grants"], start=1) if isinstance(g, dict))


# The flat layout's column names, as 360Giving's spreadsheet template writes them.
FLAT = {
    "id": "Identifier",
    "title": "Title",
    "currency": "Currency",
    "amountAwarded": "Amount Awarded",
    "awardDate": "Award Date",
}
FLAT_FUNDER = {"id": "Funding Org:Identifier", "name": "Funding Org:Name"}
FLAT_RECIPIENT = {
    "id": "Recipient Org:Identifier",
    "name": "Recipient Org:Name",
    "charityNumber": "Recipient Org:Charity Number",
    "companyNumber": "Recipient Org:Company Number",
    "postalCode": "Recipient Org:Postal Code",
}


def read_flat_csv(text: str) -> Grants:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    headers = {h.strip().casefold(): h for h in reader.fieldnames or []}
    if not {"identifier", "amount awarded", "award date"} <= set(headers):
        raise NotGrants("A 360Giving flat file has Identifier, Amount Awarded and Award Date columns.")

    def get(row: dict[str, str], name: str) -> str:
        return (row.get(headers.get(name.casefold(), ""), "") or "").strip()

    def records() -> Iterable[tuple[int, dict[str, Any]]]:
        for number, row in enumerate(reader, start=2):
            record: dict[str, Any] = {key: get(row, column) for key, column in FLAT.items()}
            record["fundingOrganization"] = [{k: get(row, c) for k, c in FLAT_FUNDER.items()}]
            recipient: dict[str, Any] = {k: get(row, c) for k, c in FLAT_RECIPIENT.items()}
            code = get(row, "Recipient Org:Location:0:Geographic Code")
            recipient["location"] = [{"geoCode": code}] if code else []
            record["recipientOrganization"] = [recipient] if recipient["name"] or recipient["id"] else []
            yield number, record

    return _collect(records())


def totals_by_recipient(grants: Iterable[Grant]) -> dict[str, dict[tuple[str, str], float]]:
    """Per recipient org-id: grants received by (funder name, financial year)."""
    found: dict[str, dict[tuple[str, str], float]] = {}
    for grant in grants:
        if grant.recipient_org_id:
            by = found.setdefault(grant.recipient_org_id, {})
            key = (grant.funder_name, grant.financial_year)
            by[key] = by.get(key, 0.0) + grant.amount
    return found


def into_area(grants: Iterable[Grant], council_of: Callable[[Grant], str | None], council: str) -> dict[tuple[str, str], float]:
    """Grants whose recipient is placed in `council` (by `council_of`, from its location code or postcode, as the
    spend engine places suppliers), totalled by (funder name, financial year)."""
    found: dict[tuple[str, str], float] = {}
    for grant in grants:
        if council_of(grant) == council:
            key = (grant.funder_name, grant.financial_year)
            found[key] = found.get(key, 0.0) + grant.amount
    return found


def per_pound(grants_in_year: float, local_vcse_spend: float) -> float | None:
    """Grants into an area for every £1 the council spent with local VCSE organisations, both in the same financial
    year: grants_in_year / local_vcse_spend (None when the council spent nothing with them, or it is not known).
    Comparing a year's spend with several years of grants would multiply the ratio, so callers pass one year of each."""
    if local_vcse_spend <= 0:
        return None
    return grants_in_year / local_vcse_spend
