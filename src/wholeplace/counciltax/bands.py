"""Council tax bands A to H and what a change in Band D means for each household.

Band ratios: Local Government Finance Act 1992, section 5(1) (England): the amount for each band
is the Band D amount multiplied by 6/9 (A), 7/9 (B), 8/9 (C), 9/9 (D), 11/9 (E), 13/9 (F),
15/9 (G) and 18/9 (H).

Rounding rule (stated once, used everywhere): each band's charge is Band D x ratio rounded to the
nearest penny, halves away from zero; a household's change per year is the difference between its
rounded charges; the change per week is that yearly change / 52, rounded the same way. Council tax
yield is tax base x the change in Band D, rounded to the nearest penny.
"""

from __future__ import annotations

from dataclasses import dataclass

from wholeplace.counciltax.money import round_half_away

#: Numerator of each band's ratio to Band D (the denominator is 9). LGFA 1992 s.5(1).
BAND_RATIOS: dict[str, int] = {"A": 6, "B": 7, "C": 8, "D": 9, "E": 11, "F": 13, "G": 15, "H": 18}
BANDS: tuple[str, ...] = tuple(BAND_RATIOS)
RATIO_SOURCE = "Local Government Finance Act 1992, section 5(1)"
WEEKS_PER_YEAR = 52


def band_bill(band_d_pence: int, band: str) -> int:
    """The charge for ``band`` given the Band D charge, both in pence, to the penny."""
    return round_half_away(band_d_pence * BAND_RATIOS[band], 9)


def new_band_d(band_d_pence: int, change_basis_points: int) -> int:
    """Band D after a percentage change given in basis points (1% = 100), to the penny."""
    return band_d_pence + round_half_away(band_d_pence * change_basis_points, 10_000)


def tax_yield(tax_base_hundredths: int, band_d_change_pence: int) -> int:
    """Money raised (pence) by a change in Band D over a tax base (Band D equivalents x 100)."""
    return round_half_away(tax_base_hundredths * band_d_change_pence, 100)


def one_percent_yield(tax_base_hundredths: int, band_d_pence: int) -> int:
    """What 1% on Band D raises, in pence: tax base x Band D / 100."""
    return round_half_away(tax_base_hundredths * band_d_pence, 100 * 100)


@dataclass(frozen=True)
class BandChange:
    """One band's charge before and after, and the household's change per year and per week."""

    band: str
    before_pence: int
    after_pence: int

    @property
    def per_year_pence(self) -> int:
        return self.after_pence - self.before_pence

    @property
    def per_week_pence(self) -> int:
        return round_half_away(self.per_year_pence, WEEKS_PER_YEAR)

    def to_dict(self) -> dict[str, int | str]:
        return {"band": self.band, "before_pence": self.before_pence,
                "after_pence": self.after_pence, "per_year_pence": self.per_year_pence,
                "per_week_pence": self.per_week_pence}


def band_changes(before_band_d_pence: int, after_band_d_pence: int) -> list[BandChange]:
    """Every band's charge before and after a change in Band D."""
    return [BandChange(band, band_bill(before_band_d_pence, band),
                       band_bill(after_band_d_pence, band)) for band in BANDS]
