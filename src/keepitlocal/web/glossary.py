"""The words the platform's figures use, explained once: the glossary page shows every term, and pages link a term
to its entry by its anchor (`url('web:glossary') ~ '#' ~ Term.X`)."""

from __future__ import annotations

from enum import StrEnum


class Term(StrEnum):
    VCSE = "vcse"
    LOCAL = "locality"
    ORG_ID = "org-id"
    GSS_CODE = "gss-code"
    CONFIDENCE = "confidence"
    COVERAGE = "coverage"
    FINANCIAL_YEAR = "financial-year"
    DEMONSTRATION = "demonstration-data"
    BETWEENNESS = "betweenness"
    CUT_POINT = "cut-point"
    PAIRS_CUT_OFF = "pairs-cut-off"
    LOCAL_MULTIPLIER = "local-multiplier"
    DEADWEIGHT = "deadweight"
    ATTRIBUTION = "attribution"
    OPTIMISM_BIAS = "optimism-bias"
    PRESENT_VALUE = "present-value"

    @property
    def word(self) -> str:
        return WORDS[self][0]

    @property
    def meaning(self) -> str:
        return WORDS[self][1]


WORDS: dict[Term, tuple[str, str]] = {
    Term.VCSE: (
        "VCSE",
        "Voluntary, community and social enterprise organisations: registered charities, community interest companies, "
        "co-operatives and community benefit societies, and companies limited by guarantee with social aims. The spend "
        "analysis says which suppliers are VCSE from the registers they appear in, and gives its evidence for each.",
    ),
    Term.LOCAL: (
        "Local and locality",
        "A supplier is local when its registered address is in the council's area (or, for a county, in one of its "
        "districts). Its locality is unknown when no register gives its address: the local share counts that spend as "
        "not local, and says how much of the spend it could place (its coverage) and how high the share could be.",
    ),
    Term.ORG_ID: (
        "Org-id",
        "An organisation's identifier in the form its register gives it, with the register's prefix: GB-CHC-1234567 "
        "for a charity in England and Wales, GB-COH-01234567 for a company (see org-id.guide).",
    ),
    Term.GSS_CODE: (
        "GSS code",
        "The Office for National Statistics code of a council's area, such as E08000033 for Calderdale. The platform "
        "names councils by it, so that figures join across sources.",
    ),
    Term.CONFIDENCE: (
        "How sure",
        "How sure the analysis is of a supplier's type: high when a register's number says it, medium when a register "
        "entry matches the name exactly or closely, low when only words in the name suggest it. Editors can correct "
        "any supplier, with a reason.",
    ),
    Term.COVERAGE: (
        "Coverage",
        "The share of spend a figure could be worked out for: a local share with 60% coverage counts only the 60% of "
        "spend whose suppliers' locality is known. Each share comes with its range if every unknown supplier were one "
        "thing or the other.",
    ),
    Term.FINANCIAL_YEAR: (
        "Financial year",
        "From 1 April to 31 March, written 2025/26. Figures are compared year by year. A month between payments with "
        "none in the files is named as a gap, never filled; months beyond every file analysed are not known, never "
        "months without payments.",
    ),
    Term.DEMONSTRATION: (
        "Demonstration data",
        "Records made up to show how the platform works. They are marked wherever they appear, on pages, downloads and reports.",
    ),
    Term.BETWEENNESS: (
        "Betweenness",
        "How much of a map's connecting runs through one organisation: the share of the shortest routes between every "
        "other pair of organisations that pass through it, from 0 (none) to 1 (all). An organisation with high "
        "betweenness links parts of the local system that would otherwise hardly meet.",
    ),
    Term.CUT_POINT: (
        "Cut point",
        "An organisation without which part of a map splits off from the rest: some organisations would have no route "
        "to each other left. Losing a cut point breaks the system, not only weakens it.",
    ),
    Term.PAIRS_CUT_OFF: (
        "Pairs cut off",
        "How many pairs of other organisations on a map would lose every route between them if this one were gone: the "
        "size of what it alone holds together.",
    ),
    Term.LOCAL_MULTIPLIER: (
        "Local multiplier (LM3)",
        "For every £1 spent, how much circulates in the local economy over three rounds: the £1 itself, the share of "
        "it spent with local suppliers, and the share of that those suppliers and their staff spend locally again. "
        "From a survey, or estimated from the spend analysis with a stated re-spend share.",
    ),
    Term.DEADWEIGHT: (
        "Deadweight",
        "The share of an outcome that would have happened anyway, without the intervention: it is taken off the savings claimed.",
    ),
    Term.ATTRIBUTION: (
        "Attribution",
        "The share of an outcome owed to others (another service, another funder) rather than this intervention: it "
        "is taken off the savings claimed too.",
    ),
    Term.OPTIMISM_BIAS: (
        "Optimism bias",
        "A reduction of the benefits claimed by how weak their evidence is, as HM Treasury advises: nothing for the "
        "strongest evidence, up to 40% for the weakest.",
    ),
    Term.PRESENT_VALUE: (
        "Present value",
        "Savings over several years expressed in today's money: each later year's pounds are discounted (3.5% a year, "
        "as the HM Treasury Green Book says) and every price is brought to one price year.",
    ),
}
