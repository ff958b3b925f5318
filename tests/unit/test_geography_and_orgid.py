import pytest
from hypothesis import given
from hypothesis import strategies as st

from keepitlocal.common.geography import CouncilType, council_type, is_gss_code, nation
from keepitlocal.common.orgid import OrgIdError, parse_org_id


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("E08000033", CouncilType.METROPOLITAN_DISTRICT),
        ("e06000023", CouncilType.UNITARY),
        ("E10000011", CouncilType.COUNTY),
        ("E07000235", CouncilType.NON_METROPOLITAN_DISTRICT),
        ("E09000012", CouncilType.LONDON_BOROUGH),
        ("W06000001", CouncilType.WELSH_PRINCIPAL_AREA),
        ("S12000033", CouncilType.SCOTTISH_COUNCIL_AREA),
        ("N09000001", CouncilType.NORTHERN_IRELAND_DISTRICT),
        (" E08000033 ", CouncilType.METROPOLITAN_DISTRICT),
    ],
)
def test_council_type_from_gss_entity_code(code: str, kind: CouncilType) -> None:
    assert council_type(code) is kind


@pytest.mark.parametrize("code", ["E12000003", "E47000003", "E92000001", "K02000001", "", "E0800003", "X08000033", "E08000033X"])
def test_codes_that_are_not_principal_councils(code: str) -> None:
    assert council_type(code) is None


def test_nation_from_first_letter() -> None:
    assert nation("W06000001") == "Wales"
    assert nation("S12000033") == "Scotland"
    assert nation("N09000001") == "Northern Ireland"
    assert nation("rubbish") is None
    assert is_gss_code("e08000033")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("GB-COH-1234567", "GB-COH-01234567"),
        ("gb-coh-01234567", "GB-COH-01234567"),
        ("GB-COH-SC12345", "GB-COH-SC012345"),
        ("GB-CHC-0001234567", "GB-CHC-1234567"),
        ("GB-CHC-1050123", "GB-CHC-1050123"),
        ("GB-SC-SC012345", "GB-SC-SC012345"),
        ("GB-SC-12345", "GB-SC-SC012345"),
        ("SC012345", "GB-SC-SC012345"),
        ("GB-NIC-NIC100001", "GB-NIC-100001"),
        ("GB-NIC-100001", "GB-NIC-100001"),
        ("  GB-COH 123 456 ", "GB-COH-00123456"),
        ("E08000033", "GSS-E08000033"),
    ],
)
def test_org_ids_are_read_with_or_without_prefix_and_zeros(typed: str, expected: str) -> None:
    assert str(parse_org_id(typed)) == expected


def test_bare_number_needs_a_scheme() -> None:
    with pytest.raises(OrgIdError, match="prefix"):
        parse_org_id("1234567")
    assert str(parse_org_id("1234567", default_scheme="GB-COH")) == "GB-COH-01234567"
    assert str(parse_org_id("1234567", default_scheme="GB-CHC")) == "GB-CHC-1234567"


@pytest.mark.parametrize("typed", ["", "GB-XYZ-123", "GB-COH-123456789", "GB-CHC-ABC", "GB-CHC-", "GB-CHC-12345678"])
def test_bad_org_ids_are_refused_with_a_message(typed: str) -> None:
    with pytest.raises(OrgIdError) as error:
        parse_org_id(typed)
    assert str(error.value)


@given(st.integers(min_value=1, max_value=99_999_999))
def test_company_numbers_always_normalise_to_eight_characters(number: int) -> None:
    for typed in (f"GB-COH-{number}", f"GB-COH-{number:08d}", f"gb-coh-{number}"):
        org_id = parse_org_id(typed)
        assert org_id.scheme == "GB-COH"
        assert len(org_id.identifier) == 8
        assert int(org_id.identifier) == number


@given(st.integers(min_value=1, max_value=9_999_999), st.integers(min_value=0, max_value=3))
def test_charity_numbers_lose_leading_zeros_and_round_trip(number: int, zeros: int) -> None:
    org_id = parse_org_id(f"GB-CHC-{'0' * zeros}{number}")
    assert org_id.identifier == str(number)
    assert parse_org_id(str(org_id)) == org_id


def test_org_ids_are_built_by_one_value_type_from_published_numbers() -> None:
    from keepitlocal.common.orgid import OrgId

    assert str(OrgId.charity("1123456")) == "GB-CHC-1123456" and str(OrgId.charity("0212345")) == "GB-CHC-212345"
    assert str(OrgId.charity("SC012345")) == "GB-SC-SC012345" and str(OrgId.charity("NIC100001")) == "GB-NIC-100001"
    assert str(OrgId.company("1234")) == "GB-COH-00001234" and str(OrgId.company("sc1234")) == "GB-COH-SC001234"
    assert OrgId.charity("1123456").register_page.endswith("/charity-details/1123456")
    assert (
        OrgId.company("01234567").register_page == "https://find-and-update.company-information.service.gov.uk/company/01234567"
    )
    assert OrgId("GB-GOR", "D12").register_page == "" and OrgId("GB-GOR", "D12").findthatcharity_page.endswith("/GB-GOR-D12")


def test_what_a_scheme_says_is_asked_one_way() -> None:
    import duckdb

    from keepitlocal.common.orgid import (
        CHARITY_SCHEMES,
        is_charity,
        is_company,
        is_mutual,
        is_public_body,
        scheme_of,
        sql_in_schemes,
    )

    cases = {
        "GB-CHC-1050123": "charity",
        "gb-sc-sc012345": "charity",
        "GB-NIC-100001": "charity",
        "GB-COH-01234567": "company",
        "GB-MPR-12345R": "mutual",
        "GB-NHS-RX1": "public",
        "GB-EDU-100000": "public",
        "GB-GOR-D1234": "public",
        "E08000033": "",
        "GB-CHCX-1": "",  # a longer prefix is not the scheme
        "": "",
    }
    con = duckdb.connect()
    for org_id, kind in cases.items():
        found = {"charity": is_charity, "company": is_company, "mutual": is_mutual, "public": is_public_body}
        assert [name for name, test in found.items() if test(org_id)] == ([kind] if kind else []), org_id
        assert bool(scheme_of(org_id)) == bool(kind), org_id
        # The SQL condition agrees with the Python one (on org-ids as the registers write them: upper case).
        query = f"SELECT {sql_in_schemes('x', CHARITY_SCHEMES)} FROM (SELECT ? AS x)"  # noqa: S608 - our own schemes
        row = con.execute(query, [org_id.upper()]).fetchone()
        assert row is not None and bool(row[0]) == (kind == "charity"), org_id
