"""Amounts of money are read as people write them on any form that asks for pounds."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from keepitlocal.web.govuk import MoneyField

FIELD = MoneyField(min_value=0, max_digits=14, decimal_places=2)


@given(pence=st.integers(0, 10**12 - 1), pound=st.booleans(), grouped=st.booleans(), space=st.sampled_from(["", " "]))
def test_an_amount_written_with_a_pound_sign_and_thousands_separators_is_read_as_written(
    pence: int, pound: bool, grouped: bool, space: str
) -> None:
    amount = Decimal(pence) / 100
    written = f"{amount:,.2f}" if grouped else f"{amount:.2f}"
    assert FIELD.clean(("£" + space if pound else "") + written) == amount


@pytest.mark.parametrize("written", ["1,2345", "12,34", "£", "abc", "£12.3.4", "-5", "1,000,00"])
def test_what_is_not_an_amount_of_pounds_is_refused(written: str) -> None:
    with pytest.raises(ValidationError):
        FIELD.clean(written)
