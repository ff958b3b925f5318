"""Names a person reads at a glance, as rules over generated names rather than a list of real ones: a legal form
anywhere in a name (before "T/A" too) makes a company and keys the trading names under their legal entity; sector
words decide only in their context (integrated care is public only as a board or an NHS body); schools, academies and
their trusts are public bodies, a driving school or a company named after one is not."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from keepitlocal.common.names import legal_entity, legal_form, normalise_name
from keepitlocal.spend.engine.classify import classify_name

PLACES = ["Calder", "Pennine", "Brighouse", "Northgate", "Oakwood", "Saint-Gobain", "Riverside", "Elland", "Ryburn"]
# Words that say nothing of a sector on their own, in the legal entity; the trading name may say anything.
WORDS = ["Building", "Distribution", "Supplies", "Care", "Integrated", "Graham", "Group", "Print", "Logistics"]
TRADE_WORDS = [*WORDS, "Community", "Academy", "School", "Trust", "Council"]
TRADING = ["T/A", "t/a", "T/AS", "Trading As", "trading as", "TA"]
FORMS = {"Ltd": "ltd", "LIMITED": "ltd", "Limited": "ltd", "PLC": "plc", "plc": "plc", "LLP": "llp"}
BRANCHES = ["North", "(Payments)", "- Accounts", "Dept 4", "UK Branch"]

place = st.sampled_from(PLACES)
words = st.lists(st.sampled_from(WORDS), min_size=0, max_size=3).map(" ".join)


@settings(max_examples=200, deadline=None)
@given(
    place,
    words,
    st.sampled_from(sorted(FORMS)),
    st.sampled_from(TRADING),
    place,
    st.lists(st.sampled_from(TRADE_WORDS), max_size=3).map(" ".join),
)
def test_a_legal_form_before_trading_as_makes_a_company_keyed_by_its_legal_entity(
    first: str, middle: str, form: str, trading: str, trade_place: str, trade_words: str
) -> None:
    entity = " ".join(part for part in (first, middle, form) if part)
    name = f"{entity} {trading} {trade_place} {trade_words}".strip()
    assert legal_form(name) == FORMS[form]
    assert legal_entity(name) == entity
    assert normalise_name(name) == normalise_name(entity)  # its trading names are grouped under it
    decision = classify_name([name])
    assert decision.supplier_type == "private", (name, decision.evidence)


@settings(max_examples=100, deadline=None)
@given(place, words, st.sampled_from(sorted(FORMS)), st.sampled_from(BRANCHES))
def test_a_legal_form_anywhere_after_the_first_word_makes_a_company(first: str, middle: str, form: str, branch: str) -> None:
    name = " ".join(part for part in (first, middle, form, branch) if part)
    assert legal_form(name) == FORMS[form]
    assert classify_name([name]).supplier_type == "private", name


def test_a_legal_form_as_the_first_word_is_not_one() -> None:
    assert legal_form("Limited Edition Prints") is None


@given(place, st.sampled_from(["", "North", "West", "and District"]))
def test_integrated_care_is_public_only_as_a_board_or_an_nhs_body(where: str, extra: str) -> None:
    area = f"{where} {extra}".strip()
    assert classify_name([f"Community Integrated Care {area}".strip()]).supplier_type != "public"
    assert classify_name([f"{area} Integrated Care"]).supplier_type != "public"
    assert classify_name([f"NHS {area} Integrated Care Board"]).supplier_type == "public"
    assert classify_name([f"{area} Integrated Care Board"]).supplier_type == "public"
    assert classify_name([f"{area} Integrated Care System"]).supplier_type == "public"


SCHOOLS = ["Primary School", "High School", "Infant School", "Junior School", "Academy", "Primary Academy", "Grammar School"]
TRUSTS = ["Learning Trust", "Education Trust", "Schools Trust", "Multi Academy Trust", "Academies Trust"]
ACTIVITIES = ["Football", "Dance", "Driving", "Swimming", "Drama", "Tennis"]


@given(place, st.sampled_from(SCHOOLS + TRUSTS), st.sampled_from(["", "C of E", "St Mary's", "The"]))
def test_schools_academies_and_their_trusts_are_public(where: str, kind: str, prefix: str) -> None:
    name = f"{prefix} {where} {kind}".strip()
    assert classify_name([name]).supplier_type == "public", name


@given(place, st.sampled_from(ACTIVITIES), st.sampled_from(["School", "Academy"]), st.sampled_from(["", "Ltd", "CIC"]))
def test_an_activity_school_or_a_company_named_like_a_school_is_not_public(
    where: str, activity: str, kind: str, form: str
) -> None:
    name = f"{where} {activity} {kind} {form}".strip()
    assert classify_name([name]).supplier_type != "public", name


@given(place, st.sampled_from(SCHOOLS), st.sampled_from(["Ltd", "Limited", "PLC"]))
def test_a_company_named_after_a_school_is_a_company(where: str, kind: str, form: str) -> None:
    name = f"{where} {kind} Uniforms {form}"
    assert classify_name([name]).supplier_type == "private", name


FIRM_WORDS = ["Redactive", "Data Protection", "Confidential Shredding", "Sensitive Skin Care", "Withheldon"]
REDACTIONS = [
    "REDACTED",
    "Redacted under DP Act",
    "REDACTED - PERSONAL DATA",
    "Personal data",
    "Withheld under the Data Protection Act",
    "Data Protection Act 2018",
    "XXXXXX",
    "Name withheld",
    "Commercially confidential",
    "Private & Confidential",
    "Third Party Confidential",
    "Commercial Confidentiality",
    "REDACTED PERSONAL DATA LTD",  # the redaction's words outrank a legal form
]


@given(place, st.sampled_from(FIRM_WORDS), st.sampled_from(["Ltd", "Limited", "LLP", "Events Ltd", "Services Ltd"]))
def test_a_firm_whose_name_holds_a_redaction_word_is_a_firm(where: str, words: str, form: str) -> None:
    from keepitlocal.common.names import is_redacted

    assert not is_redacted(f"{where} {words} {form}")
    assert not is_redacted(f"{words} {form}")


def test_redactions_in_the_words_councils_use_are_redactions() -> None:
    from keepitlocal.common.names import is_redacted

    assert all(is_redacted(text) for text in REDACTIONS)
    assert not is_redacted("Firebird Data Protection")  # a firm's name, without a legal form


@given(
    place,
    st.sampled_from(["Academies Trust", "Academy Trust", "Learning Trust", "Education Trust"]),
    st.sampled_from(["Ltd", "Limited"]),
)
def test_an_academy_trust_is_public_even_as_a_company(where: str, trust: str, form: str) -> None:
    assert classify_name([f"{where} {trust} {form}"]).supplier_type == "public"


@given(place, st.sampled_from(["School Sports College", "High School Arts College", "Technology College"]))
def test_a_specialist_school_is_public(where: str, kind: str) -> None:
    assert classify_name([f"The {where} {kind}"]).supplier_type == "public"
