"""The Keep it Local membership journey: which stage a council has reached and what it still needs.

A council's stage follows from the evidence it has recorded, so the page and the record cannot disagree.
Only three things are decided by a person rather than derived: declaring the council an active member
(allowed once every commitment is evidenced), pausing, and leaving.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Stage(StrEnum):
    PROSPECT = "prospect"
    ENDORSED = "endorsed"
    CHAMPIONS_APPOINTED = "champions_appointed"
    CONVERSATION_HELD = "conversation_held"
    ACTIVE = "active"
    PAUSED = "paused"
    LEFT = "left"

    @property
    def label(self) -> str:
        return STAGE_LABELS[self]


STAGE_LABELS = {
    Stage.PROSPECT: "Prospect",
    Stage.ENDORSED: "Principles endorsed",
    Stage.CHAMPIONS_APPOINTED: "Champions appointed",
    Stage.CONVERSATION_HELD: "Community conversation held",
    Stage.ACTIVE: "Active member",
    Stage.PAUSED: "Paused",
    Stage.LEFT: "Left the network",
}

JOURNEY = [Stage.PROSPECT, Stage.ENDORSED, Stage.CHAMPIONS_APPOINTED, Stage.CONVERSATION_HELD, Stage.ACTIVE]


class Status(StrEnum):
    """What a person has declared about the membership, on top of the evidence."""

    IN_PROGRESS = "in_progress"
    ACTIVE = "active"
    PAUSED = "paused"
    LEFT = "left"

    @property
    def label(self) -> str:
        return {
            "in_progress": "Working through the steps",
            "active": "Active member",
            "paused": "Paused",
            "left": "Left the network",
        }[self.value]


@dataclass(frozen=True)
class Evidence:
    endorsed: bool
    cabinet_champion: bool
    senior_champion: bool
    conversation_held: bool


@dataclass(frozen=True)
class JourneyPosition:
    stage: Stage
    missing: tuple[str, ...]

    @property
    def can_become_active(self) -> bool:
        return not self.missing


def missing_steps(evidence: Evidence) -> tuple[str, ...]:
    """What a council still has to do before it can be an active member, in plain English."""
    missing = []
    if not evidence.endorsed:
        missing.append("Record the endorsement of the six principles")
    if not evidence.cabinet_champion:
        missing.append("Appoint a champion in the cabinet")
    if not evidence.senior_champion:
        missing.append("Appoint a champion in the senior management team")
    if not evidence.conversation_held:
        missing.append("Hold and record a conversation with the community")
    return tuple(missing)


def position(evidence: Evidence, status: Status = Status.IN_PROGRESS) -> JourneyPosition:
    """The stage reached: the furthest consecutive step that the evidence supports.

    A declared `active` status counts only while all evidence holds (a champion who leaves drops the
    council back to the step it still meets); `paused` and `left` override the evidence.
    """
    missing = missing_steps(evidence)
    if status is Status.LEFT:
        return JourneyPosition(Stage.LEFT, missing)
    if status is Status.PAUSED:
        return JourneyPosition(Stage.PAUSED, missing)
    stage = Stage.PROSPECT
    if evidence.endorsed:
        stage = Stage.ENDORSED
        if evidence.cabinet_champion and evidence.senior_champion:
            stage = Stage.CHAMPIONS_APPOINTED
            if evidence.conversation_held:
                stage = Stage.CONVERSATION_HELD
                if status is Status.ACTIVE:
                    stage = Stage.ACTIVE
    return JourneyPosition(stage, missing)
