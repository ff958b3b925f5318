"""The Keep it Local self-assessment framework, version 1.0: for each of the six principles, four indicators,
each with four maturity levels described in plain English and the evidence that supports each level.

The framework is data with a version. A round records the version it used, so older rounds stay readable
when a new version is published: add a new Framework, never edit a published one.
"""

from __future__ import annotations

from dataclasses import dataclass

LEVELS = ("Not yet started", "Emerging", "Developing", "Embedded")


@dataclass(frozen=True)
class Indicator:
    code: str
    title: str
    levels: tuple[str, str, str, str]  # what each maturity level looks like
    evidence: tuple[str, str, str, str]  # the kind of evidence that supports each level


@dataclass(frozen=True)
class Principle:
    number: int
    title: str
    indicators: tuple[Indicator, ...]
    measured_by: str = ""  # a spend indicator that bears on this principle, if any


@dataclass(frozen=True)
class Framework:
    version: str
    principles: tuple[Principle, ...]

    def indicator(self, code: str) -> Indicator:
        for principle in self.principles:
            for indicator in principle.indicators:
                if indicator.code == code:
                    return indicator
        raise KeyError(code)

    @property
    def codes(self) -> list[str]:
        return [i.code for p in self.principles for i in p.indicators]


def _i(code: str, title: str, levels: tuple[str, str, str, str], evidence: tuple[str, str, str, str]) -> Indicator:
    return Indicator(code, title, levels, evidence)


NO_EVIDENCE = "No evidence yet"

V1 = Framework(
    "1.0",
    (
        Principle(
            1,
            "Think whole-system not silos",
            (
                _i(
                    "1.1",
                    "Shared outcomes across services and partners",
                    (
                        "Each service sets its own outcomes",
                        "Some services share outcomes on paper",
                        "Council, health and community partners plan against shared outcomes",
                        "Shared outcomes drive budgets and are reviewed together",
                    ),
                    (
                        NO_EVIDENCE,
                        "A joint strategy document",
                        "Partnership plans with shared measures",
                        "Joint budgets or pooled funds, with reviews",
                    ),
                ),
                _i(
                    "1.2",
                    "Community organisations in strategic planning",
                    (
                        "Community organisations are consulted late, if at all",
                        "Invited to some strategic meetings",
                        "Have seats on the boards that set priorities",
                        "Shape priorities as equal partners from the start",
                    ),
                    (
                        NO_EVIDENCE,
                        "Consultation records",
                        "Board memberships and minutes",
                        "Co-produced strategies naming community partners",
                    ),
                ),
                _i(
                    "1.3",
                    "Data and insight shared across organisations",
                    (
                        "Each organisation keeps its own data",
                        "Ad hoc sharing between individuals",
                        "Agreed data sharing for key services",
                        "A shared picture of need used by all partners",
                    ),
                    (
                        NO_EVIDENCE,
                        "Emails or one-off reports",
                        "Data sharing agreements",
                        "Shared dashboards or needs assessments used in decisions",
                    ),
                ),
                _i(
                    "1.4",
                    "Budgets look at the cost to the whole system",
                    (
                        "Decisions look only at the council's own budget",
                        "Wider costs are mentioned in some papers",
                        "Business cases count costs and savings to partners",
                        "Whole-system costs routinely decide what is commissioned",
                    ),
                    (
                        NO_EVIDENCE,
                        "Committee papers",
                        "Business cases with partner costs",
                        "A standard method applied to all major decisions",
                    ),
                ),
            ),
        ),
        Principle(
            2,
            "Coordinate services at neighbourhood level",
            (
                _i(
                    "2.1",
                    "Neighbourhood working arrangements",
                    (
                        "Services are organised only at council-wide level",
                        "A pilot in one neighbourhood",
                        "Neighbourhood teams in several areas",
                        "Every neighbourhood has joined-up teams with community partners",
                    ),
                    (NO_EVIDENCE, "A pilot plan", "Team structures and locations", "Borough-wide model with evaluation"),
                ),
                _i(
                    "2.2",
                    "Community anchor organisations",
                    (
                        "No relationship with anchor organisations",
                        "Grants to some anchors",
                        "Anchors hold services and convene partners in their area",
                        "Anchors are funded long term as the hub of each neighbourhood",
                    ),
                    (
                        NO_EVIDENCE,
                        "Grant letters",
                        "Service agreements with anchors",
                        "Multi-year agreements and anchor-led plans",
                    ),
                ),
                _i(
                    "2.3",
                    "Local knowledge shapes services",
                    (
                        "Services are designed centrally",
                        "Local views are gathered occasionally",
                        "Neighbourhood insight regularly changes services",
                        "Residents and local groups co-design services",
                    ),
                    (NO_EVIDENCE, "Survey results", "Examples of services changed", "Co-design records and resident panels"),
                ),
                _i(
                    "2.4",
                    "Reaching people furthest from services",
                    (
                        "Services wait for people to come to them",
                        "Some outreach through community groups",
                        "Community organisations are funded to reach excluded groups",
                        "Reach is measured and improves year on year",
                    ),
                    (NO_EVIDENCE, "Outreach examples", "Funded outreach agreements", "Monitoring of who is reached, over time"),
                ),
            ),
        ),
        Principle(
            3,
            "Increase local spend to invest in the local economy",
            (
                _i(
                    "3.1",
                    "Knowing where the money goes",
                    (
                        "The council does not know its local spend",
                        "A one-off analysis of spend",
                        "Local and VCSE spend are measured every year",
                        "Local spend is tracked and published, and targets are set",
                    ),
                    (NO_EVIDENCE, "A spend analysis", "Annual spend indicators", "Published indicators with targets"),
                ),
                _i(
                    "3.2",
                    "Local organisations win contracts",
                    (
                        "Contracts go mostly to national providers",
                        "Some lots are sized for local organisations",
                        "Procurement is designed so local organisations can bid",
                        "Local organisations win a growing share of contracts",
                    ),
                    (
                        NO_EVIDENCE,
                        "Lotting decisions",
                        "Procurement guidance and bidder support",
                        "Contract award data over time",
                    ),
                ),
                _i(
                    "3.3",
                    "Social value in commissioning",
                    (
                        "Social value is not considered",
                        "Social value is weighted in some tenders",
                        "A social value policy applies to all major contracts",
                        "Social value commitments are monitored and delivered",
                    ),
                    (NO_EVIDENCE, "Tender documents", "A social value policy", "Monitoring reports of delivered social value"),
                ),
                _i(
                    "3.4",
                    "Bringing external funding into the area",
                    (
                        "No support for community organisations to raise funds",
                        "Occasional help with bids",
                        "Joint bids with community organisations",
                        "A funding strategy that levers external money through local organisations",
                    ),
                    (NO_EVIDENCE, "Examples of help given", "Joint bids", "A funding strategy and the money it brought in"),
                ),
            ),
            measured_by="share_local",
        ),
        Principle(
            4,
            "Focus on early intervention to save costs later",
            (
                _i(
                    "4.1",
                    "Investment in prevention",
                    (
                        "Spending is almost all on crisis services",
                        "Some prevention projects, short term",
                        "A protected budget for prevention through community organisations",
                        "Prevention is funded long term and grows as demand falls",
                    ),
                    (NO_EVIDENCE, "Project funding", "A prevention budget", "Multi-year prevention funding and its trend"),
                ),
                _i(
                    "4.2",
                    "Evidence of demand prevented",
                    (
                        "No measure of prevention",
                        "Case studies",
                        "Outcomes tracked for prevention services",
                        "Savings to the NHS, social care and others are estimated with cited unit costs",
                    ),
                    (NO_EVIDENCE, "Case studies", "Outcome monitoring", "A value case using cited unit costs"),
                ),
                _i(
                    "4.3",
                    "Early help through community organisations",
                    (
                        "Early help is delivered only by the council",
                        "Some referrals to community groups",
                        "Community organisations are part of the early help offer",
                        "Community organisations lead early help in neighbourhoods",
                    ),
                    (
                        NO_EVIDENCE,
                        "Referral examples",
                        "An early help offer naming partners",
                        "Agreements for community-led early help",
                    ),
                ),
                _i(
                    "4.4",
                    "Length of funding",
                    (
                        "Funding is year to year or shorter",
                        "Some two-year agreements",
                        "Most community agreements last three years or more",
                        "Long-term funding is the default for prevention",
                    ),
                    (NO_EVIDENCE, "Grant letters", "A list of agreement lengths", "A policy of long-term funding and its use"),
                ),
            ),
        ),
        Principle(
            5,
            "Commit to your community and support local organisations",
            (
                _i(
                    "5.1",
                    "Relationship with the voluntary and community sector",
                    (
                        "Transactional: contracts and complaints",
                        "Regular meetings with some organisations",
                        "A compact or agreement with the sector",
                        "A trusted partnership with shared decisions",
                    ),
                    (NO_EVIDENCE, "Meeting notes", "A signed compact", "Joint decisions and their results"),
                ),
                _i(
                    "5.2",
                    "Support for local organisations to grow",
                    (
                        "No support offered",
                        "Occasional training or advice",
                        "A funded infrastructure body supports the sector",
                        "Capacity building is planned with the sector and its effect is measured",
                    ),
                    (NO_EVIDENCE, "Training records", "Funding for infrastructure support", "A plan and results"),
                ),
                _i(
                    "5.3",
                    "Community assets",
                    (
                        "Assets are sold or let at market rates only",
                        "Some transfers case by case",
                        "A community asset transfer policy in use",
                        "Assets are transferred with support and community ownership grows",
                    ),
                    (
                        NO_EVIDENCE,
                        "Transfer decisions",
                        "An asset transfer policy",
                        "A register of transferred assets and their use",
                    ),
                ),
                _i(
                    "5.4",
                    "Champions and leadership",
                    (
                        "No named leadership for Keep it Local",
                        "A champion in name",
                        "Cabinet and senior management champions are active",
                        "Leaders across the council act on the principles",
                    ),
                    (
                        NO_EVIDENCE,
                        "A named champion",
                        "Champions' activity and decisions",
                        "Principles applied across directorates",
                    ),
                ),
            ),
        ),
        Principle(
            6,
            "Commission simply and collaboratively, local by default",
            (
                _i(
                    "6.1",
                    "Proportionate processes",
                    (
                        "Small grants use the same process as large contracts",
                        "Some simplified forms",
                        "Processes are proportionate to the amount and risk",
                        "Processes are designed with the organisations that use them",
                    ),
                    (NO_EVIDENCE, "Application forms", "A proportionality policy", "Co-designed processes and feedback"),
                ),
                _i(
                    "6.2",
                    "Local by default",
                    (
                        "The default is an open national tender",
                        "Local options are considered case by case",
                        "Local delivery is the default unless there is a reason not to",
                        "Local by default is written into commissioning rules and followed",
                    ),
                    (
                        NO_EVIDENCE,
                        "Decision papers",
                        "Commissioning guidance",
                        "Contract standing orders and a record of exceptions",
                    ),
                ),
                _i(
                    "6.3",
                    "Grants and collaboration over competition",
                    (
                        "Competitive tendering is the only route",
                        "Grants are used for small amounts",
                        "Grants, alliances and partnerships are used where they fit",
                        "Collaborative commissioning is the usual approach",
                    ),
                    (
                        NO_EVIDENCE,
                        "Funding routes used",
                        "Alliance or partnership agreements",
                        "A commissioning strategy and its use",
                    ),
                ),
                _i(
                    "6.4",
                    "Co-design with communities",
                    (
                        "Services are specified by the council alone",
                        "Providers are consulted on specifications",
                        "Specifications are co-designed with local organisations",
                        "Residents and local organisations co-design and review services",
                    ),
                    (
                        NO_EVIDENCE,
                        "Consultation records",
                        "Co-design workshops and outputs",
                        "Reviews with residents and organisations",
                    ),
                ),
            ),
            measured_by="share_local_vcse",
        ),
    ),
)

FRAMEWORKS = {V1.version: V1}
CURRENT = V1


def as_markdown(framework: Framework) -> str:
    """The framework as the Markdown section of docs/ASSESSMENT.md, so the document cannot drift from the data."""
    lines = [f"## Framework version {framework.version}", ""]
    for principle in framework.principles:
        lines += [f"### {principle.number}. {principle.title}", ""]
        if principle.measured_by:
            lines += [f"Measured alongside: `{principle.measured_by}` (docs/INDICATORS.md).", ""]
        for indicator in principle.indicators:
            lines += [
                f"**{indicator.code} {indicator.title}**",
                "",
                "| level | what it looks like | evidence |",
                "| --- | --- | --- |",
            ]
            for n, (looks, evidence) in enumerate(zip(indicator.levels, indicator.evidence, strict=True), start=1):
                lines.append(f"| {n} {LEVELS[n - 1].lower()} | {looks} | {evidence} |")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"
