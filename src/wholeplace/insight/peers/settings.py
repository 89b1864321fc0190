"""What "similar councils" compares: the variables, their default weights, the kinds of council,
and the settings a person can change, resolved in two layers (as Splink resolves a
``SettingsCreator`` into internal settings):

* :class:`ComparatorSettings` is what a caller gives: any subset of the fields, validated by
  pydantic (``variables`` may name only some variables: those are the ones used).
* :func:`resolve_settings` turns it (or a plain dict, or ``None`` for the defaults) into a
  complete, frozen :class:`ResolvedSettings`: variables in a fixed order, weights summing to 1.
  Every problem is reported at once as an :class:`~wholeplace.errors.InputError`.

Default weights (sum 1). They were tuned once, for all councils together (never per council),
by a coarse grid search over the weights of six groups (population, density, each age share,
the IMD score, the seven domain scores together, extent) to bring our groups closer to the
published CIPFA nearest-neighbour sets in the lad2021 universe (mean overlap 63%, against 57% for
the first, hand-set weights). Then the council tax base per dwelling (2022) was added at 10%, the
others scaled by 0.9: it raised the overlap from 62.7% to 65.8% on the full hub, while the share
aged 85+, the band mix and population growth did not help as much or lowered it (measured by
``benchmarks.neighbours_context``; figures in ``benchmarks/README.md``). Size and settlement
pattern carry 27%, age structure 31.5%, deprivation 31.5%, the tax base 10%:

========================  ======  ===============================================================
variable                  weight  definition
========================  ======  ===============================================================
population                0.09    ONS mid-year estimate, all ages (log scale)
density                   0.18    population / mySociety's approximate area_km2 (log scale)
share_0_17                0.135   % of residents aged 0 to 17
share_65_plus             0.18    % of residents aged 65 and over
imd_score                 0.0945  IoD2019 IMD average score
income_score ...          0.0315  each of the seven IoD2019 domain average scores (income,
                                  employment, education, health, crime, barriers, living
                                  environment)
imd_extent                0       IoD2019 IMD extent (available, off by default: it did not
                                  bring the groups closer to CIPFA's)
tax_base_per_dwelling     0.10    council tax base (Band D equivalents) per chargeable dwelling,
                                  2022 (a county: summed over its districts); missing where the
                                  tax base is not loaded, and then left out of the distance
========================  ======  ===============================================================
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from wholeplace.errors import InputError


def _count(x: float) -> str:
    if x >= 1e6:
        return f"{x / 1e6:.2f}m"
    if x >= 1e4:
        return f"{x / 1e3:.0f}k"
    return f"{x:,.0f}"


def _pct(x: float) -> str:
    return f"{x:.1f}%"


def _rate(x: float) -> str:
    return f"{100 * x:.1f}%"


def _score(x: float) -> str:
    return f"{x:.1f}"


def _signed(x: float) -> str:
    return f"{x:+.2f}"


def _ratio(x: float) -> str:
    return f"{x:.2f}"


def _density(x: float) -> str:
    return f"{x:,.0f} per km²" if x >= 10 else f"{x:.1f} per km²"


@dataclass(frozen=True)
class Variable:
    """A context variable: how it is labelled, transformed (log or not) and shown."""

    name: str
    label: str
    log: bool
    fmt: Callable[[float], str]
    definition: str


VARIABLES: dict[str, Variable] = {v.name: v for v in (
    Variable("population", "population", True, _count,
             "ONS mid-year estimate of residents, all ages (log scale)"),
    Variable("density", "population density", True, _density,
             "residents per km² of mySociety's approximate area (log scale)"),
    Variable("share_0_17", "share aged 0-17", False, _pct, "% of residents aged 0 to 17"),
    Variable("share_65_plus", "share aged 65+", False, _pct, "% of residents aged 65 and over"),
    Variable("imd_score", "IMD deprivation score", False, _score,
             "IoD2019 Index of Multiple Deprivation average score (higher = more deprived)"),
    Variable("income_score", "income deprivation", False, _rate,
             "IoD2019 income domain average score: share of residents income-deprived"),
    Variable("employment_score", "employment deprivation", False, _rate,
             "IoD2019 employment domain average score: share of working-age residents"),
    Variable("education_score", "education deprivation", False, _score,
             "IoD2019 education, skills and training domain average score"),
    Variable("health_score", "health deprivation", False, _signed,
             "IoD2019 health deprivation and disability domain average score"),
    Variable("crime_score", "crime", False, _signed, "IoD2019 crime domain average score"),
    Variable("barriers_score", "barriers to housing and services", False, _score,
             "IoD2019 barriers to housing and services domain average score"),
    Variable("living_environment_score", "living environment", False, _score,
             "IoD2019 living environment domain average score"),
    Variable("imd_extent", "deprivation extent", False, _rate,
             "IoD2019 IMD extent: share of residents in the most deprived LSOAs"),
    Variable("tax_base_per_dwelling", "council tax base per dwelling", False, _ratio,
             "council tax base in Band D equivalents per chargeable dwelling, 2022 (a county: "
             "the sums over its districts)"),
)}

DEFAULT_WEIGHTS: dict[str, float] = {
    "population": 0.09, "density": 0.18, "share_0_17": 0.135, "share_65_plus": 0.18,
    "imd_score": 0.0945, "income_score": 0.0315, "employment_score": 0.0315,
    "education_score": 0.0315, "health_score": 0.0315, "crime_score": 0.0315,
    "barriers_score": 0.0315, "living_environment_score": 0.0315, "imd_extent": 0.0,
    "tax_base_per_dwelling": 0.10,
}

#: Kind rules: authority type -> (kind id, label). ``cipfa`` follows the published CIPFA sets:
#: counties with counties, districts with districts, unitaries with unitaries AND metropolitan
#: districts, London boroughs with London boroughs. ``tier`` puts every single-tier council
#: (unitary, metropolitan district, London borough) in one kind.
KIND_RULES: dict[str, dict[str, tuple[str, str]]] = {
    "cipfa": {
        "county council": ("county", "county councils"),
        "shire district": ("shire_district", "shire districts"),
        "unitary": ("unitary_metropolitan", "unitary councils and metropolitan districts"),
        "Isles of Scilly": ("unitary_metropolitan",
                            "unitary councils and metropolitan districts"),
        "metropolitan district": ("unitary_metropolitan",
                                  "unitary councils and metropolitan districts"),
        "London borough": ("london", "London boroughs"),
        "City of London": ("london", "London boroughs"),
    },
    "tier": {
        "county council": ("county", "county councils"),
        "shire district": ("shire_district", "shire districts"),
        **{t: ("single_tier", "single-tier councils (unitary, metropolitan, London)")
           for t in ("unitary", "Isles of Scilly", "metropolitan district", "London borough",
                     "City of London")},
    },
}

#: Councils too unlike any other to be anyone's comparator (and kept out of the z-scores): the
#: Isles of Scilly (about 2,300 residents) and the City of London (about 8,600 residents, a
#: business district). The CIPFA sets give both no neighbours at all.
OUTLIERS: dict[str, str] = {
    "E06000053": "about 2,300 residents on islands 45 km offshore",
    "E09000001": "about 8,600 residents in the financial district",
}

#: A pair is ranked only if the variables both have carry at least this share of the weight.
MIN_SHARED_WEIGHT = 0.5
MAX_K = 100


class ComparatorSettings(BaseModel):
    """What a caller may set. Omitted fields take the defaults documented in this module."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    variables: dict[str, float] | None = Field(
        None, description="variable -> weight; only the variables named are used")
    k: int = Field(15, ge=1, le=MAX_K, description="how many comparators to return")
    kind_rule: Literal["cipfa", "tier"] = "cipfa"
    universe: Literal["current", "lad2021"] = "current"
    year: Literal[2020, 2021] = 2021
    exclude_outliers: bool = True


@dataclass(frozen=True)
class ResolvedSettings:
    """Complete settings: ``variables`` and ``weights`` in the same order, weights summing to 1."""

    variables: tuple[str, ...]
    weights: tuple[float, ...]
    k: int
    kind_rule: str
    universe: str
    year: int
    exclude_outliers: bool

    def weight_of(self) -> dict[str, float]:
        return dict(zip(self.variables, self.weights))


def resolve_settings(settings: ComparatorSettings | dict | None = None) -> ResolvedSettings:
    """The complete settings for ``settings`` (``None`` = every default).

    Every problem (bad fields, unknown variables, bad weights) is reported in one InputError.
    """
    if settings is None:
        settings = ComparatorSettings()
    elif isinstance(settings, dict):
        problems = []
        if isinstance(settings.get("variables"), dict):
            problems += _weight_problems(settings["variables"])
        try:
            built = ComparatorSettings(**settings)
        except PydanticValidationError as exc:
            problems = [f"{'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg']}"
                        for e in exc.errors()] + problems
        _raise(problems)
        settings = built
    elif not isinstance(settings, ComparatorSettings):
        raise InputError("Give comparator settings as a ComparatorSettings or a dict, not "
                         f"{type(settings).__name__}.")
    chosen = settings.variables if settings.variables is not None else DEFAULT_WEIGHTS
    _raise(_weight_problems(chosen))
    names = tuple(v for v in VARIABLES if chosen.get(v, 0.0) > 0)
    total = sum(chosen[v] for v in names)
    return ResolvedSettings(
        variables=names, weights=tuple(chosen[v] / total for v in names), k=settings.k,
        kind_rule=settings.kind_rule, universe=settings.universe, year=settings.year,
        exclude_outliers=settings.exclude_outliers)


def _raise(problems: list[str]) -> None:
    if problems:
        raise InputError("The comparator settings are not valid: " + "; ".join(problems)
                         + ". Fix these and try again.")


def _weight_problems(chosen: dict) -> list[str]:
    problems = []
    unknown = sorted(map(str, set(chosen) - set(VARIABLES)))
    if unknown:
        problems.append(f"unknown variable(s) {', '.join(unknown)} (choose from "
                        f"{', '.join(VARIABLES)})")
    bad = sorted(str(k) for k, w in chosen.items()
                 if isinstance(w, bool) or not isinstance(w, (int, float))
                 or not math.isfinite(w) or w < 0)
    if bad:
        problems.append(f"weights must be finite numbers of 0 or more: {', '.join(bad)}")
    if not problems and not any(w > 0 for k, w in chosen.items() if k in VARIABLES):
        problems.append("at least one variable needs a weight above 0")
    return problems
