"""Context variables of every council in a universe, read from the hub in one statement.

:func:`context_sql` is pure (it returns SQL text and the values to bind); :func:`read_context`
runs it and turns the rows into a :class:`ContextTable`, one :class:`CouncilContext` per council.

Universes (which councils exist, and on which boundaries):

* ``current``: the councils in the register today (``current = true``): 21 counties, 164 shire
  districts, 63 unitaries (with the Isles of Scilly), 36 metropolitan districts, 32 London
  boroughs and the City of London.
* ``lad2021``: the councils that existed at mid-2021 (alive on 30 June 2021 by the register's
  start and end dates): the geography of the population estimates and of the published CIPFA
  nearest-neighbour sets, with the Cumbria, North Yorkshire and Somerset districts and counties
  and without the 2023 unitaries.

How each figure is obtained (and labelled in ``population_basis`` / ``imd_basis``):

* Population (all ages, 0-17, 65+) is the ONS mid-year estimate for the council's own code when
  the hub has one for the year. Otherwise it is the SUM over its parts, if every part has a value:
  a county's districts in the same universe, or a 2023 unitary's predecessor districts
  (``place_successors``, relation ``merged_into``). A sum over parts with a gap stays missing.
* IoD2019 scores are the official File 10 district summary (LAD 2019) for the council's own code;
  else the third-party re-aggregation to 2023 districts (``imd2019_lad23.*``, not an official
  statistic); else, for counties, the population-weighted mean of their districts' scores
  (weights: mid-2019 population, the year nearest the IoD2019 population base that the hub holds,
  on the same LAD 2019 boundaries as File 10). File 10's district average is itself a
  population-weighted LSOA average, so this reproduces the method; it is labelled derived.
* The council tax base (2022: Band D equivalents and chargeable dwellings, ``ctb.*``) is the
  billing authority's own; a county's (or a 2023 unitary's) is the sum over its districts (or
  predecessor districts), if every one has a value.
* Area is mySociety's ``area_km2`` in the register: approximate (whole km², provenance
  undocumented), not an ONS measurement.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from wholeplace.errors import InputError
from wholeplace.hub.store import Store

UNIVERSES = ("current", "lad2021")
#: The day a council must be alive on to be in the ``lad2021`` universe.
LAD2021_DATE = date(2021, 6, 30)
#: Mid-years of population on LAD 2021 boundaries that the hub holds.
POPULATION_YEARS = (2020, 2021)
#: Population year used to weight district deprivation scores into a county score.
IMD_WEIGHT_YEAR = 2019

#: IoD2019 domains (as in indicator ids) -> the short variable name used here.
IMD_DOMAINS = {
    "imd": "imd_score",
    "income": "income_score",
    "employment": "employment_score",
    "education_skills_training": "education_score",
    "health_deprivation_disability": "health_score",
    "crime": "crime_score",
    "barriers_housing_services": "barriers_score",
    "living_environment": "living_environment_score",
}
IMD_EXTENT = "imd_extent"
#: Every deprivation variable, in order.
IMD_VARIABLES = (*IMD_DOMAINS.values(), IMD_EXTENT)
POPULATION_PARTS = {"population.all_ages": "pop", "population.age_0_17": "pop_0_17",
                    "population.age_65_plus": "pop_65_plus"}
#: The council tax base (2022, VOA / MHCLG CTB): Band D equivalents and chargeable dwellings.
TAX_BASE_YEAR = "2022"
TAX_BASE_PARTS = {"ctb.band_d_equivalents": "tax_base", "ctb.chargeable_dwellings": "dwellings"}
#: Counts a council without its own figure gets as the sum over its parts (all parts needed).
SUMMED = ("pop", "pop_0_17", "pop_65_plus", *TAX_BASE_PARTS.values())

#: The SQL condition (a fixed string, chosen from this allow-list) for each universe.
_UNIVERSE_WHERE = {
    "current": "p.current",
    "lad2021": "(p.start_date IS NULL OR p.start_date <= ?) "
               "AND (p.end_date IS NULL OR p.end_date > ?)",
}


@dataclass(frozen=True)
class CouncilContext:
    """One council's context figures. ``None`` means missing: never read it as zero."""

    code: str
    name: str
    la_type: str
    tier: str
    region: str | None
    parent_county: str | None
    area_km2: float | None
    values: dict[str, float | None]
    population_basis: str
    imd_basis: str | None


@dataclass
class ContextTable:
    universe: str
    year: int
    councils: list[CouncilContext] = field(default_factory=list)
    #: Models fitted on this table, by settings (filled by insight.groups.cached_models).
    fitted: dict = field(default_factory=dict, repr=False, compare=False)

    def by_code(self) -> dict[str, CouncilContext]:
        return {c.code: c for c in self.councils}


def _mapping_rows(year: int) -> tuple[str, list]:
    """A VALUES list (indicator id, period, variable) for the figures read, with its bindings."""
    rows: list[tuple[str, str, str]] = [
        (ind, f"mid-{year}", var) for ind, var in POPULATION_PARTS.items()]
    rows.append(("population.all_ages", f"mid-{IMD_WEIGHT_YEAR}", "weight_pop"))
    rows += [(ind, TAX_BASE_YEAR, var) for ind, var in TAX_BASE_PARTS.items()]
    for domain, var in IMD_DOMAINS.items():
        rows.append((f"imd2019.{domain}.average_score", "2019", f"off_{var}"))
        rows.append((f"imd2019_lad23.{domain}.average_score", "2019", f"l23_{var}"))
    rows.append(("imd2019.imd.extent", "2019", f"off_{IMD_EXTENT}"))
    rows.append(("imd2019_lad23.imd.extent", "2019", f"l23_{IMD_EXTENT}"))
    sql = ", ".join("(?, ?, ?)" for _ in rows)
    return sql, [v for r in rows for v in r]


def _raw_vars() -> list[str]:
    return ["pop", "pop_0_17", "pop_65_plus", "weight_pop", *TAX_BASE_PARTS.values(),
            *(f"{s}_{v}" for v in IMD_VARIABLES for s in ("off", "l23"))]


#: The statement: its slots hold SQL built only from the allow-lists above.
_TEMPLATE = """
    WITH councils AS (
        SELECT p.gss_code AS code, p.name, p.la_type, p.tier, p.region,
               p.parent_county_gss AS parent_county, p.area_km2
        FROM places p
        WHERE p.tier IN ('upper', 'lower', 'single') AND {alive}
    ),
    m(indicator_id, period, var) AS (VALUES {values_sql}),
    w AS (
        SELECT o.area_code AS code,
        {pivot}
        FROM current_observations o JOIN m USING (indicator_id, period)
        -- the list filter is pushed below the view's window (a join is not): only the rows
        -- of these indicators are ranked, however large the hub
        WHERE o.value IS NOT NULL AND list_contains(?, o.indicator_id)
        GROUP BY o.area_code
    ),
    parts AS (
        SELECT c.code, d.code AS part, 'districts' AS kind
        FROM councils c JOIN councils d ON d.parent_county = c.code AND d.tier = 'lower'
        WHERE c.tier = 'upper'
        UNION ALL
        SELECT c.code, s.old_code AS part, 'predecessor districts' AS kind
        FROM councils c
        JOIN place_successors s ON s.new_code = c.code AND s.relation = 'merged_into'
        JOIN places old ON old.gss_code = s.old_code AND old.tier = 'lower'
    ),
    own AS (
        SELECT w.code,
        {imd_own}
        FROM w
    ),
    derived_pop AS (
        SELECT pa.code, count(*) AS n_parts, any_value(pa.kind) AS kind,
        {sums}
        FROM parts pa LEFT JOIN w ON w.code = pa.part
        GROUP BY pa.code
    ),
    derived_imd AS (
        SELECT pa.code, count(*) AS n_parts,
        {means}
        FROM parts pa LEFT JOIN w ON w.code = pa.part LEFT JOIN own o ON o.code = pa.part
        WHERE pa.kind = 'districts'
        GROUP BY pa.code
    )
    SELECT c.*, {pick_pop}, {pick_ctb}, {pick_imd},
        CASE WHEN w.pop IS NOT NULL THEN 'published'
             WHEN d.pop IS NOT NULL THEN 'sum of ' || d.n_parts || ' ' || d.kind END
            AS population_basis,
        CASE WHEN w.off_imd_score IS NOT NULL THEN 'official'
             WHEN w.l23_imd_score IS NOT NULL THEN 'lad23'
             WHEN dm.imd_score IS NOT NULL THEN 'mean of ' || dm.n_parts || ' districts'
        END AS imd_basis
    FROM councils c
    LEFT JOIN w ON w.code = c.code
    LEFT JOIN own ON own.code = c.code
    LEFT JOIN derived_pop d ON d.code = c.code
    LEFT JOIN derived_imd dm ON dm.code = c.code
    ORDER BY c.code"""


def context_sql(universe: str, year: int) -> tuple[str, list]:
    """The statement that reads every council of ``universe`` with its figures, and its values.

    Pure. Identifiers come only from the allow-lists above; every value is bound with ``?``.
    """
    check_universe(universe, year)
    alive = _UNIVERSE_WHERE[universe]
    alive_params = [LAD2021_DATE, LAD2021_DATE] if universe == "lad2021" else []
    values_sql, values_params = _mapping_rows(year)
    pivot = ",\n            ".join(
        f"max(o.value) FILTER (WHERE m.var = '{v}') AS {v}" for v in _raw_vars())
    imd_own = ",\n            ".join(
        f"CASE WHEN w.off_imd_score IS NOT NULL THEN w.off_{v} ELSE w.l23_{v} END AS {v}"
        for v in IMD_VARIABLES)
    sums = ",\n            ".join(
        f"CASE WHEN count(*) = count(w.{v}) THEN sum(w.{v}) END AS {v}"
        for v in SUMMED)
    means = ",\n            ".join(
        f"CASE WHEN count(*) = count(w.weight_pop * o.{v}) "
        f"THEN sum(w.weight_pop * o.{v}) / sum(w.weight_pop) END AS {v}"
        for v in IMD_VARIABLES)
    pick_pop = ", ".join(
        f"CASE WHEN w.pop IS NOT NULL THEN w.{v} ELSE d.{v} END AS {v}"
        for v in ("pop", "pop_0_17", "pop_65_plus"))
    pick_ctb = ", ".join(
        f"CASE WHEN w.{v} IS NOT NULL THEN w.{v} ELSE d.{v} END AS {v}"
        for v in TAX_BASE_PARTS.values())
    pick_imd = ", ".join(
        f"CASE WHEN own.imd_score IS NOT NULL THEN own.{v} ELSE dm.{v} END AS {v}"
        for v in IMD_VARIABLES)
    sql = _TEMPLATE.format(alive=alive, values_sql=values_sql, pivot=pivot, imd_own=imd_own,
                           sums=sums, means=means, pick_pop=pick_pop, pick_ctb=pick_ctb,
                           pick_imd=pick_imd)
    indicators = sorted(set(values_params[0::3]))
    return sql, [*alive_params, *values_params, indicators]


def check_universe(universe: str, year: int) -> None:
    if universe not in UNIVERSES:
        raise InputError(f"Unknown universe {universe!r}: choose 'current' (today's councils) "
                         "or 'lad2021' (the councils of mid-2021, as in the CIPFA sets).")
    if year not in POPULATION_YEARS:
        raise InputError(f"The population year must be one of "
                         f"{', '.join(map(str, POPULATION_YEARS))} (the mid-year estimates on "
                         f"2021 boundaries that the hub holds), not {year!r}.")


def read_context(store: Store, universe: str = "current", year: int = 2021) -> ContextTable:
    """Every council of ``universe`` with its context figures for the mid-``year`` estimate."""
    sql, params = context_sql(universe, year)
    table = ContextTable(universe, year)
    for r in store.rows(sql, params):
        values = {v: _float(r[v]) for v in (*SUMMED, *IMD_VARIABLES)}
        table.councils.append(CouncilContext(
            code=r["code"], name=r["name"], la_type=r["la_type"], tier=r["tier"],
            region=r["region"], parent_county=r["parent_county"], area_km2=_float(r["area_km2"]),
            values=values, population_basis=r["population_basis"] or "missing",
            imd_basis=r["imd_basis"]))
    return table


def _float(value) -> float | None:
    return None if value is None else float(value)
