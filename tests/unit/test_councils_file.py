from collections import Counter

import pytest

from keepitlocal.common.councils_file import UnrecognisedFileError, read_council_files, read_councils
from keepitlocal.common.geography import CouncilType
from keepitlocal.common.text import decode
from tests.paths import real_file

ONS_NAMES = b"LAD24CD,LAD24NM,LAD24NMW,ObjectId\r\nE08000033,Calderdale,,1\r\nW06000015,Cardiff,Caerdydd,2\r\nE07000235,Malvern Hills,,3\r\n"
ONS_HIERARCHY = (
    b"LTLA23CD,LTLA23NM,UTLA23CD,UTLA23NM,RGN23CD,RGN23NM,ObjectId\n"
    b"E07000235,Malvern Hills,E10000034,Worcestershire,E12000005,West Midlands,1\n"
    b"E08000033,Calderdale,E08000033,Calderdale,E12000003,Yorkshire and The Humber,2\n"
)


def test_ons_names_file_and_hierarchy_merge() -> None:
    result = read_councils([("names.csv", ONS_NAMES), ("hierarchy.csv", ONS_HIERARCHY)])
    assert result.layouts == {"names.csv": "ons", "hierarchy.csv": "ons"}
    assert result.rows_read == 5
    malvern = result.records["E07000235"]
    assert malvern.council_type is CouncilType.NON_METROPOLITAN_DISTRICT
    assert malvern.parent_code == "E10000034"
    assert malvern.region_name == "West Midlands"
    worcestershire = result.records["E10000034"]
    assert worcestershire.council_type is CouncilType.COUNTY and worcestershire.name == "Worcestershire"
    assert result.records["W06000015"].council_type is CouncilType.WELSH_PRINCIPAL_AREA
    # A metropolitan district is its own upper tier: no parent.
    assert result.records["E08000033"].parent_code == ""


def test_bom_and_cp1252_are_read() -> None:
    with_bom = b"\xef\xbb\xbf" + ONS_NAMES
    double_bom = "\ufeff".encode().decode("latin-1").encode() + ONS_NAMES
    cp1252 = "LAD24CD,LAD24NM\nN09000001,Antrim and Newtownabbey \u2013 Ulster\n".encode("cp1252")
    assert read_councils([("a", with_bom)]).records["E08000033"].name == "Calderdale"
    assert read_councils([("b", double_bom)]).records["E08000033"].name == "Calderdale"
    assert read_councils([("c", cp1252)]).records["N09000001"].name.endswith("\u2013 Ulster")
    assert decode(b"\xef\xbb\xbfabc") == "abc"


def test_bad_rows_are_rejected_with_reasons_and_counted() -> None:
    data = b"LAD24CD,LAD24NM\nE08000033,Calderdale\nnot-a-code,Somewhere\nE08000034,\nE12000003,Yorkshire\n,\n"
    result = read_councils([("bad.csv", data)])
    assert result.rows_read == 5
    assert set(result.records) == {"E08000033"}
    reasons = {r.row: r.reason for r in result.rejected}
    assert "not a GSS code" in reasons[3]
    assert "has no name" in reasons[4]
    assert "no local authority code" in reasons[6]
    assert result.skipped == 1  # the region row names no council
    assert result.rows_read == len(result.rejected) + result.skipped + 1


def test_unrecognised_file_is_refused() -> None:
    with pytest.raises(UnrecognisedFileError, match="LAD24CD"):
        read_councils([("spend.csv", b"Supplier Name,Amount\nAcme,12\n")])


def test_real_ons_area_lookup_with_successors() -> None:
    path = real_file("geography/area_all_codes_lad_utla_cauth_rgn.csv")
    result = read_council_files([path])
    assert result.layouts[str(path)] == "area-lookup"
    assert result.rows_read == 461
    assert not result.rejected
    assert result.rows_read == result.skipped + len(result.records)
    types = Counter(r.council_type for r in result.records.values())
    assert types[CouncilType.COUNTY] == 22 and types[CouncilType.LONDON_BOROUGH] == 33
    assert types[CouncilType.NORTHERN_IRELAND_DISTRICT] == 11 and types[CouncilType.SCOTTISH_COUNCIL_AREA] == 36
    # Abolished councils point at their successors.
    assert result.records["E06000028"].successor_code == "E06000058"
    assert result.records["E07000163"].successor_code == "E06000065"
    assert result.records["E07000235"].parent_code == "E10000034"
    assert result.records["W06000001"].region_name == "Wales"
