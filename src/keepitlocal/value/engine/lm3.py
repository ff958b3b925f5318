"""The local multiplier (LM3): how much of an organisation's income stays in the local economy over three rounds.

LM3 = (R1 + R2 + R3) ÷ R1, where R1 is the income (a contract, a grant), R2 what the organisation spends locally (pay
to staff living locally, local suppliers) and R3 what those staff and suppliers re-spend locally. It ranges from 1
(nothing stays) to 3 (everything stays, twice)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Basis(StrEnum):
    """Where round 3 (and for a council estimate, round 2) comes from: a survey, or an assumption someone states."""

    SURVEY = "survey"
    ASSUMPTION = "assumption"

    @property
    def label(self) -> str:
        return {"survey": "From a survey", "assumption": "Stated assumption"}[self.value]


class LM3Error(ValueError):
    """An input the calculator refuses; the message names it."""


@dataclass(frozen=True)
class Survey:
    """An organisation's LM3 survey. Shares are of the money in the round before; `local` says what local means."""

    income: float  # R1
    local_staff_pay: float
    local_suppliers: float
    staff_respend_share: float  # share of local staff pay re-spent locally
    supplier_respend_share: float  # share of local suppliers' takings re-spent locally
    local: str  # the definition of local used ("living or trading in Calderdale")
    round3_basis: Basis = Basis.SURVEY
    round3_source: str = ""

    def check(self) -> None:
        if self.income <= 0:
            raise LM3Error("Round 1 (income) must be more than £0.")
        if min(self.local_staff_pay, self.local_suppliers) < 0:
            raise LM3Error("Local spending cannot be below £0.")
        if self.local_staff_pay + self.local_suppliers > self.income:
            raise LM3Error("Round 2 (local spending) cannot be more than round 1 (income).")
        for name in ("staff_respend_share", "supplier_respend_share"):
            if not 0 <= getattr(self, name) <= 1:
                raise LM3Error(f"{name.replace('_', ' ').capitalize()} must be between 0 and 1.")
        if not self.local.strip():
            raise LM3Error("Say what 'local' means in this survey.")
        if self.round3_basis is Basis.ASSUMPTION and not self.round3_source.strip():
            raise LM3Error("An assumed re-spend share needs its source.")


def round2(local_staff_pay: float, local_suppliers: float) -> float:
    """R2 = pay to staff living locally + spending with local suppliers."""
    return local_staff_pay + local_suppliers


def round3(local_staff_pay: float, local_suppliers: float, staff_respend_share: float, supplier_respend_share: float) -> float:
    """R3 = local staff pay × their local re-spend share + local suppliers' takings × theirs."""
    return local_staff_pay * staff_respend_share + local_suppliers * supplier_respend_share


def lm3(r1: float, r2: float, r3: float) -> float:
    """(R1 + R2 + R3) ÷ R1."""
    if r1 <= 0:
        raise LM3Error("Round 1 must be more than £0.")
    return (r1 + r2 + r3) / r1


@dataclass(frozen=True)
class LM3Result:
    r1: float
    r2: float
    r3: float
    lm3: float
    basis: Basis
    local: str
    estimate: bool  # True: estimated from spend data, never a survey result


def from_survey(survey: Survey) -> LM3Result:
    survey.check()
    r2 = round2(survey.local_staff_pay, survey.local_suppliers)
    r3 = round3(survey.local_staff_pay, survey.local_suppliers, survey.staff_respend_share, survey.supplier_respend_share)
    return LM3Result(survey.income, r2, r3, lm3(survey.income, r2, r3), survey.round3_basis, survey.local, False)


def estimate_from_spend(total_spend: float, local_share: float, respend_share: float, source: str, local: str) -> LM3Result:
    """A council's estimate, labelled as one: R1 its spend with suppliers, R2 = R1 × its local share of spend (from
    the spend analysis), R3 = R2 × a re-spend share someone states with its source."""
    if not 0 <= local_share <= 1 or not 0 <= respend_share <= 1:
        raise LM3Error("Shares must be between 0 and 1.")
    if not source.strip():
        raise LM3Error("The re-spend share needs its source.")
    r2 = total_spend * local_share
    r3 = r2 * respend_share
    return LM3Result(total_spend, r2, r3, lm3(total_spend, r2, r3), Basis.ASSUMPTION, local, True)
