"""Derived measures, as SQL (pure strings; :mod:`wholeplace.hub.load` executes them).

Per head: every money value divided by the resident population of the same area. The population
is the ONS mid-year estimate for the year the period starts in (financial year 2019-20 uses
mid-2019); when that year is not loaded, the nearest loaded year within
:data:`MAX_POPULATION_GAP_YEARS` is used and the value's note says which. Further away than that
the per-head value stays missing rather than resting on a population from another decade.

Combined authorities and the Greater London Authority have no published population estimate
of their own in the hub, so theirs is derived (:data:`AREA_POPULATION_SQL`): the sum of the
estimates of the lower- and single-tier council areas they cover for the same mid-year, and only
for a year in which every one of those areas has an estimate (otherwise that year is missing for
the body, never a partial sum). The areas covered are the current councils whose
``combined_authority_gss`` in the register is the body's code (for the GLA: the 32 London
boroughs and the City of London), plus the districts of a county council that is itself a member
(Cambridgeshire's five districts for the Cambridgeshire and Peterborough Combined Authority),
each counted once. The register gives today's membership, so a body whose membership changed is
summed over today's members.
Where the hub does hold an estimate of the body's own for a year (an upload for a year no
published source covers), that year uses it and the other years keep the derived sum.
"""

from __future__ import annotations

from wholeplace.hub.schema import NEWEST_FIRST_SQL

POPULATION_INDICATOR = "population.all_ages"

#: The furthest a population estimate's year may be from the period's year for per-head values.
MAX_POPULATION_GAP_YEARS = 3

PER_HEAD_DELETE_SQL = """
DELETE FROM observations
WHERE status = 'derived' AND indicator_id IN (
    SELECT indicator_id FROM indicators WHERE per_head_of IS NOT NULL)
"""

#: Body code -> each lower- or single-tier council area it covers (combined authorities, GLA).
BODY_AREAS_SQL = """
SELECT DISTINCT b.gss_code AS body_code, m.gss_code AS member
FROM places b
JOIN places m ON m.current AND m.tier IN ('lower', 'single')
LEFT JOIN places c ON c.gss_code = m.parent_county_gss
WHERE b.tier IN ('combined', 'strategic')
  AND (m.combined_authority_gss = b.gss_code OR c.combined_authority_gss = b.gss_code)
"""

#: The derived population of each combined authority and the GLA by mid-year: the sum over the
#: areas it covers, only where every one has an estimate that year (a CTE body for PER_HEAD_SQL).
AREA_POPULATION_SQL = """
SELECT a.body_code AS area_code, y.pop_year, sum(d.pop) AS pop,
       CAST(count(*) AS INTEGER) AS members
FROM body_areas a
CROSS JOIN (SELECT DISTINCT pop_year FROM direct) y
LEFT JOIN direct d ON d.area_code = a.member AND d.pop_year = y.pop_year
GROUP BY a.body_code, y.pop_year
HAVING count(d.pop) = count(*)
"""

#: Common table expressions ending in ``pop (area_code, pop_year, pop, members)``: every
#: published mid-year estimate (``members`` NULL) and every derived one of a combined authority
#: or the GLA (``members``: how many council areas were summed). The per-head values and
#: :mod:`wholeplace.insight.spend.wholeplace` both read populations through it.
POPULATION_CTES = f"""
direct AS (
    SELECT area_code, year(period_start) AS pop_year, value AS pop
    FROM current_observations
    WHERE indicator_id = '{POPULATION_INDICATOR}' AND period_type = 'mid_year'
      AND value > 0
),
body_areas AS ({BODY_AREAS_SQL}),
summed AS ({AREA_POPULATION_SQL}),
pop AS (
    SELECT area_code, pop_year, pop, CAST(NULL AS INTEGER) AS members FROM direct
    UNION ALL
    SELECT area_code, pop_year, pop, members FROM summed s
    WHERE NOT EXISTS (SELECT 1 FROM direct d
                      WHERE d.area_code = s.area_code AND d.pop_year = s.pop_year)
)"""

PER_HEAD_SQL = f"""
INSERT INTO observations
WITH money AS (
    SELECT o.*, i.unit
    FROM observations o
    JOIN indicators i USING (indicator_id)
    WHERE i.is_money AND i.per_head_of IS NULL AND i.unit <> 'gbp_per_head'
      AND i.per_head_twin
      AND o.value IS NOT NULL
      AND (CAST($2 AS INTEGER) IS NULL OR o.dataset_id = $2)
),
{POPULATION_CTES},
-- the population each (area, year) uses: the same mid-year, else the nearest within $1 years
-- (the earlier of two equally near); chosen once per area and year, not once per value
needed AS (SELECT DISTINCT area_code, year(period_start) AS y FROM money),
nearest AS (
    SELECT n.area_code, n.y, p.pop_year, p.pop, p.members
    FROM needed n JOIN pop p ON p.area_code = n.area_code
    WHERE abs(p.pop_year - n.y) <= $1
    QUALIFY row_number() OVER (PARTITION BY n.area_code, n.y
                               ORDER BY abs(p.pop_year - n.y), p.pop_year) = 1
),
ranked AS (
    SELECT m.*, p.pop_year, p.pop, p.members
    FROM money m JOIN nearest p ON p.area_code = m.area_code AND p.y = year(m.period_start)
)
SELECT indicator_id || '.per_head', area_code, period, period_type, period_start, period_end,
       value * (CASE unit WHEN 'gbp_thousands' THEN 1000.0 ELSE 1.0 END) / pop,
       NULL, NULL, 'derived',
       'per head using the mid-' || pop_year || ' population estimate ('
           || CAST(CAST(pop AS BIGINT) AS VARCHAR) || ' people'
           || CASE WHEN members IS NOT NULL
                   THEN ', the sum of the estimates of the ' || CAST(members AS VARCHAR)
                        || ' council areas it covers'
                   ELSE '' END || ')'
           || CASE WHEN pop_year <> year(period_start)
                   THEN '; the nearest year loaded, not the same year' ELSE '' END,
       source_area_code, dataset_id
FROM ranked
"""


#: Derived "% of net revenue expenditure" twins: ``<id>.pct_nre`` = 100 * ``<id>`` / the same
#: financial year's current ``rs.net_revenue_expenditure`` (NRE > 0 only), for every id whose
#: twin the catalogue declares. Recomputed, like the per-head values, after every load.
PCT_NRE_DELETE_SQL = """
DELETE FROM observations
WHERE status = 'derived' AND indicator_id LIKE '%.pct_nre'
"""

PCT_NRE_SQL = f"""
INSERT INTO observations
WITH twins AS (
    SELECT indicator_id AS twin, substr(indicator_id, 1, length(indicator_id) - 8) AS base
    FROM indicators WHERE indicator_id LIKE '%.pct_nre'
),
live AS (
    SELECT o.*, d.released_on, d.loaded_at
    FROM observations o JOIN datasets d USING (dataset_id)
    WHERE d.superseded_by IS NULL AND o.status <> 'derived' AND o.value IS NOT NULL
      AND (o.indicator_id = 'rs.net_revenue_expenditure'
           OR o.indicator_id IN (SELECT base FROM twins))
    QUALIFY row_number() OVER (PARTITION BY o.indicator_id, o.area_code, o.period
                               ORDER BY {NEWEST_FIRST_SQL}) = 1
)
SELECT t.twin, o.area_code, o.period, o.period_type, o.period_start, o.period_end,
       100.0 * o.value / n.value, NULL, NULL, 'derived',
       'percentage of the same year''s net revenue expenditure (RS line 805, '
           || CAST(CAST(round(n.value) AS BIGINT) AS VARCHAR) || ' £ thousand)',
       o.source_area_code, o.dataset_id
FROM twins t
JOIN live o ON o.indicator_id = t.base
JOIN live n ON n.area_code = o.area_code AND n.period = o.period
     AND n.indicator_id = 'rs.net_revenue_expenditure'
WHERE n.value > 0
"""
