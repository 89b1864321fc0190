"""English council tax arithmetic: band ratios, band bills to the penny, what 1% raises, the adult
social care precept, and the council tax referendum principles as a cited, versioned parameter.

Every amount is an integer number of pence (tax bases in hundredths of a Band D equivalent) so
that the Python engine and the page's JavaScript compute exactly the same figures.
"""

from wholeplace.counciltax.bands import (
    BAND_RATIOS,
    BANDS,
    BandChange,
    band_bill,
    band_changes,
    new_band_d,
    one_percent_yield,
    tax_yield,
)
from wholeplace.counciltax.money import pence, pounds, round_half_away
from wholeplace.counciltax.referendum import (
    AuthorityClass,
    Principle,
    ReferendumLimit,
    is_excessive,
    referendum_limit,
    referendum_years,
)

__all__ = [
    "BANDS",
    "BAND_RATIOS",
    "AuthorityClass",
    "BandChange",
    "Principle",
    "ReferendumLimit",
    "band_bill",
    "band_changes",
    "is_excessive",
    "new_band_d",
    "one_percent_yield",
    "pence",
    "pounds",
    "referendum_limit",
    "referendum_years",
    "round_half_away",
    "tax_yield",
]
