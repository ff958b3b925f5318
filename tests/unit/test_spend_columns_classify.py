import csv
from pathlib import Path

import pytest

from keepitlocal.spend.engine.classify import SupplierFacts, classify, classify_name
from keepitlocal.spend.engine.columns import AmbiguousMappingError, MissingColumnError, NotSpendDataError, map_columns
from keepitlocal.spend.engine.identifiers import clean_charity_number, clean_company_number, clean_vat_number
from keepitlocal.spend.engine.pipeline import Options, analyse


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            ["Body", "Date", "Amount", "Supplier Name", "Expense Area", "Expense Type"],
            {"date": "Date", "amount": "Amount", "supplier_name": "Supplier Name", "service_area": "Expense Area"},
        ),
        (
            [
                "Supplier(Beneficiary) Name",
                "Net Amount",
                "Irrecoverable VAT",
                "Date",
                "Voluntary Community and Social Enterprise Supplier",
            ],
            {
                "supplier_name": "Supplier(Beneficiary) Name",
                "amount": "Net Amount",
                "vcse_flag": "Voluntary Community and Social Enterprise Supplier",
            },
        ),
        (
            ["PAYEE", "VALUE", "PAYMENT DATE", "DIRECTORATE", "CATEGORY"],
            {
                "supplier_name": "PAYEE",
                "amount": "VALUE",
                "date": "PAYMENT DATE",
                "service_area": "DIRECTORATE",
                "expense_type": "CATEGORY",
            },
        ),
        (
            [" Vendor Name ", "Net Value", "Gross Value", "Paid Date"],
            {"supplier_name": "Vendor Name", "amount": "Net Value", "date": "Paid Date"},
        ),
        (
            ["supplier_name", "amount_gbp", "transaction_date", "supplier_company_number", "charity_number"],
            {"company_number": "supplier_company_number", "charity_number": "charity_number"},
        ),
        (
            ["Beneficiary", "Total", "Effective Date", "Service Area Categorisation"],
            {
                "supplier_name": "Beneficiary",
                "amount": "Total",
                "date": "Effective Date",
                "service_area": "Service Area Categorisation",
            },
        ),
    ],
)
def test_publishers_vocabularies_map(headers: list[str], expected: dict[str, str]) -> None:
    mapping = map_columns(headers)
    for field, header in expected.items():
        assert mapping.headers[field] == header


def test_ambiguous_columns_stop_and_name_the_candidates() -> None:
    with pytest.raises(AmbiguousMappingError) as error:
        map_columns(["Supplier", "Payee", "Amount", "Date"])
    assert error.value.candidates == ["Supplier", "Payee"]
    # Said for the web and the command line alike: which columns, and that a person chooses (no mapping file named).
    assert "Choose which column is the supplier name" in str(error.value)
    assert "mapping" not in str(error.value)
    mapping = map_columns(["Supplier", "Payee", "Amount", "Date"], overrides={"supplier_name": "Payee"})
    assert mapping.headers["supplier_name"] == "Payee" and mapping.how["supplier_name"] == "mapping file"


def test_ignored_columns_are_absent() -> None:
    headers = ["Supplier Name", "Amount", "Date", "VCSE"]
    assert "vcse_flag" in map_columns(headers).columns
    assert "vcse_flag" not in map_columns(headers, ignore=["vcse"]).columns


def test_missing_fields_are_named() -> None:
    with pytest.raises(MissingColumnError, match="date"):
        map_columns(["Supplier Name", "Amount"])
    with pytest.raises(MissingColumnError, match="no such column"):
        map_columns(["Supplier Name", "Amount", "Date"], overrides={"amount": "Net"})


@pytest.mark.parametrize(
    ("headers", "words"),
    [
        (["Body", "Transaction Date", "Supplier Name", "Net Amount", "Merchant Category"], "purchase card"),
        (
            ["Supplier Company Name", "Supplier Postcode", "Annual Value", "Total Contract Value", "Start Date", "End Date"],
            "contracts register",
        ),
        (["Identifier", "Title", "Amount Awarded", "Award Date", "Recipient Org:Identifier"], "360Giving"),
    ],
)
def test_other_datasets_are_refused_with_a_reason(headers: list[str], words: str) -> None:
    with pytest.raises(NotSpendDataError, match=words):
        map_columns(headers)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1234567", "01234567"),
        ("01234567", "01234567"),
        ("SC12345", "SC012345"),
        ("n/a", ""),
        ("0", ""),
        (" 123 456 ", "00123456"),
        ("ABC", ""),
    ],
)
def test_company_numbers_get_their_zeros_back(value: str, expected: str) -> None:
    assert clean_company_number(value) == expected


def test_charity_and_vat_numbers() -> None:
    assert clean_charity_number("0123456") == "123456"
    assert clean_charity_number("SC 12345") == "SC012345"
    assert clean_charity_number("N/A") == ""
    assert clean_charity_number("1050123-1") == "1050123"
    assert clean_vat_number("GB 123 4567 89") == "123456789"
    assert clean_vat_number("12345") == ""


def test_classification_order_and_evidence() -> None:
    redacted = classify(SupplierFacts(names=["REDACTED"], redacted=True))
    assert redacted.supplier_type == "individual" and "redacted" in redacted.evidence
    flagged = classify(SupplierFacts(names=["Acme Ltd"], vcse_flags={"Y": 100.0}))
    assert flagged.supplier_type == "vcse" and "VCSE flag" in flagged.evidence
    not_flagged = classify(SupplierFacts(names=["Acme Ltd"], vcse_flags={"N": 100.0}))
    assert not_flagged.supplier_type == "private"
    charity = classify(SupplierFacts(names=["Somebody"], charity_numbers={"1050123"}))
    assert charity.supplier_type == "vcse" and "1050123" in charity.evidence
    coded = classify(SupplierFacts(names=["Somebody"], type_codes={"CHTY": 5.0, "LTD": 1.0}))
    assert coded.supplier_type == "vcse" and "CHTY" in coded.evidence
    # A legal-form code does not make a charity a business: many charities are companies.
    company = classify(SupplierFacts(names=["Lifeworks Charity Ltd"], type_codes={"LTD": 5.0}))
    assert company.supplier_type == "vcse" and "LTD" in company.evidence and "charity" in company.evidence.lower()
    assert classify(SupplierFacts(names=["Acme Ltd"], type_codes={"LTD": 5.0})).supplier_type == "private"
    assert classify(SupplierFacts(names=["Devon Wildlife Trust"], type_codes={"BUSN": 5.0})).supplier_type == "private"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Calderdale Metropolitan Borough Council", "public"),
        ("Calderdale and Huddersfield NHS Foundation Trust", "public"),
        ("West Yorkshire Police", "public"),
        ("Todmorden High School", "public"),
        ("HM Revenue & Customs", "public"),
        ("Calder Valley Hub CIC", "vcse"),
        ("Age UK Calderdale and Kirklees", "vcse"),
        ("Halifax Scouts Association", "vcse"),
        ("Overgate Hospice", "vcse"),
        ("Mr J Smith", "individual"),
        ("Acme Construction Ltd", "private"),
        ("Tesco PLC", "private"),
        ("Planning Thing", "unknown"),
        # A project is a community body when the name ends in it; a business that manages projects is not.
        ("The Bridge Project", "vcse"),
        ("Bradford Youth Project Ltd", "vcse"),
        ("Bentley Project Management (UK) Limited", "private"),
        ("Julie & Colin Walker T/A Church Park Consultants", "private"),
        ("Friends of Shibden Park", "vcse"),
        ("Hebden Bridge Flood Action Group", "vcse"),
        ("Heptonstall Social and Bowling Club", "vcse"),
        ("Sowerby Bridge Amateur Swimming Club", "vcse"),
        ("Jubilee Children's Centre", "vcse"),
        ("Psychology Assoc. Ltd (Saltash)", "private"),
        ("Minster Care Management Ltd", "private"),
        ("Christians Together in Calderdale", "vcse"),
        ("Mytholmroyd Station Partnership", "vcse"),
        ("Smith & Jones Partnership LLP", "private"),
        ("Golf Club Supplies Ltd", "private"),
        # Multi-academy trusts and NHS trusts that do not say so are public; a CIC or a charity never is.
        ("Westcountry Schools Trust", "public"),
        ("Ivy Education Trust", "public"),
        ("Northern Devon Healthcare Trust", "public"),
        ("Churchwood Forest School CIC", "vcse"),
        ("Taunton School Educational Chari", "vcse"),
        ("Calderdale and Huddersfield NHS Charitable Funds", "vcse"),
        # Names cut short by a council's system.
        ("Breakthrough Transformation Trst", "vcse"),
        ("Hebden Royd Comm Assoc", "vcse"),
        # Carers' organisations are community bodies; care agencies are not.
        ("Calderdale Carers Support", "vcse"),
        ("Young Carers Devon", "vcse"),
        ("Homelife Carers Ltd", "private"),
        ("Mutual Care Limited", "private"),
        ("Home-Start Exeter East and Mid Devon", "vcse"),
    ],
)
def test_names_alone(name: str, kind: str) -> None:
    decision = classify_name([name])
    assert decision.supplier_type == kind
    assert decision.evidence
    assert (decision.confidence == 0) == (kind == "unknown")


def test_the_more_specific_date_wins_and_plain_name_is_a_supplier() -> None:
    mapping = map_columns(["Name", "Transaction Date", "Payment Date", "Invoice Date", "Amount"])
    assert mapping.headers["date"] == "Payment Date"
    assert mapping.headers["supplier_name"] == "Name"
    assert map_columns(["Supplier Name", "Date", "Transaction Date", "Amount"]).headers["date"] == "Transaction Date"


def test_true_synonyms_still_tie() -> None:
    with pytest.raises(AmbiguousMappingError):
        map_columns(["Supplier Name", "Amount", "Payment Date", "Date Paid"])


@pytest.mark.parametrize(
    "name",
    [
        "LEEDS CITY COUNCL (FINANCE)",
        "NTH LOAMSHIRE DIST COUN (S O ACC)",
        "BRADFORD COUNCIL(AC 0123",
        "H M R C",
        "D W P",
        "ST MARYS C OF E P SCHL",
        "Oakfield Primary Academy",
        "Calder Learning Partnership",
        "Red Kite Multi Academy",
        "Leeds Teaching Hospitals",
        "Department for Work and Pensions",
        "Environment Agency",
        "Rural Payments Agency",
    ],
)
def test_public_bodies_a_person_knows_at_a_glance(name: str) -> None:
    assert classify_name([name]).supplier_type == "public"


@pytest.mark.parametrize(
    "name", ["Primary Care Solutions Ltd", "Elite Dance Academy Ltd", "A B C Cars Ltd", "The Priory Hospital Ltd"]
)
def test_businesses_with_public_sounding_words_are_not_public(name: str) -> None:
    assert classify_name([name]).supplier_type == "private"


def test_councils_are_matched_in_the_register_of_councils() -> None:
    from keepitlocal.common.publicbodies import CouncilIndex, CouncilRef

    index = CouncilIndex(
        [
            CouncilRef("E08000035", "Leeds", "Metropolitan district"),
            CouncilRef("E07000999", "North Loamshire", "Non-metropolitan district"),
            CouncilRef("E06000023", "Bristol, City of", "Unitary authority"),
        ]
    )
    assert index.match("LEEDS CITY COUNCL (FINANCE)").gss_code == "E08000035"  # type: ignore[union-attr]
    assert index.match("NTH LOAMSHIRE DIST COUN (S O ACC)").gss_code == "E07000999"  # type: ignore[union-attr]
    assert index.match("Bristol City Council").gss_code == "E06000023"  # type: ignore[union-attr]
    assert index.match("NORTH LOAMSHIR DISTRICT COUNCIL").gss_code == "E07000999"  # type: ignore[union-attr]
    assert index.match("Leeds Mind") is None  # not a council: the name does not say so
    assert index.match("Wakefield Council") is None  # a council, but not one in this register
    decision = classify(SupplierFacts(names=["LEEDS CITY COUNCL (FINANCE)"], council="Leeds (E08000035)"))
    assert decision.supplier_type == "public" and "Leeds (E08000035)" in decision.evidence


def test_a_suppliers_address_gives_its_postcode_when_no_column_is_a_postcode(tmp_path: Path) -> None:
    from keepitlocal.spend.engine.identifiers import clean_postcode

    assert clean_postcode("1 Mill Lane, Hebden Bridge, West Yorkshire hx78ad") == "HX7 8AD"
    assert clean_postcode("Unit 2, 10 Road, Leeds LS1 1AA (registered office)") == "LS1 1AA"
    assert clean_postcode("No postcode here") == "" and clean_postcode("") == ""
    assert map_columns(["Supplier Name", "Amount", "Date", "Supplier Address"]).headers["postcode"] == "Supplier Address"
    assert (
        map_columns(["Supplier Name", "Amount", "Date", "Supplier Address", "Supplier Postcode"]).headers["postcode"]
        == "Supplier Postcode"
    )
    assert "postcode" not in map_columns(["Supplier Name", "Amount", "Date", "Delivery Address", "Email Address"]).headers
    spend = tmp_path / "spend.csv"
    spend.write_text(
        "Supplier Name,Amount,Date,Supplier Address\n"
        'Calder Valley Hub CIC,100,2024-04-01,"1 Mill Lane, Hebden Bridge HX7 8AD"\n'
        "Northern Roads Ltd,200,2024-04-02,Leeds\n"
    )
    analyse([spend], tmp_path / "out", Options())
    with open(tmp_path / "out" / "suppliers.csv", encoding="utf-8") as handle:
        by_key = {row["supplier_key"]: row for row in csv.DictReader(handle)}
    assert by_key["calder-valley-hub"]["postcode"] == "HX7 8AD" and by_key["northern-roads"]["postcode"] == ""


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("VIRIDOR EXETER WASTE SERVICES LT", "private"),  # cut at the field's length
        ("CREDITON CARE & SUPPORT HOMES LT", "private"),
        ("SANCTUARY CARE LTD {RESIDENTIAL)", "private"),  # a note in a mismatched bracket
        ("LIFEWAYS COMMUNITY CARE LTD (NEW", "private"),  # a note cut off
        ("TORBAY COUNCIL FINANCE", "public"),
        ("PLYMOUTH CITY COUNCIL PENSIONS", "public"),
        ("ALT", "unknown"),  # short names are not cut: 'LT' alone means nothing
        ("COUNCIL FOR VOLUNTARY SERVICE FINANCE", "vcse"),
    ],
)
def test_names_a_person_reads_at_a_glance(name: str, expected: str) -> None:
    assert classify_name([name]).supplier_type == expected
