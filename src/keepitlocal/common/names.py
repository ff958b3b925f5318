"""Supplier names: one key for the many ways a council spells the same supplier, and the names that are
redacted personal data."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# A name that hides a person: personal data the council may not publish.
# Words, not parts of words: "REDACTIVE EVENTS LTD" and "FIREBIRD DATA PROTECTION" are firms, not redactions.
_PERSONAL = re.compile(
    r"\bredact(ed|ion|ions)?\b|personal data|\bdata protection (act|reasons?|purposes?|regulations?)\b|"
    r"\b(under|for|due to|re|per)\s+(the\s+)?data protection\b|^data protection$|"
    r"\bdp act\b|\bdpa\b|\bgdpr\b|private individual|personal information|"
    r"^[x*#]{3,}$|^individual$|^individuals$|^employee$|^staff$|^foster carer|^client$|^service user|^personal$|^privacy$",
    re.IGNORECASE,
)
# A payee left out without saying it is a person (blank, withheld, commercially confidential): it may be any kind of
# organisation, so it is counted and shown as "payee not published" and never classified.
_WITHHELD = re.compile(r"^\W*$|\bwithheld\b|name removed|not disclosed|not published|undisclosed|^payee not", re.IGNORECASE)
# A name made only of words that withhold ("Private & Confidential", "Commercially Sensitive", "Third Party
# Confidential"): no word of it names anyone.
_WITHHOLDING = {
    "confidential",
    "confidentiality",
    "sensitive",
    "commercially",
    "commercial",
    "private",
    "and",
    "third",
    "party",
    "data",
    "information",
    "payee",
    "supplier",
    "payment",
    "details",
    "restricted",
    "protected",
}
_WITHHOLDING_CORE = {"confidential", "confidentiality", "sensitive", "restricted", "protected"}


def _only_withholding_words(text: str) -> bool:
    tokens = re.findall(r"[a-z]+", text.lower())
    return bool(tokens) and set(tokens) <= _WITHHOLDING and bool(set(tokens) & _WITHHOLDING_CORE)


# The key of the payments whose payee was not published (norm_name in the staged rows; never a real name's key,
# which has no brackets).
WITHHELD_NAME = "(payee not published)"

# Trading-as and former-name notes: the legal name comes first and is what we key on.
_TRADING_WORDS = r"(?:t/a|t/as|t\.a\.|ta|trading as|trading name|trading under|also known as|aka|a/k/a)"
_TRADING_AS = re.compile(rf"\s+{_TRADING_WORDS}\s+.*$", re.IGNORECASE)
_FORMERLY = re.compile(r"\(?\s*\b(?:formerly|previously|fka|f/k/a|now known as|was)\b[^)]*\)?", re.IGNORECASE)
_NUMERIC_PREFIX = re.compile(r"^(?:\d{3,}\s*[-:.]?\s+|\d+\s*[-:]\s+)(?=[A-Za-z])")

LEGAL_FORMS = {
    "limited": "ltd",
    "ltd": "ltd",
    "plc": "plc",
    "llp": "llp",
    "cic": "cic",
    "cio": "cio",
    "inc": "inc",
    "incorporated": "inc",
    "lp": "lp",
    "co": "co",
    "company": "co",
    "corporation": "corp",
    "corp": "corp",
    "uk": "uk",
}
# Multi-word legal forms, folded to one token before the suffix is removed.
_PHRASES = [
    (re.compile(r"\bpublic limited company\b"), " plc "),
    (re.compile(r"\bcommunity interest company\b"), " cic "),
    (re.compile(r"\bcharitable incorporated organisation\b"), " cio "),
    (re.compile(r"\blimited liability partnership\b"), " llp "),
    (re.compile(r"\bc\s*i\s*c\b"), " cic "),
    (re.compile(r"\bl\s*t\s*d\b"), " ltd "),
    (re.compile(r"\bp\s*l\s*c\b"), " plc "),
]


@lru_cache(maxsize=65536)
def is_redacted(name: str) -> bool:
    """True when the published name hides its payee: a person redacted as personal data, or a payee not published.
    The words are words: "Redactive Events Ltd" and "Firebird Data Protection" are firms."""
    text = (name or "").strip()
    return bool(_PERSONAL.search(text) or _WITHHELD.search(text) or _only_withholding_words(text))


@lru_cache(maxsize=65536)
def is_withheld(name: str) -> bool:
    """True when the payee was not published without the name saying it is a person (blank, withheld, confidential)."""
    text = (name or "").strip()
    return bool(_WITHHELD.search(text) or _only_withholding_words(text)) and not _PERSONAL.search(text)


def supplier_key_name(name: str) -> str:
    """The normalised name the staged rows carry: '' for a person redacted as personal data, WITHHELD_NAME for a payee
    not published, otherwise normalise_name. Both readers use it, so that they stage the same key."""
    if not is_redacted(name):
        return normalise_name(name)
    return WITHHELD_NAME if is_withheld(name) else ""


@lru_cache(maxsize=262144)
def normalise_name(name: str) -> str:
    """The supplier key: case, accents, punctuation, &/and, a leading 'the', trading-as and former-name
    notes, numeric prefixes and trailing legal forms (Ltd, Limited, PLC, LLP, CIC...) removed."""
    text = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode()
    text = _FORMERLY.sub(" ", text)
    text = _TRADING_AS.sub("", text)
    text = _NUMERIC_PREFIX.sub("", text.strip())
    text = text.lower().replace("&", " and ").replace("+", " and ")
    text = re.sub(r"[.']", "", text)
    for pattern, replacement in _PHRASES:
        text = pattern.sub(replacement, text)
    text = re.sub(r"[^a-z0-9]+", " ", text).strip()
    tokens = text.split()
    if tokens and tokens[0] == "the" and len(tokens) > 1:
        tokens = tokens[1:]
    while len(tokens) > 1 and tokens[-1] in LEGAL_FORMS:
        tokens.pop()
    return " ".join(tokens)


_BRACKETED = re.compile(r"[\(\[\{][^\(\)\[\]\{\}]*(?:[\)\]\}]|$)")


def legal_entity(name: str) -> str:
    """The legal entity a name gives, before any trading name: 'Saint-Gobain Building Distribution Ltd T/A Graham' →
    'Saint-Gobain Building Distribution Ltd'."""
    return _TRADING_AS.sub("", (name or "").strip())


_FORMS = ("ltd", "limited", "plc", "llp", "cic", "cio")


def legal_form(name: str) -> str | None:
    """The legal form a name declares (ltd, plc, llp, cic, cio), if any: at the end of its legal entity (before
    "T/A" or "trading as"), or anywhere after its first word ("Acme Ltd North Branch").

    Bracketed notes after it do not hide it: "Acme Ltd (in administration)" is a limited company; nor does a name
    cut short at a system's field length ("Viridor Exeter Waste Services Lt").
    """
    name = legal_entity(name)
    # Notes in any bracket, closed or cut off by the field's length ("LTD {RESIDENTIAL)", "CARE LTD (NEW").
    unbracketed = _BRACKETED.sub(" ", (name or "").lower())
    text = " " + re.sub(r"[^a-z0-9]+", " ", unbracketed.replace(".", "")) + " "
    for pattern, replacement in _PHRASES:
        text = pattern.sub(replacement, text)
    tokens = text.split()
    # A name cut at a system's field length (30-odd characters) loses the end of "LTD" or "LIMITED": "… SERVICES LT".
    last = tokens[-1] if tokens else ""
    if len(name or "") >= 28 and len(last) >= 2 and last != "ltd" and ("limited".startswith(last) or "ltd".startswith(last)):
        tokens[-1] = "ltd"
    for token in reversed(tokens):
        if token in _FORMS:
            return LEGAL_FORMS.get(token, token)
        if token not in ("uk", "the", "co", "company", "group", "holdings"):
            break
    # A legal form inside the name, followed by a place, a branch or a department ('Acme Ltd North', 'Acme Plc
    # Payments'): a company whatever follows. Never the first word ('Limited Edition Prints').
    inside = [token for token in tokens[1:] if token in _FORMS]
    return LEGAL_FORMS.get(inside[0], inside[0]) if inside else None
