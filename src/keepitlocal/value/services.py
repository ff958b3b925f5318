"""Every write to unit costs and value cases, and the reads that hand them to the calculator."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Sum
from django.utils import timezone

from keepitlocal.common.refused import Refused
from keepitlocal.connections import services as connections
from keepitlocal.connections.engine.model import Sector
from keepitlocal.network.models import Council, Organisation
from keepitlocal.spend.analysis import is_demo_council, platform_registers, registers_for
from keepitlocal.spend.engine.figures import IndicatorId
from keepitlocal.spend.figures import figures
from keepitlocal.spend.models import AnalysisRun
from keepitlocal.value.engine import calculator as calc
from keepitlocal.value.engine import gmca, lm3
from keepitlocal.value.engine import grants as engine
from keepitlocal.value.engine.deflator import Deflator, DeflatorError, read_series
from keepitlocal.value.engine.money import Agency, Confidence, PriceYear, ValueKind
from keepitlocal.value.engine.unitcosts import Amount
from keepitlocal.value.engine.unitcosts import UnitCost as EngineCost
from keepitlocal.value.models import (
    CaseOutcome,
    ConnectionsContext,
    DeflatorSeries,
    Grant,
    GrantImport,
    LM3Estimate,
    LM3Survey,
    UnitCost,
    UnitCostImport,
    ValueCase,
    ValueClaim,
)

RATES = ("events_per_person", "success", "deadweight", "displacement", "attribution", "optimism_bias", "drop_off")


def _values(cost: EngineCost) -> dict[str, dict[str, Any]]:
    return {kind.value: {"value": a.value, "price_year": a.price_year.start} for kind, a in cost.values.items()}


def _fields(cost: EngineCost) -> dict[str, Any]:
    return {
        "description": cost.description,
        "unit": cost.unit,
        "agency": cost.agency.value,
        "agency_level1": cost.agency_level1,
        "agency_level2": cost.agency_level2,
        "theme": cost.theme,
        "values": _values(cost),
        "source": cost.source,
        "confidence": cost.confidence.value,
        "comment": cost.comment,
        "licence": cost.licence,
        "cashable": cost.cashable,
        "geography": cost.geography,
    }


def _save_version(code: str, fields: dict[str, Any], actor: Any, run: UnitCostImport | None, council: Council | None) -> str:
    """A new version when anything differs from the current one; 'created', 'updated' or 'unchanged'."""
    current = UnitCost.objects.select_for_update().filter(code=code, is_current=True).first()
    if current is not None and all(getattr(current, k) == v for k, v in fields.items()):
        return "unchanged"
    version = (UnitCost.objects.filter(code=code).aggregate(n=Max("version"))["n"] or 0) + 1
    if current is not None:
        current.is_current = False
        current.save(update_fields=["is_current"])
    UnitCost.objects.create(
        code=code,
        version=version,
        council=council,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        imported_by=run,
        **fields,
    )
    return "updated" if current is not None else "created"


def import_library(name: str, data: bytes) -> UnitCostImport:
    """Imports a GMCA Unit Cost Database workbook or CSV in one transaction, with a run record; importing the same
    file again changes nothing. Its deflator series is kept when it differs from the newest already loaded."""
    suffix = PurePath(name).suffix.casefold()
    library = gmca.read_csv(data.decode("utf-8-sig")) if suffix == ".csv" else gmca.read_workbook(data)
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    with transaction.atomic():
        run = UnitCostImport.objects.create(
            source=PurePath(name).name,
            sha256=hashlib.sha256(data).hexdigest(),
            rows_read=len(library.costs) + len(library.problems),
        )
        for cost in library.costs:
            counts[_save_version(cost.code, _fields(cost), None, run, None)] += 1
        if library.deflator is not None:
            index = {str(y.start): v for y, v in library.deflator.index.items()}
            latest = DeflatorSeries.objects.first()
            if latest is None or latest.index != index or latest.citation != library.deflator.citation:
                DeflatorSeries.objects.create(citation=library.deflator.citation, index=index)
        run.created, run.updated, run.unchanged = counts["created"], counts["updated"], counts["unchanged"]
        run.problems = [{"sheet": p.sheet, "row": p.row, "message": p.message} for p in library.problems]
        run.succeeded = True
        run.save()
    return run


def save_own_cost(council: Council, data: dict[str, Any], actor: Any) -> UnitCost:
    """A council's own unit cost (a new version when the code exists): value, price year, agency, kind and source."""
    code = f"{council.gss_code}-{data['code']}".upper()
    existing = UnitCost.objects.filter(code=code, is_current=True).first()
    if existing is not None and existing.council_id != council.pk:
        raise Refused("That code is taken", "Choose another code for your cost.")
    fields = {
        "description": data["description"],
        "unit": data.get("unit", ""),
        "agency": data["agency"],
        "agency_level1": "",
        "agency_level2": "",
        "theme": "",
        "values": {data["kind"]: {"value": float(data["value"]), "price_year": int(data["price_year"])}},
        "source": data["source"],
        "confidence": data.get("confidence", ""),
        "comment": "",
        "licence": data.get("licence", ""),
        "cashable": data.get("cashable"),
        "geography": data.get("geography", ""),
    }
    with transaction.atomic():
        _save_version(code, fields, actor, None, council)
    return UnitCost.objects.get(code=code, is_current=True)


def engine_cost(row: UnitCost) -> EngineCost:
    return EngineCost(
        code=row.code,
        description=row.description,
        unit=row.unit,
        agency=Agency(row.agency),
        values={ValueKind(k): Amount(float(v["value"]), PriceYear(int(v["price_year"]))) for k, v in row.values.items()},
        source=row.source,
        confidence=Confidence(row.confidence),
        agency_level1=row.agency_level1,
        agency_level2=row.agency_level2,
        theme=row.theme,
        comment=row.comment,
        licence=row.licence,
        cashable=row.cashable,
        geography=row.geography,
    )


def load_deflator(text: str, citation: str) -> DeflatorSeries:
    """A newer deflator series (documented CSV layout), used by cases created from now on; cases already made keep
    the series they were made with. Refused whole when it has gaps, repeats or a row that is not a year and an index."""
    if not citation.strip():
        raise Refused("Say where the series comes from", "Enter the source of the series, for example its publisher and date.")
    try:
        series = read_series(text, citation.strip())
    except DeflatorError as error:
        raise Refused("Check the deflator series", str(error)) from None
    return DeflatorSeries.objects.create(citation=series.citation, index={str(y.start): v for y, v in series.index.items()})


def engine_deflator(row: DeflatorSeries | None) -> Deflator | None:
    if row is None:
        return None
    return Deflator({PriceYear(int(k)): float(v) for k, v in row.index.items()}, row.citation)


def _range(data: dict[str, Any]) -> calc.Range:
    return calc.Range(float(data["low"]), float(data["central"]), float(data["high"]))


def engine_case(case: ValueCase) -> calc.Case:
    outcomes = []
    for outcome in case.outcomes.prefetch_related("unit_costs"):
        kinds = frozenset(ValueKind(k) for k in outcome.kinds) or frozenset(ValueKind)
        uses = tuple(calc.CostUse(engine_cost(c), kinds, outcome.cashable) for c in outcome.unit_costs.all())
        outcomes.append(
            calc.Outcome(
                name=outcome.name,
                costs=uses,
                persistence=outcome.persistence,
                event=outcome.event,
                **{name: _range(outcome.rates[name]) for name in RATES},
            )
        )
    return calc.Case(
        title=case.title,
        price_year=PriceYear(case.price_year),
        cost_per_year=_range(case.cost_per_year),
        years=case.years,
        cohort_per_year=_range(case.cohort_per_year),
        outcomes=tuple(outcomes),
        deflator=engine_deflator(case.deflator),
    )


@dataclass(frozen=True)
class Calculated:
    result: calc.Result | None
    problem: str  # why it cannot be calculated yet ('' when it can)


def calculate(case: ValueCase) -> Calculated:
    if not case.outcomes.exists():
        return Calculated(None, "Add an outcome to see what the case is worth.")
    try:
        return Calculated(calc.calculate(engine_case(case)), "")
    except (calc.CaseError, DeflatorError) as error:
        return Calculated(None, str(error))


def create_case(council: Council, data: dict[str, Any], actor: Any) -> ValueCase:
    return ValueCase.objects.create(
        council=council,
        title=data["title"],
        price_year=int(data["price_year"]),
        cost_per_year=vars(data["cost_per_year"]),
        years=int(data["years"]),
        cohort_per_year=vars(data["cohort_per_year"]),
        deflator=DeflatorSeries.objects.first(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )


def add_outcome(case: ValueCase, data: dict[str, Any], costs: list[UnitCost]) -> CaseOutcome:
    """Adds an outcome using the current versions of the named unit costs (the case keeps those versions)."""
    with transaction.atomic():
        position = (case.outcomes.aggregate(n=Max("position"))["n"] or 0) + 1
        outcome = CaseOutcome.objects.create(
            case=case,
            name=data["name"],
            event=data.get("event", ""),
            kinds=list(data.get("kinds") or []),
            rates={name: vars(data[name]) for name in RATES},
            persistence=int(data["persistence"]),
            cashable=data.get("cashable"),
            position=position,
        )
        outcome.unit_costs.set(costs)
        ValueCase.objects.filter(pk=case.pk).update(updated_at=timezone.now())
    return outcome


def remove_outcome(outcome: CaseOutcome) -> None:
    with transaction.atomic():
        case_id = outcome.case_id
        outcome.delete()
        ValueCase.objects.filter(pk=case_id).update(updated_at=timezone.now())


# 360Giving grants ----------------------------------------------------------------------------------------------------

LAD_PREFIXES = ("E06", "E07", "E08", "E09", "W06", "S12", "N09")


def _lad(grant: Any, registers: Any) -> str:
    """The local authority district of a grant's recipient: its location code when that is a district, else its
    postcode placed with the platform's postcode register (when loaded)."""
    for code in grant.location_codes:
        if code.upper().startswith(LAD_PREFIXES):
            return str(code.upper())
    if grant.postcode and registers is not None:
        lad, _ = registers.place(grant.postcode)
        return str(lad or "")
    return ""


def import_grants(name: str, data: bytes) -> Any:
    """Imports a 360Giving file (JSON package or flat CSV) in one transaction, with a run record; a grant already
    held (by its identifier) is left as it is, so importing the same file again adds nothing."""
    text = data.decode("utf-8-sig")
    read = engine.read_flat_csv(text) if PurePath(name).suffix.casefold() == ".csv" else engine.read_json(text)
    registers = platform_registers()
    with transaction.atomic():
        run = GrantImport.objects.create(source=PurePath(name).name, sha256=hashlib.sha256(data).hexdigest())
        held = set(Grant.objects.filter(grant_id__in=[g.id for g in read.grants]).values_list("grant_id", flat=True))
        new = [
            Grant(
                grant_id=g.id,
                title=g.title[:500],
                amount=Decimal(str(g.amount)),
                currency=g.currency[:3],
                award_date=g.award_date,
                financial_year=g.financial_year,
                funder_id=g.funder_id[:200],
                funder_name=g.funder_name[:300],
                recipient_name=g.recipient_name[:300],
                recipient_org_id=g.recipient_org_id,
                postcode=g.postcode[:12],
                lad=_lad(g, registers),
                to_individual=g.to_individual,
                imported_by=run,
            )
            for g in read.grants
            if g.id not in held
        ]
        Grant.objects.bulk_create(new, batch_size=1000)
        run.rows_read, run.created, run.unchanged = len(read.grants), len(new), len(read.grants) - len(new)
        run.problems = [{"row": p.row, "message": p.message} for p in read.problems]
        run.succeeded = True
        run.save()
    return run


@dataclass(frozen=True)
class Levered:
    """Grants into a council's area by funder and year; and, for the financial year of its latest spend analysis,
    the grants awarded that year beside its spend with local VCSE organisations that year."""

    by_funder_year: list[tuple[str, str, Any]]
    grants_total: Any
    grants: int
    year: str  # the spend analysis's latest financial year ('2025/26'), '' without one
    year_grants: Any  # grants awarded into the area in that year
    local_vcse_spend: float | None  # None: no analysis, or the locality of its suppliers is not known
    per_pound: float | None
    lads: set[str]


def levered_in(council: Council) -> Levered:
    """External grants whose recipients are placed in the council's area, by funder and financial year, and for
    every £1 of the council's spend with local VCSE suppliers in its latest analysed year, the grants that year."""
    registers = registers_for(demo=is_demo_council(council))
    lads = set(registers.council_areas(council.gss_code)) if registers is not None else set()
    lads.add(council.gss_code)
    into_area = Grant.objects.filter(lad__in=lads)
    rows = into_area.values("funder_name", "financial_year").annotate(total=Sum("amount")).order_by("-financial_year", "-total")
    totals = into_area.aggregate(total=Sum("amount"), n=Count("id"))
    year, year_grants, spend, ratio = "", Decimal(0), None, None
    run = AnalysisRun.objects.latest_finished(council)
    if run is not None:
        shown = figures(run, None, charts=False)
        year = shown.key if shown.years == 1 else ""
        local_vcse = shown.get(IndicatorId.SHARE_LOCAL_VCSE)
        if year and local_vcse is not None and local_vcse.coverage and local_vcse.numerator is not None:
            spend = float(local_vcse.numerator)
            year_grants = into_area.filter(financial_year=year).aggregate(t=Sum("amount"))["t"] or Decimal(0)
            ratio = engine.per_pound(float(year_grants), spend)
    return Levered(
        [(r["funder_name"], r["financial_year"], r["total"]) for r in rows],
        totals["total"] or Decimal(0),
        totals["n"],
        year,
        year_grants,
        spend,
        ratio,
        lads,
    )


def grants_received(org_id: str) -> list[tuple[str, str, Any]]:
    """An organisation's grants by funder and financial year."""
    if not org_id:
        return []
    rows = (
        Grant.objects.filter(recipient_org_id__iexact=org_id)
        .values("funder_name", "financial_year")
        .annotate(total=Sum("amount"))
        .order_by("-financial_year", "funder_name")
    )
    return [(r["funder_name"], r["financial_year"], r["total"]) for r in rows]


# Local multiplier (LM3) ----------------------------------------------------------------------------------------------


def save_lm3_survey(organisation: Any, data: dict[str, Any]) -> Any:
    """Records a survey after the calculator has accepted it (round 2 not above round 1, shares 0 to 1...)."""
    survey = lm3.Survey(
        float(data["income"]), float(data["local_staff_pay"]), float(data["local_suppliers"]),
        float(data["staff_respend_share"]), float(data["supplier_respend_share"]), data["local"],
        lm3.Basis(data["round3_basis"]), data.get("round3_source", ""),
    )  # fmt: skip
    try:
        survey.check()
    except lm3.LM3Error as error:
        raise Refused("Check the survey", str(error)) from None
    return LM3Survey.objects.create(organisation=organisation, **{k: data.get(k, "") for k in (
        "period", "income", "local_staff_pay", "local_suppliers", "staff_respend_share", "supplier_respend_share",
        "local", "round3_basis", "round3_source")})  # fmt: skip


def lm3_of(survey: Any) -> Any:
    return lm3.from_survey(
        lm3.Survey(
            float(survey.income), float(survey.local_staff_pay), float(survey.local_suppliers), survey.staff_respend_share,
            survey.supplier_respend_share, survey.local, lm3.Basis(survey.round3_basis), survey.round3_source,
        )
    )  # fmt: skip


@dataclass(frozen=True)
class CouncilLM3:
    """A council's LM3 estimate from its spend at the low, central and high local share, or why there is none. Where the
    local share is given as its range (locality known for too little spend: Indicator.as_range), so is the estimate:
    no central figure, only its low and high."""

    low: Any | None
    central: Any | None
    high: Any | None
    reason: str
    total_spend: float | None
    year: str
    stated: Any | None  # the LM3Estimate with the stated re-spend share
    coverage: float | None = None  # the share of spend whose locality is known (%)


def council_lm3(council: Council) -> CouncilLM3:
    stated = LM3Estimate.objects.filter(council=council).first()
    run = AnalysisRun.objects.latest_finished(council)
    if run is None:
        return CouncilLM3(None, None, None, "No spend has been analysed yet.", None, "", stated)
    shown = figures(run, None, charts=False)
    total = shown.value(IndicatorId.TOTAL_SPEND)
    share = shown.get(IndicatorId.SHARE_LOCAL)
    if not total or share is None or not share.coverage or share.value is None:
        return CouncilLM3(
            None,
            None,
            None,
            "The locality of suppliers is not known yet (load the postcode register).",
            total,
            shown.title,
            stated,
        )
    if stated is None:
        return CouncilLM3(
            None, None, None, "State a re-spend share and its source to see the estimate.", total, shown.title, stated
        )
    ends = [float(end if end is not None else share.value) / 100 for end in (share.low, share.value, share.high)]
    made = [lm3.estimate_from_spend(float(total), e, stated.respend_share, stated.source, stated.local) for e in ends]
    # The local share known for too little spend is no one figure, and neither is the multiplier made from it.
    central = None if share.as_range else made[1]
    return CouncilLM3(made[0], central, made[2], "", total, shown.title, stated, share.coverage)


def save_lm3_estimate(council: Council, data: dict[str, Any]) -> None:
    LM3Estimate.objects.update_or_create(
        council=council,
        defaults={
            "respend_share": data["respend_share"].central,
            "source": data["source"],
            "local": data["local"],
            "updated_at": timezone.now(),
        },
    )


def add_claim(case: ValueCase, data: dict[str, Any]) -> Any:
    with transaction.atomic():
        claim = ValueClaim.objects.create(
            case=case, **{k: data.get(k) or "" for k in ("what", "for_whom", "evidence", "who_can_confirm")}, when=data["when"]
        )
        ValueCase.objects.filter(pk=case.pk).update(updated_at=timezone.now())
    return claim


def publish(case: ValueCase, published: bool) -> None:
    """Shows the case, with its figures, ranges and sources, on the council's public profile (or stops showing it)."""
    ValueCase.objects.filter(pk=case.pk).update(published_at=timezone.now() if published else None)


def published_cases(council: Council) -> list[tuple[ValueCase, calc.Result | None]]:
    return [(case, calculate(case).result) for case in ValueCase.objects.published().filter(council=council)]


def update_case(case: ValueCase, data: dict[str, Any]) -> None:
    """Changes the intervention and cohort; the outcomes and the unit-cost versions they use stay as they are."""
    ValueCase.objects.filter(pk=case.pk).update(
        title=data["title"],
        price_year=int(data["price_year"]),
        cost_per_year=vars(data["cost_per_year"]),
        years=int(data["years"]),
        cohort_per_year=vars(data["cohort_per_year"]),
        updated_at=timezone.now(),
    )


# Connections as context -----------------------------------------------------------------------------------------------


def attach_connections(case: ValueCase, organisation: Organisation, on: date, actor: str) -> ConnectionsContext:
    """The organisation's reach as its map of connections shows it on `on`, attached to a published case (or brought
    up to date when attached already). Counts only, in the platform's words: nothing a person wrote is shown."""
    if not ValueCase.objects.published().filter(pk=case.pk).exists():
        raise Refused("This value case is not published", "Only a council's published value cases can be given context.")
    cmap = connections.map_for(organisation)
    shot = connections.snapshot(cmap, on)
    own = connections.self_element(cmap).key
    elements = shot.network.by_key()
    # Its own current connections to others (a connection to itself is no tie), and the sectors at their other ends.
    mine = [c for c in shot.network.at(on).connections if own in c.ends and len(set(c.ends)) == 2]
    others = {end for c in mine for end in c.ends if end != own}
    sectors = [elements[key].sector for key in others if key in elements]
    row = shot.measures.of(own)
    context, _ = ConnectionsContext.objects.update_or_create(
        case=case,
        organisation=organisation,
        defaults={
            "on": on,
            "attached_by": actor[:300],
            "resident_groups": sum(1 for s in sectors if s is Sector.RESIDENTS),
            "public_bodies": sum(1 for s in sectors if s is Sector.PUBLIC),
            "residents_cut_off": row.removal.residents,
            "sectors": len({s for s in sectors if s is not None}),
            "connections": len(mine),
            "confirmed": sum(1 for c in mine if c.confirmed),
            "introductions": row.introductions.persisting,
        },
    )
    return context


def detach_connections(case: ValueCase, organisation: Organisation) -> None:
    ConnectionsContext.objects.filter(case=case, organisation=organisation).delete()
