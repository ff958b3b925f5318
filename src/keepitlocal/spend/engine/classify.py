"""Decide what kind of organisation a supplier is, and say which fact decided it.

Types (SupplierType): vcse (voluntary, community and social enterprise), public, private, individual, unknown, and
withheld for payments whose payee was not published.
Facts are tried strongest first: redaction, register entries, the publisher's own flags and codes, then
what the name itself declares. A supplier with no deciding fact stays unknown: never a silent guess.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from keepitlocal.common.names import legal_entity, legal_form
from keepitlocal.common.prefilter import Prefiltered

# The two groups of payments that are many payees under one key, never one supplier: names redacted as personal data,
# and payees the council did not publish. Counted in every share; never ranked as a supplier (largest suppliers,
# concentration).
REDACTED_KEY = "redacted-personal-data"
WITHHELD_KEY = "payee-not-published"
MANY_PAYEES = (REDACTED_KEY, WITHHELD_KEY)


class SupplierType(StrEnum):
    """What kind of payee a supplier is. The value is the code in the outputs; `label` is what a page shows."""

    VCSE = "vcse"
    PUBLIC = "public"
    PRIVATE = "private"
    INDIVIDUAL = "individual"
    UNKNOWN = "unknown"
    # Payments whose payee the council did not publish: counted and shown, never classified as anything else.
    WITHHELD = "withheld"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def plural(self) -> str:
        return _PLURALS[self]


_LABELS = {
    SupplierType.VCSE: "VCSE organisation",
    SupplierType.PUBLIC: "Public body",
    SupplierType.PRIVATE: "Private business",
    SupplierType.INDIVIDUAL: "Individual",
    SupplierType.UNKNOWN: "Unknown",
    SupplierType.WITHHELD: "Payee not published",
}
_PLURALS = {
    SupplierType.VCSE: "VCSE organisations",
    SupplierType.PUBLIC: "public bodies",
    SupplierType.PRIVATE: "private businesses",
    SupplierType.INDIVIDUAL: "individuals",
    SupplierType.UNKNOWN: "suppliers of unknown type",
    SupplierType.WITHHELD: "payees not published",
}

VCSE, PUBLIC, PRIVATE, INDIVIDUAL, UNKNOWN, WITHHELD = (
    SupplierType.VCSE,
    SupplierType.PUBLIC,
    SupplierType.PRIVATE,
    SupplierType.INDIVIDUAL,
    SupplierType.UNKNOWN,
    SupplierType.WITHHELD,
)


class Evidence(StrEnum):
    """The kind of fact that decided a supplier's type, strongest first. Filters and pages use it; `evidence` on a
    Decision is the sentence a person reads."""

    CORRECTION = "correction"
    WITHHELD = "withheld"
    REDACTED = "redacted"
    REGISTER_NUMBER = "register-number"
    PUBLISHER_FLAG = "publisher-flag"
    PUBLISHED_NUMBER = "published-number"
    REGISTER_NAME = "register-name"
    COUNCIL_REGISTER = "council-register"
    PUBLISHER_CODE = "publisher-code"
    NAME = "name"
    NONE = "none"

    @property
    def label(self) -> str:
        return _EVIDENCE_LABELS[self]


_EVIDENCE_LABELS = {
    Evidence.CORRECTION: "Corrected by a council editor",
    Evidence.WITHHELD: "Payee not published",
    Evidence.REDACTED: "Name redacted as personal data",
    Evidence.REGISTER_NUMBER: "A register entry found by a published number",
    Evidence.PUBLISHER_FLAG: "The council's own VCSE flag",
    Evidence.PUBLISHED_NUMBER: "A charity number the council publishes",
    Evidence.REGISTER_NAME: "A register entry found by name",
    Evidence.COUNCIL_REGISTER: "The register of councils",
    Evidence.PUBLISHER_CODE: "The council's supplier type code",
    Evidence.NAME: "What the name says",
    Evidence.NONE: "No evidence",
}


class Confidence(StrEnum):
    """How far a supplier's type can be relied on, in words, from the engine's confidence score (0 to 1).

    High (0.9 and above): a published number, a register entry found by number, the council's own flag, or an editor.
    Medium (0.7 to under 0.9): a register entry found by name, the council's type code, a name that declares its
    legal form (CIC, CIO, PLC). Low (above 0 to under 0.7): a name that only suggests the type; worth checking.
    None (0): nothing decided the type."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    NONE = "none"

    @classmethod
    def of(cls, score: float) -> Confidence:
        if score >= 0.9:
            return cls.HIGH
        if score >= 0.7:
            return cls.MEDIUM
        if score > 0:
            return cls.LOW
        return cls.NONE

    @property
    def bounds(self) -> tuple[float, float]:
        """Scores in this band: low <= score < high (high above 1 for the top band)."""
        return _CONFIDENCE_BOUNDS[self]

    @property
    def label(self) -> str:
        return _CONFIDENCE_LABELS[self]


_CONFIDENCE_BOUNDS = {
    Confidence.HIGH: (0.9, 2.0),
    Confidence.MEDIUM: (0.7, 0.9),
    Confidence.LOW: (0.000001, 0.7),
    Confidence.NONE: (-1.0, 0.000001),
}
_CONFIDENCE_LABELS = {
    Confidence.HIGH: "High",
    Confidence.MEDIUM: "Medium",
    Confidence.LOW: "Low: worth checking",
    Confidence.NONE: "None: not classified",
}


@dataclass
class Decision:
    supplier_type: str
    evidence: str
    confidence: float
    basis: Evidence


@dataclass
class SupplierFacts:
    """Everything known about one supplier group before it is classified."""

    names: list[str]
    redacted: bool = False
    withheld: bool = False  # the payee was not published (blank, withheld), not said to be a person
    vcse_flags: dict[str, float] = field(default_factory=dict)  # published flag value -> spend
    type_codes: dict[str, float] = field(default_factory=dict)  # published creditor type -> spend
    charity_numbers: set[str] = field(default_factory=set)
    company_numbers: set[str] = field(default_factory=set)
    register: list[Decision] = field(default_factory=list)  # decisions from register entries, strongest first
    council: str = ""  # the council the name matches in the register of councils: "Name (GSS code)"


YES = {"y", "yes", "true", "1", "vcse", "vcs", "x"}
NO = {"n", "no", "false", "0"}

# Publishers' creditor or supplier type codes, as seen across councils' files.
TYPE_CODES = {
    VCSE: {
        "chty",
        "charity",
        "charities",
        "vcs",
        "vcse",
        "cic",
        "vol",
        "voluntary",
        "voluntaryorganisation",
        "thirdsector",
        "socialenterprise",
        "communitygroup",
        "notforprofit",
        "cio",
        "charitablebody",
    },
    PUBLIC: {
        "wga",
        "educ",
        "education",
        "gov",
        "government",
        "public",
        "publicsector",
        "la",
        "localauthority",
        "nhs",
        "health",
        "sch",
        "school",
        "police",
        "otherla",
        "centralgovernment",
        "publicbody",
        "parish",
    },
    INDIVIDUAL: {
        "indv",
        "individual",
        "person",
        "employee",
        "staff",
        "client",
        "foster",
        "fostercarer",
        "private individual".replace(" ", ""),
    },
    PRIVATE: {
        "ltd",
        "plc",
        "llp",
        "busn",
        "business",
        "company",
        "sole",
        "soletrader",
        "partnership",
        "part",
        "privatesector",
        "private",
        "commercial",
        "sme",
    },
}

# Codes that give a legal form rather than a sector: many charities are companies limited by guarantee.
LEGAL_FORM_CODES = {"ltd", "plc", "llp", "company"}


def code_kind(code: str) -> SupplierType | None:
    """The kind of supplier a council's own supplier type code says ('CHTY', 'Voluntary Organisation'), or None for a
    code the analysis does not know (it then decides by the supplier's registers and name)."""
    normalised = _code(code)
    return next((kind for kind, codes in TYPE_CODES.items() if normalised in codes), None)


# The name patterns below are matched against lower-case text (classify_name lowers it once).
_PUBLIC_NAME = re.compile(
    r"\b(county|borough|district|city|metropolitan|parish|town|community|combined|unitary) council\b|\bcouncil of the\b|"
    r"^(the )?(royal )?borough of\b|\bnhs\b|clinical commissioning|\bccg\b|integrated care (board|system)|\bicb\b|"
    r"foundation trust|\bhealth board\b|\bpolice\b|constabulary|fire (and|&) rescue|fire authority|"
    r"hm revenue|\bhmrc\b|^department (for|of)\b|^ministry of\b|\bdwp\b|environment agency|national highways|"
    r"\bofsted\b|(?<!pre-)(?<!pre )\bschool\b|\bacademy trust\b|"
    # Multi-academy trusts run state schools; they rarely say "academy" ("Westcountry Schools Trust").
    r"\b(schools?|education|learning|academies|federation|multi[- ]academy) trust\b|"
    # NHS trusts whose published name leaves out "NHS" ("Northern Devon Healthcare Trust").
    r"\bhealthcare (nhs )?trust\b|\bhospitals? (nhs )?trust\b|\bambulance service\b|\bprimary academy\b|\bnursery school\b|\bcollege\b|\buniversity\b|"
    r"pension fund|combined authority|passenger transport executive|\bmagistrates\b|\bhm courts\b|\bprobation\b|"
    r"\bcoroner|\bdvla\b|home office|cabinet office|land registry|\bhm land\b|ordnance survey|arts council|"
    r"sport england|historic england|natural england|homes england|local government association|"
    r"\bhm (treasury|prison|government)\b|\bgovernment\b|\bcouncil tax\b|\bjobcentre\b|valuation office|"
    r"\bnhs trust\b|\bhealth service\b|\bcounty council\b|\bcity council\b|\bcouncil$|"
    # Councils written short or misspelt: 'CITY COUNCL (FINANCE)', 'DIST COUN (S O ACC)', 'COUNCIL(AC 0123'.
    r"\b(county|borough|boro|district|dist|city|metropolitan|met|parish|town)\.? (coun|counc|councl|cncl|cncil)\b|"
    r"\bcouncil ?\(|\b(m|r|c)?bc$|"
    # A council named with the department paid: 'TORBAY COUNCIL FINANCE', '… COUNCIL PENSION FUND'.
    r"\bcouncil (finance|accounts?|pensions?|payroll|treasury|income|revenues?|exchequer|creditors?)\b|"
    # Schools and their trusts: 'C OF E P SCHL', 'St Mary's RC Primary', '... LEARNING PARTNERSHIP', '... MULTI ACADEMY'.
    r"\bschl\b|\bc of e\b|\b(rc|ce|catholic|church of england|junior|infant|primary|secondary|high) (school|academy)\b|"
    r"\b(infants?|juniors?|primary|secondary) (school|sch)\b|\blearning (partnership|trust)\b|\bmulti[- ]academy\b|"
    r"\beducation (and skills funding|authority)\b|\bsixth form\b|\bacadem(y|ies)\b|"
    # NHS bodies, government departments and agencies, named.
    r"\bnhs\b|\bteaching hospitals\b|\bintegrated care (board|system|partnership)\b|\bhealth (and social care )?partnership\b|"
    r"\bhealth security agency\b|\bpublic health (england|wales|scotland)\b|\bhealth education england\b|"
    r"^(dept|department|ministry|office) (for|of)\b|\bhm revenue|\bhmrc\b|\bdwp\b|\bdfe\b|\bdvla\b|\bdvsa\b|\bhmcts\b|"
    r"\b(rural payments|legal aid|education and skills funding|environment|food standards|uk health security|vehicle certification|"
    r"child maintenance|met|highways|maritime and coastguard|disclosure and barring) (agency|service|office)\b|"
    r"\bstudent loans company\b|\bcare quality commission\b|\bcqc\b|\bofsted\b|\bofgem\b|\bofwat\b|\bcompanies house\b|"
    r"\binsolvency service\b|\bcrown prosecution\b|\bcrown commercial service\b|\bpolice and crime commissioner\b|"
    r"\bfire (and|&) rescue\b|\btribunals?\b|\bcourts? service\b|\bhm (courts|prison|coastguard|land)\b"
)
_VCSE_NAME = re.compile(
    r"\bcharit(y|ies|able)\b|\bcic\b|community interest company|\bcio\b|\bvoluntary\b|\bvolunteer|"
    r"\bcommunity (association|centre|center|trust|hub|project|foundation|group|transport|interest|partnership|enterprise|farm|garden|church|network|café|cafe)\b|"
    r"\bassociation\b|\bsociety\b|\bfoundation\b|\btrust\b|\bchurch\b|\bparochial\b|\bmosque\b|\bgurdwara\b|\btemple\b|\bsynagogue\b|"
    r"\bscouts?\b|\bguides\b|\bhospice\b|citizens advice|\bage (uk|concern)\b|\bymca\b|\bywca\b|barnardo|\bnspcc\b|"
    r"\bmencap\b|\bsamaritans\b|\bshelter\b|women'?s aid|food ?bank|credit union|co-?operative|\bfestival\b|\badvocacy\b|"
    # "The Bridge Project", not "Project Management Ltd": a project is a community body when it is what the name ends in.
    r"\bproject\b(\s+(ltd|limited|cic|cio|inc|incorporated))?\s*$|"
    r"\bchildren'?s centre\b|\bfriends of\b|\baction group\b|\bsupport group\b|\bself[- ]help\b|\bbefriending\b|"
    r"\b(social|bowling|cricket|rugby|tennis|hockey|netball|swimming|rowing|boxing|cycling|athletic|running|walking|"
    r"angling|youth|boys'?|girls'?|lions|rotary|working men'?s) club\b|\bamateur\b|\bfete\b|\bgala committee\b|"
    r"\bchapel\b|\bcathedral\b|\bdiocese\b|\bmethodist\b|\bbaptist\b|\bquakers?\b|\bsalvation army\b|"
    r"\bchristians\b|\bwomen'?s institute\b|\bu3a\b|\b(community )?rail partnership\b|\bstation partnership\b|"
    r"\bplaygroup\b|\bpre-?school (committee|playgroup)\b|\btoddler group\b|"
    r"\bvillage hall\b|\bsports? club\b|\bfootball club\b|\bcricket club\b|\bcvs\b|council for voluntary|\bhealthwatch\b|"
    # Carers' organisations, not care agencies that call their staff carers ("Homelife Carers Ltd").
    r"\b(young|for|with) carers\b|\bcarers (support|centre|center|trust|association|forum|group|network|hub|resource|count|first)\b|"
    r"\bhome-?start\b|\bsocial enterprise\b|\bdevelopment trust\b|\bmutual aid\b|\bresidents'? association\b|\btenants\b|\bforum\b"
)
# The two long name rules are asked only of names holding a word every match needs (common.prefilter): the same
# answers, in a third of the time.
_PUBLIC = Prefiltered(_PUBLIC_NAME)
_VCSE = Prefiltered(_VCSE_NAME)
# A name that says it sells professional services is a business, whatever community word it also holds
# ("Church Park Consultants", "Bentley Project Management").
_BUSINESS_NAME = re.compile(
    r"\bconsult(ants?|ancy|ing)\b|\bproject management\b|\bsolicitors?\b|\baccountants?\b|\barchitects?\b|"
    r"\bsurveyors?\b|\bestate agents?\b|\bcontractors?\b|\bengineering\b|\bsupplies\b|\bequipment\b"
)
# Words of a sector, not of a body: they make a name public only in their context. A school, an academy, a college
# or a university is a public body; a driving school, a football academy or a company named after one is not.
# (Trusts that run academies are companies limited by guarantee and stay public with "Ltd": their words are not here.)
_SECTOR_WORDS = re.compile(
    r"\b(schools?|schl|academ(y|ies)(?! trust)|college|university|sixth form|nursery school|learning partnership|"
    r"primary|secondary|infants?|juniors?|high school|grammar)\b"
)
# An activity or a trade beside a school's word, not a school's own specialism ('Sports College', 'Arts College').
_ACTIVITY = re.compile(
    r"\b(football|soccer|rugby|cricket|tennis|golf|sports?|dance|dancing|ballet|drama|theatre|stage|performing|music|"
    r"singing|martial|karate|judo|boxing|gymnastics?|swim(ming)?|driving|riding|flying|sailing|surf|ski|beauty|hair|"
    r"barbers?|nails?|make-?up|coding|tutoring|tuition|tutors?|language|fitness|chef|cookery|film|media|esports?|"
    r"catering|cleaning|uniforms?|photograph(y|ers)|supplies|services|solutions)\b(?!\s+college\b)"
)
# A name that calls itself a charity is one even where it also names a school or the NHS.
_CHARITY_NAME = re.compile(r"\bcharit(y|ies|able)\b")
_PERSON = re.compile(r"^(mr|mrs|ms|miss|mx|dr|rev|revd|cllr|councillor|prof|sir|dame|lady|lord)\b\.?\s+\S")
_TRUST_NOT_VCSE = re.compile(
    r"\b(nhs|foundation trust|unit trust|investment trust|housing association|trustees? of the .* pension)\b"
)


# Shortened words in names cut to a system's field length ("BREAKTHROUGH TRANSFORMATION TRST",
# "TAUNTON SCHOOL EDUCATIONAL CHARI"): spelled out before the name rules read them.
_ABBREVIATIONS = [
    (re.compile(pattern, re.IGNORECASE), replacement)
    for pattern, replacement in (
        (r"\btrst\b", "trust"),
        (r"\bsoc\b\.?$", "society"),
        (r"\bchari?t?$", "charity"),
        (r"\bchty\b", "charity"),
        (r"\bfdn\b|\bfound$", "foundation"),
        (r"\bvol\b\.?", "voluntary"),
        # "Assoc" alone is as often Associates (a business) as Association: spelled out only after "community".
        (r"\bcomm(ty|unity)?\b\.? ass(oc|n|ociation)\b\.?", "community association"),
        (r"\bcomm(ty|unity)?\b\.? (centre|group|trust)\b", r"community \2"),
    )
]


# One search finds whether any abbreviation is there at all: most names have none.
_ABBREVIATED = re.compile("|".join(f"(?:{pattern.pattern})" for pattern, _ in _ABBREVIATIONS), re.IGNORECASE)


def _expanded(name: str) -> str:
    if not _ABBREVIATED.search(name):
        return name
    for pattern, replacement in _ABBREVIATIONS:
        name = pattern.sub(replacement, name)
    return name


_SPACED_INITIALS = re.compile(r"\b(?:[a-z]\.? ){1,5}[a-z]\b\.?")


def _initials(text: str) -> str:
    """Names written in spaced initials read as one word: 'h m r c' → 'hmrc', 'd w p' → 'dwp'."""
    return _SPACED_INITIALS.sub(lambda m: re.sub(r"[ .]", "", m.group(0)), text)


def _code(value: str) -> str:
    return re.sub(r"[^a-z]", "", value.lower())


def _by_spend(values: dict[str, float]) -> list[tuple[str, float]]:
    return sorted(values.items(), key=lambda kv: -kv[1])


def classify(facts: SupplierFacts) -> Decision:
    if facts.withheld:
        return Decision(WITHHELD, "The council did not publish the payee", 1.0, Evidence.WITHHELD)
    if facts.redacted:
        return Decision(INDIVIDUAL, "The council redacted the name as personal data", 0.95, Evidence.REDACTED)
    # A register entry found by a published number outranks everything the publisher says; one found
    # by name alone ranks below the publisher's own flags and numbers.
    strong = [d for d in facts.register if d.confidence >= 0.9]
    if strong:
        return strong[0]
    flagged = {k: v for k, v in facts.vcse_flags.items() if k.strip()}
    if flagged:
        yes = sum(v for k, v in flagged.items() if _code(k) in YES or k.strip().lower() in YES)
        no = sum(v for k, v in flagged.items() if k.strip().lower() in NO)
        if yes > no:
            return Decision(VCSE, "The council's own VCSE flag is set for this supplier", 0.9, Evidence.PUBLISHER_FLAG)
    if facts.charity_numbers:
        number = sorted(facts.charity_numbers)[0]
        return Decision(VCSE, f"The council publishes a registered charity number ({number})", 0.9, Evidence.PUBLISHED_NUMBER)
    if facts.register:
        return facts.register[0]
    if facts.council:
        return Decision(PUBLIC, f"The name matches {facts.council} in the register of councils", 0.9, Evidence.COUNCIL_REGISTER)
    for code, _spend in _by_spend(facts.type_codes):
        kind = code_kind(code)
        if kind is None:
            continue
        if _code(code) in LEGAL_FORM_CODES and (by_name := classify_name(facts.names)).supplier_type == VCSE:
            return Decision(
                VCSE,
                f"{by_name.evidence}; the council's code '{code}' gives only a legal form, which charities share",
                by_name.confidence,
                Evidence.NAME,
            )
        return Decision(kind, f"The council's supplier type code is '{code}'", 0.8, Evidence.PUBLISHER_CODE)
    return classify_name(facts.names)


def classify_name(names: Iterable[str]) -> Decision:
    """What the supplier's name alone says; lower confidence than any register or publisher fact."""
    names = [n for n in names if n]
    forms = [legal_form(name) for name in names]
    # A community interest company or a charitable incorporated organisation is never a public body, whatever
    # else its name says ("Churchwood Forest School CIC").
    for name, form in zip(names, forms, strict=True):
        if form in ("cic", "cio"):
            label = "community interest company" if form == "cic" else "charitable incorporated organisation"
            return Decision(VCSE, f"The name '{name}' declares a {label}", 0.85, Evidence.NAME)
    # Lower case once, and patterns without IGNORECASE: about twice as fast on these long alternations.
    # The legal entity's words decide (a trading name after "T/A" names a shop, not the body that is paid); the
    # trading name counts only for saying a business sells its services.
    texts = [_initials(_expanded(legal_entity(name)).lower()) for name in names]
    whole = [_initials(_expanded(name).lower()) for name in names]
    charities = [bool(_CHARITY_NAME.search(text)) for text in texts]
    for name, text, charity, form in zip(names, texts, charities, forms, strict=True):
        # Sector words (school, academy, college) decide only in their context: not in a company's name, nor beside
        # an activity or a trade ('Elite Dance Academy', 'School Uniform Services').
        public = _SECTOR_WORDS.sub(" ", text) if form in ("ltd", "plc", "llp") or _ACTIVITY.search(text) else text
        if not charity and _PUBLIC.matches(public):
            return Decision(PUBLIC, f"The name '{name}' is that of a public body", 0.7, Evidence.NAME)
    for name, text, charity in zip(names, texts, charities, strict=True):
        if _VCSE.matches(text) and (charity or not _TRUST_NOT_VCSE.search(text)) and not _BUSINESS_NAME.search(text):
            return Decision(VCSE, f"The name '{name}' is that of a community or voluntary body", 0.6, Evidence.NAME)
    for name, text in zip(names, texts, strict=True):
        if _PERSON.search(text):
            return Decision(INDIVIDUAL, f"The name '{name}' is a person's name", 0.7, Evidence.NAME)
    for name, form in zip(names, forms, strict=True):
        if form in ("ltd", "plc", "llp"):
            what = {"ltd": "a limited company", "plc": "a public limited company", "llp": "a limited liability partnership"}[form]
            # A charity can be a company limited by guarantee; only a register can tell, so confidence is modest.
            return Decision(PRIVATE, f"The name '{name}' declares {what}", 0.6 if form == "ltd" else 0.75, Evidence.NAME)
    for name, text in zip(names, whole, strict=True):
        if _BUSINESS_NAME.search(text):
            return Decision(PRIVATE, f"The name '{name}' is that of a business selling its services or goods", 0.5, Evidence.NAME)
    return Decision(UNKNOWN, "No register entry, publisher flag or telling name", 0.0, Evidence.NONE)
