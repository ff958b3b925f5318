from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from keepitlocal.common.names import is_redacted, legal_form, normalise_name
from keepitlocal.spend.engine.parse import ParseError, parse_amount, parse_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234.5", "1234.50"),
        ("£1,234.50", "1234.50"),
        (" £ 1,234 ", "1234.00"),
        ("(1,234.50)", "-1234.50"),
        ("-£12", "-12.00"),
        ("£-12", "-12.00"),
        ("1234.50-", "-1234.50"),
        ("1234.50CR", "-1234.50"),
        ("1234.50 DR", "1234.50"),
        ("468.2800000000001", "468.28"),
        ("1.2E+03", "1200.00"),
        ("\u22125.00", "-5.00"),
        ("GBP 10", "10.00"),
        ("0.005", "0.01"),
    ],
)
def test_amounts_as_published(text: str, expected: str) -> None:
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["", "   ", "abc", "12..5", "£", "1,2a", "."])
def test_amounts_that_are_not_numbers_say_why(text: str) -> None:
    with pytest.raises(ParseError):
        parse_amount(text)


@given(st.decimals(min_value=Decimal("-9999999"), max_value=Decimal("9999999"), places=2))
def test_every_published_amount_style_reads_back(value: Decimal) -> None:
    magnitude = abs(value)
    styles = [
        f"{value}",
        f"{value:,}",
        f"£{magnitude:,.2f}" if value >= 0 else f"(£{magnitude:,.2f})",
        f"{magnitude:.2f}-" if value < 0 else f"{magnitude:.2f}",
        f"{float(value)!r}",
    ]
    for text in styles:
        assert parse_amount(text) == value, text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-04-02", date(2024, 4, 2)),
        ("2024-04-02 00:00:00", date(2024, 4, 2)),
        ("2024-04-02T13:45:00Z", date(2024, 4, 2)),
        ("02/04/2024", date(2024, 4, 2)),
        ("2/4/24", date(2024, 4, 2)),
        ("02-04-2024", date(2024, 4, 2)),
        ("02.04.2024", date(2024, 4, 2)),
        ("2-Apr-24", date(2024, 4, 2)),
        ("02 April 2024", date(2024, 4, 2)),
        ("2nd April 2024", date(2024, 4, 2)),
        ("20240402", date(2024, 4, 2)),
        ("2024/04/02", date(2024, 4, 2)),
        ("45384", date(2024, 4, 2)),
        ("Apr-24", date(2024, 4, 1)),
        ("April 2024", date(2024, 4, 1)),
        ("2024-04", date(2024, 4, 1)),
        ("Q1 2024/25", date(2024, 4, 1)),
        ("2024/25 Q4", date(2025, 1, 1)),
    ],
)
def test_dates_as_published(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["", "31/02/2024", "yesterday", "2024-13-01", "12345678901"])
def test_bad_dates_say_why(text: str) -> None:
    with pytest.raises(ParseError):
        parse_date(text)


@given(st.dates(min_value=date(1995, 1, 1), max_value=date(2035, 12, 31)))
def test_every_published_date_style_reads_back(day: date) -> None:
    month = day.strftime("%b")
    for text in (
        day.isoformat(),
        f"{day.isoformat()} 00:00:00",
        day.strftime("%d/%m/%Y"),
        f"{day.day}/{day.month}/{day:%y}",
        f"{day.day}-{month}-{day:%y}",
        day.strftime("%d %B %Y"),
        day.strftime("%Y%m%d"),
    ):
        assert parse_date(text) == day, text


@pytest.mark.parametrize(
    ("names", "key"),
    [
        (["Acme Ltd", "ACME LIMITED", "Acme Ltd.", "The Acme Limited", "acme"], "acme"),
        (["Smith & Sons Ltd", "Smith and Sons Limited", "SMITH + SONS"], "smith and sons"),
        (
            ["Calder Valley Hub CIC", "Calder Valley Hub C.I.C.", "Calder Valley Hub Community Interest Company"],
            "calder valley hub",
        ),
        (["Bloggs Ltd t/a Bloggs Catering", "Bloggs Limited trading as Tasty Food"], "bloggs"),
        (["New Name Ltd (formerly Old Name Ltd)", "New Name Limited"], "new name"),
        (["000123 - Acme Ltd", "123456 Acme Ltd", "Acme Ltd"], "acme"),
        (["Café Crème Ltd", "Cafe Creme Ltd"], "cafe creme"),
        (["Marks & Spencer PLC", "Marks and Spencer Public Limited Company"], "marks and spencer"),
    ],
)
def test_spellings_of_one_supplier_share_a_key(names: list[str], key: str) -> None:
    assert {normalise_name(n) for n in names} == {key}


def test_names_that_must_not_merge() -> None:
    assert normalise_name("2 Works TM Ltd") == "2 works tm"  # a short number is part of the name
    assert normalise_name("Age UK Calderdale") != normalise_name("Age UK Kirklees")


@pytest.mark.parametrize(
    "name",
    [
        "REDACTED UNDER DP ACT",
        "Redacted - personal data",
        "Name withheld",
        "Private Individual",
        "*****",
        "Data Protection Act",
        "GDPR redaction",
    ],
)
def test_redacted_names(name: str) -> None:
    assert is_redacted(name)


@pytest.mark.parametrize("name", ["Acme Ltd", "Age UK", "Redcar Council", "Individual Solutions Ltd"])
def test_real_names_are_not_redacted(name: str) -> None:
    assert not is_redacted(name)


def test_legal_forms() -> None:
    assert legal_form("Acme Limited") == "ltd"
    assert legal_form("Hub C.I.C.") == "cic"
    assert legal_form("Trust Charitable Incorporated Organisation") == "cio"
    assert legal_form("Acme UK Ltd") == "ltd"
    assert legal_form("Age UK") is None


def test_bracketed_notes_do_not_hide_the_legal_form() -> None:
    assert legal_form("Acme Ltd (in administration)") == "ltd"
    assert legal_form("Hub CIC (Halifax)") == "cic"
    assert normalise_name("Age UK (Calderdale)") != normalise_name("Age UK (Leeds)")
