"""360Giving grants (every real file in ../shared, and files that are not 360Giving) and the LM3 calculator."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from keepitlocal.value.engine import grants, lm3
from tests.paths import SHARED

GRANTS = SHARED / "grants_360giving"


def _read(path: Path) -> grants.Grants:
    if path.suffix == ".csv":
        return grants.read_flat_csv(path.read_text(encoding="utf-8-sig"))
    return grants.read_json(path.read_text(encoding="utf-8"))


@pytest.mark.skipif(not GRANTS.exists(), reason="../shared 360Giving files not present")
@pytest.mark.parametrize("name", sorted(p.name for p in GRANTS.iterdir()) if GRANTS.exists() else [])
def test_every_real_360giving_file_is_read_whole(name: str) -> None:
    path = GRANTS / name
    found = _read(path)
    if path.suffix == ".json":
        assert len(found.grants) == len(json.loads(path.read_text(encoding="utf-8"))["grants"])
    assert not found.problems
    assert all(g.amount >= 0 and g.award_date.year > 1990 for g in found.grants)
    named = [g for g in found.grants if g.recipient_org_id]
    assert named and all(g.recipient_org_id.startswith("GB-") for g in named)


def test_recipients_resolve_by_org_id_then_charity_then_company_number() -> None:
    assert grants.resolve_recipient("GB-CHC-01136419", "", "") == "GB-CHC-1136419"
    assert grants.resolve_recipient("360G-x:org-1", "1070468", "") == "GB-CHC-1070468"
    assert grants.resolve_recipient("", "SC012345", "") == "GB-SC-SC012345"
    assert grants.resolve_recipient("", "", "1234567") == "GB-COH-01234567"
    assert grants.resolve_recipient("360G-x:org-1", "", "") == ""


def test_totals_by_recipient_and_by_area_in_financial_years() -> None:
    package = {
        "grants": [
            {"id": "g1", "amountAwarded": 1000, "awardDate": "2024-03-31", "fundingOrganization": [{"id": "F", "name": "Fund"}],
             "recipientOrganization": [{"id": "GB-CHC-1", "name": "A", "location": [{"geoCode": "E08000033"}]}]},
            {"id": "g2", "amountAwarded": 500, "awardDate": "2024-04-01", "fundingOrganization": [{"id": "F", "name": "Fund"}],
             "recipientOrganization": [{"id": "GB-CHC-1", "name": "A", "location": [{"geoCode": "E08000033"}]}]},
            {"id": "g3", "amountAwarded": 700, "awardDate": "26/03/2021 00:00", "fundingOrganization": [{"name": "Other"}],
             "recipientOrganization": [{"name": "B", "postalCode": "ls1 1aa"}]},
        ]
    }  # fmt: skip
    found = grants.read_json(json.dumps(package)).grants
    assert grants.totals_by_recipient(found) == {"GB-CHC-1": {("Fund", "2023/24"): 1000.0, ("Fund", "2024/25"): 500.0}}
    area = grants.into_area(found, lambda g: g.location_codes[0] if g.location_codes else None, "E08000033")
    assert area == {("Fund", "2023/24"): 1000.0, ("Fund", "2024/25"): 500.0}
    assert found[2].award_date == date(2021, 3, 26) and found[2].postcode == "LS1 1AA"


def test_grants_per_pound_of_local_vcse_spend_by_hand() -> None:
    # £210,000 of grants into the area in 2025/26 against £212,088.51 spent with local VCSE organisations that year.
    assert grants.per_pound(210_000, 212_088.51) == pytest.approx(0.9902, abs=1e-4)
    assert grants.per_pound(50_000, 0) is None  # nothing spent with them: no ratio, never a division by zero


@pytest.mark.parametrize(
    "text",
    ['{"not": "grants"}', "[1, 2]", "not json", '{"grants": [{"title": "no id"}]}', "[" * 100_000],
)
def test_files_that_are_not_360giving_are_refused(text: str) -> None:
    with pytest.raises(grants.NotGrants):
        grants.read_json(text)
    with pytest.raises(grants.NotGrants):
        grants.read_flat_csv("Name,Amount\nA,1\n")


def test_lm3_survey_by_hand() -> None:
    survey = lm3.Survey(
        income=100_000, local_staff_pay=40_000, local_suppliers=20_000, staff_respend_share=0.5,
        supplier_respend_share=0.25, local="living or trading in Calderdale",
    )  # fmt: skip
    result = lm3.from_survey(survey)
    assert (result.r2, result.r3) == (60_000, 25_000)
    assert result.lm3 == pytest.approx(1.85) and not result.estimate
    with pytest.raises(lm3.LM3Error):
        lm3.from_survey(lm3.Survey(100, 80, 30, 0.5, 0.5, "local"))  # round 2 above round 1
    with pytest.raises(lm3.LM3Error):
        lm3.from_survey(lm3.Survey(100, 10, 10, 0.5, 0.5, "local", lm3.Basis.ASSUMPTION))  # an assumption needs a source


def test_lm3_estimate_from_spend_is_labelled_an_estimate() -> None:
    result = lm3.estimate_from_spend(1_000_000, 0.4, 0.3, "Stated by the council's economist", "within Calderdale")
    assert result.estimate and result.basis is lm3.Basis.ASSUMPTION
    assert result.lm3 == pytest.approx(1 + 0.4 + 0.12)
    with pytest.raises(lm3.LM3Error):
        lm3.estimate_from_spend(1_000_000, 0.4, 0.3, "", "within Calderdale")


@given(st.floats(1, 1e9), st.floats(0, 1), st.floats(0, 1), st.floats(0, 1), st.floats(0, 1))
def test_lm3_lies_between_one_and_three(income: float, staff: float, suppliers: float, a: float, b: float) -> None:
    share = staff * (1 - suppliers)
    survey = lm3.Survey(income, income * share, income * (1 - share) * suppliers, a, b, "local")
    assert 1 <= lm3.from_survey(survey).lm3 <= 3 + 1e-9
