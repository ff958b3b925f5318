from hypothesis import given
from hypothesis import strategies as st

from keepitlocal.network.engine.journey import JOURNEY, Evidence, Stage, Status, missing_steps, position

evidence = st.builds(Evidence, st.booleans(), st.booleans(), st.booleans(), st.booleans())

FULL = Evidence(endorsed=True, cabinet_champion=True, senior_champion=True, conversation_held=True)


def test_nothing_recorded_is_a_prospect() -> None:
    none = Evidence(False, False, False, False)
    assert position(none).stage is Stage.PROSPECT
    assert len(missing_steps(none)) == 4


def test_one_champion_is_not_enough() -> None:
    only_cabinet = Evidence(endorsed=True, cabinet_champion=True, senior_champion=False, conversation_held=True)
    result = position(only_cabinet, Status.ACTIVE)
    assert result.stage is Stage.ENDORSED
    assert result.missing == ("Appoint a champion in the senior management team",)
    assert not result.can_become_active


def test_active_only_with_every_commitment() -> None:
    assert position(FULL).stage is Stage.CONVERSATION_HELD
    assert position(FULL, Status.ACTIVE).stage is Stage.ACTIVE
    assert position(FULL).can_become_active


def test_paused_and_left_override_evidence() -> None:
    assert position(FULL, Status.PAUSED).stage is Stage.PAUSED
    assert position(Evidence(False, False, False, False), Status.LEFT).stage is Stage.LEFT


@given(evidence, st.sampled_from(list(Status)))
def test_active_iff_declared_and_nothing_missing(ev: Evidence, status: Status) -> None:
    result = position(ev, status)
    assert (result.stage is Stage.ACTIVE) == (status is Status.ACTIVE and not missing_steps(ev))


@given(evidence)
def test_stage_never_claims_a_step_whose_evidence_is_missing(ev: Evidence) -> None:
    stage = position(ev, Status.ACTIVE).stage
    reached = JOURNEY[: JOURNEY.index(stage) + 1]
    if Stage.ENDORSED in reached:
        assert ev.endorsed
    if Stage.CHAMPIONS_APPOINTED in reached:
        assert ev.cabinet_champion and ev.senior_champion
    if Stage.CONVERSATION_HELD in reached:
        assert ev.conversation_held
