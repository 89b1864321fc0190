"""Whole pence and the one rounding rule: to the nearest unit, halves away from zero.

The browser (web/static/consult.js) implements the same rule on the same integers, so the page
and the server never disagree by a penny.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from wholeplace.errors import InputError


def round_half_away(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded to the nearest integer, halves away from zero."""
    if denominator <= 0:
        raise InputError(f"Cannot divide by {denominator}: the denominator must be positive.")
    magnitude = (2 * abs(numerator) + denominator) // (2 * denominator)
    return magnitude if numerator >= 0 else -magnitude


def pence(amount: Decimal | int | str) -> int:
    """Pounds (at most two decimal places) as whole pence; refuses fractions of a penny."""
    try:
        value = Decimal(str(amount))
    except InvalidOperation as exc:
        raise InputError(f"{amount!r} is not an amount of money in pounds.") from exc
    scaled = value * 100
    if scaled != scaled.to_integral_value():
        raise InputError(f"£{amount} has a fraction of a penny; give at most two decimal places.")
    return int(scaled)


def pounds(amount_pence: int) -> Decimal:
    """Whole pence as pounds with two decimal places."""
    return (Decimal(amount_pence) / 100).quantize(Decimal("0.01"))


def hundredths(amount: Decimal | int | str) -> int:
    """A quantity with at most two decimal places (a tax base, a percentage) as hundredths."""
    try:
        value = Decimal(str(amount))
    except InvalidOperation as exc:
        raise InputError(f"{amount!r} is not a number.") from exc
    scaled = value * 100
    if scaled != scaled.to_integral_value():
        raise InputError(f"{amount} has more than two decimal places.")
    return int(scaled)
