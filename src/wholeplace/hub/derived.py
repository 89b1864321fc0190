"""Derived measures, as SQL (pure strings; :mod:`wholeplace.hub.load` executes them).

Per head: every money value divided by the resident population of the same area. The population
is the ONS mid-year estimate for the year the period starts in (financial year 2019-20 uses
mid-2019); when that year is not loaded, the nearest loaded year within
:data:`MAX_POPULATION_GAP_YEARS` is used and the value's note says which. Further away than that
the per-head value stays missing rather than resting on a population from another decade.
"""

from __future__ import annotations

POPULATION_INDICATOR = "population.all_ages"

#: The furthest a population estimate's year may be from the period's year for per-head values.
MAX_POPULATION_GAP_YEARS = 3

PER_HEAD_DELETE_SQL = """
DELETE FROM observations
WHERE status = 'derived' AND indicator_id IN (
    SELECT indicator_id FROM indicators WHERE per_head_of IS NOT NULL)
"""

PER_HEAD_SQL = f"""
INSERT INTO observations
WITH money AS (
    SELECT o.*, i.unit
    FROM observations o
    JOIN indicators i USING (indicator_id)
    WHERE i.is_money AND i.per_head_of IS NULL AND i.unit <> 'gbp_per_head'
      AND o.value IS NOT NULL
),
pop AS (
    SELECT area_code, year(period_start) AS pop_year, value AS pop
    FROM current_observations
    WHERE indicator_id = '{POPULATION_INDICATOR}' AND period_type = 'mid_year'
      AND value > 0
),
ranked AS (
    SELECT m.*, p.pop_year, p.pop,
           row_number() OVER (
               PARTITION BY m.indicator_id, m.area_code, m.period, m.dataset_id
               ORDER BY abs(p.pop_year - year(m.period_start)), p.pop_year) AS rn
    FROM money m JOIN pop p ON p.area_code = m.area_code
    WHERE abs(p.pop_year - year(m.period_start)) <= $1
)
SELECT indicator_id || '.per_head', area_code, period, period_type, period_start, period_end,
       value * (CASE unit WHEN 'gbp_thousands' THEN 1000.0 ELSE 1.0 END) / pop,
       NULL, NULL, 'derived',
       'per head using the mid-' || pop_year || ' population estimate ('
           || CAST(CAST(pop AS BIGINT) AS VARCHAR) || ' people)'
           || CASE WHEN pop_year <> year(period_start)
                   THEN '; the nearest year loaded, not the same year' ELSE '' END,
       source_area_code, dataset_id
FROM ranked WHERE rn = 1
"""
