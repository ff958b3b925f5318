"""The Jinja2 environment: GOV.UK Frontend macros, Django's url and static, and our formatting filters."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.contrib.staticfiles.storage import staticfiles_storage
from django.forms import BoundField, Form
from django.urls import reverse
from django.utils import timezone
from jinja2 import ChoiceLoader, Environment, PackageLoader, PrefixLoader

from keepitlocal.common.money import whole_pounds
from keepitlocal.web import govuk


def url(name: str, *args: Any, **kwargs: Any) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def format_date(value: date | datetime | None) -> str:
    """Dates the GOV.UK way: 1 April 2026."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{value.day} {value:%B %Y} at {value:%H:%M}"
    return f"{value.day} {value:%B %Y}"


def format_share(indicator: Any, would: str = "met it") -> str:
    """A share with its bounds and coverage in words (spend.engine.figures.Indicator.sentence), for any indicator
    that depends on classification or locality; 'not known (no spend)' where there is no such figure."""
    return indicator.sentence(would) if indicator is not None else "not known (no spend)"


def format_money(value: Decimal | float | int | None) -> str:
    """Money the GOV.UK way: £1,234 (pence only when there are any)."""
    if value is None:
        return ""
    amount = Decimal(str(value))
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    if amount == amount.to_integral_value():
        return f"{sign}£{amount:,.0f}"
    return f"{sign}£{amount:,.2f}"


def format_money_whole(value: Decimal | float | int | None) -> str:
    """Money to the pound, for figures that are estimates (£12,345 and −£12,345)."""
    return "" if value is None else whole_pounds(value)


def format_number(value: int | float | None) -> str:
    return "" if value is None else f"{value:,}"


def format_score(value: float | None, missing: str = "Not enough answers") -> str:
    """A 0–100 assessment score, rounded to a whole number because the levels behind it are whole numbers."""
    return missing if value is None else f"{value:.0f}"


def format_points(value: float | None, missing: str = "Not comparable") -> str:
    """A difference in points, with its sign written out (a minus sign, not a hyphen)."""
    if value is None:
        return missing
    if abs(value) < 0.5:
        return "0"
    return f"{value:+.0f}".replace("-", "\u2212")


def environment(**options: Any) -> Environment:
    loader = options.pop("loader", None)
    options["loader"] = ChoiceLoader(
        [
            *([loader] if loader else []),
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja", "templates")}),
        ]
    )
    options.setdefault("extensions", []).append("jinja2.ext.do")
    env = Environment(**options)  # noqa: S701 - autoescape is set True in settings.TEMPLATES
    env.globals.update(
        url=url,
        static=staticfiles_storage.url,
        field=govuk.field,
        date_field=govuk.date_field,
        choice_field=govuk.choice_field,
        error_summary=govuk.error_summary,
        widget_kind=govuk.widget_kind,
        isinstance=isinstance,
        Form=Form,
        BoundField=BoundField,
    )
    env.filters.update(
        date=format_date,
        money=format_money,
        money0=format_money_whole,
        number=format_number,
        score=format_score,
        points=format_points,
        share=format_share,
    )
    return env
