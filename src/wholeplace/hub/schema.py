"""The data hub's tables. Pure: this module only returns SQL text.

Periods are typed (type, start, end); observations keep numerators and denominators; every row
knows the dataset (file, release, publisher) it came from, so a newer release of a source can
supersede an older one while the older values stay queryable ("as published on ...").
"""

from __future__ import annotations

#: 2: indicators.interval ("auto" | "none"); a hub file of version 1 gains the column when it is
#: next opened writable (see :data:`MIGRATIONS`).
SCHEMA_VERSION = "2"

TABLES: dict[str, str] = {
    "meta": """
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)""",
    "datasets": """
        CREATE TABLE IF NOT EXISTS datasets (
            dataset_id INTEGER PRIMARY KEY,
            source_id TEXT NOT NULL,
            title TEXT NOT NULL,
            publisher TEXT,
            licence TEXT,
            url TEXT,
            landing_page TEXT,
            release TEXT,
            released_on DATE,
            file_name TEXT NOT NULL,
            file_sha256 TEXT NOT NULL,
            file_size BIGINT NOT NULL,
            loader TEXT NOT NULL,
            loader_version TEXT NOT NULL,
            loaded_at TIMESTAMP NOT NULL,
            row_count INTEGER NOT NULL,
            superseded_by INTEGER,
            notes TEXT
        )""",
    "indicators": """
        CREATE TABLE IF NOT EXISTS indicators (
            indicator_id TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            unit TEXT NOT NULL,
            polarity TEXT NOT NULL
                CHECK (polarity IN ('higher_is_better', 'lower_is_better', 'neutral')),
            kind TEXT NOT NULL CHECK (kind IN ('outcome', 'output', 'input', 'context')),
            definition TEXT,
            source TEXT,
            theme TEXT,
            value_min DOUBLE,
            value_max DOUBLE,
            is_money BOOLEAN NOT NULL,
            per_head_of TEXT,
            interval TEXT NOT NULL DEFAULT 'auto' CHECK (interval IN ('auto', 'none'))
        )""",
    "observations": """
        CREATE TABLE IF NOT EXISTS observations (
            indicator_id TEXT NOT NULL,
            area_code TEXT NOT NULL,
            period TEXT NOT NULL,
            period_type TEXT NOT NULL,
            period_start DATE NOT NULL,
            period_end DATE NOT NULL,
            value DOUBLE,
            numerator DOUBLE,
            denominator DOUBLE,
            status TEXT NOT NULL
                CHECK (status IN ('published', 'missing', 'suppressed', 'derived')),
            note TEXT,
            source_area_code TEXT,
            dataset_id INTEGER NOT NULL
        )""",
    "places": """
        CREATE TABLE IF NOT EXISTS places (
            gss_code TEXT PRIMARY KEY,
            la_code TEXT,
            name TEXT NOT NULL,
            official_name TEXT NOT NULL,
            la_type TEXT NOT NULL,
            tier TEXT NOT NULL
                CHECK (tier IN ('upper', 'lower', 'single', 'combined', 'strategic')),
            current BOOLEAN NOT NULL,
            start_date DATE,
            end_date DATE,
            parent_county_gss TEXT,
            region TEXT,
            combined_authority_gss TEXT,
            dluhc_ecode TEXT,
            area_km2 DOUBLE,
            dataset_id INTEGER NOT NULL
        )""",
    "place_successors": """
        CREATE TABLE IF NOT EXISTS place_successors (
            old_code TEXT NOT NULL,
            new_code TEXT NOT NULL,
            relation TEXT NOT NULL CHECK (relation IN ('recoded', 'merged_into', 'split_into')),
            effective_date DATE,
            note TEXT,
            dataset_id INTEGER NOT NULL
        )""",
    "lsoas": """
        CREATE TABLE IF NOT EXISTS lsoas (
            lsoa11_code TEXT PRIMARY KEY,
            la_gss_code TEXT NOT NULL,
            county_gss_code TEXT,
            dataset_id INTEGER NOT NULL
        )""",
    "lsoa_deprivation": """
        CREATE TABLE IF NOT EXISTS lsoa_deprivation (
            lsoa11_code TEXT NOT NULL,
            domain TEXT NOT NULL,
            decile INTEGER NOT NULL,
            rank INTEGER NOT NULL,
            dataset_id INTEGER NOT NULL
        )""",
    "neighbour_sets": """
        CREATE TABLE IF NOT EXISTS neighbour_sets (
            set_id TEXT NOT NULL,
            area_code TEXT NOT NULL,
            neighbour_code TEXT NOT NULL,
            position INTEGER,
            dataset_id INTEGER NOT NULL
        )""",
    "unit_costs": """
        CREATE TABLE IF NOT EXISTS unit_costs (
            cost_code TEXT,
            sheet TEXT NOT NULL,
            line INTEGER NOT NULL,
            outcome_category TEXT,
            outcome_detail TEXT,
            description TEXT,
            unit TEXT,
            agency TEXT,
            agency_detail TEXT,
            fiscal_value DOUBLE,
            fiscal_price_year TEXT,
            fiscal_value_uprated DOUBLE,
            economic_value DOUBLE,
            economic_price_year TEXT,
            economic_value_uprated DOUBLE,
            social_value DOUBLE,
            social_price_year TEXT,
            social_value_uprated DOUBLE,
            uprated_to TEXT,
            source TEXT,
            rag TEXT CHECK (rag IN ('R', 'A', 'G')),
            comment TEXT,
            revision TEXT,
            revision_note TEXT,
            flags TEXT,
            dataset_id INTEGER NOT NULL
        )""",
}

#: The one release order, over columns of ``datasets``: a release's effective date is its
#: release date, or the day it was loaded when the release date is unknown; ties go to the later
#: dataset. Used by current_observations, by load._supersede and by
#: queries.observations_as_published, so "newest" means the same everywhere.
EFFECTIVE_ON_SQL = "coalesce(released_on, CAST(loaded_at AS DATE))"
NEWEST_FIRST_SQL = f"{EFFECTIVE_ON_SQL} DESC, dataset_id DESC"

VIEWS: dict[str, str] = {
    # The value a reader sees today: from datasets that no newer release of the same source has
    # superseded; where two live sources give the same cell, the newest release wins.
    "current_observations": f"""
        CREATE OR REPLACE VIEW current_observations AS
        SELECT o.*, d.source_id, d.released_on
        FROM observations o JOIN datasets d USING (dataset_id)
        WHERE d.superseded_by IS NULL
        QUALIFY row_number() OVER (
            PARTITION BY o.indicator_id, o.area_code, o.period
            ORDER BY {NEWEST_FIRST_SQL}) = 1""",
}

#: ``unit_costs``: the GMCA Unit Cost Database, one row per cost line (values as published, in
#: their own price year and uprated by the workbook to ``uprated_to``).

#: Tables that a loader may replace wholesale (reference tables rather than observations).
REPLACEABLE = ("places", "place_successors", "lsoas", "lsoa_deprivation", "neighbour_sets",
               "unit_costs")


#: Columns added after a table was first released, so hub files created earlier gain them when
#: opened writable. Idempotent: each runs after the CREATE TABLE statements. (DuckDB cannot add
#: a NOT NULL column with IF NOT EXISTS, so the constraint is set in a second statement.)
MIGRATIONS: tuple[str, ...] = (
    "ALTER TABLE indicators ADD COLUMN IF NOT EXISTS interval TEXT DEFAULT 'auto'",
    "UPDATE indicators SET interval = 'auto' WHERE interval IS NULL",
    "ALTER TABLE indicators ALTER COLUMN interval SET NOT NULL",
    "ALTER TABLE indicators ADD COLUMN IF NOT EXISTS per_head_twin BOOLEAN DEFAULT TRUE",
    "UPDATE indicators SET per_head_twin = TRUE WHERE per_head_twin IS NULL",
)


def create_statements() -> list[str]:
    """Every statement that makes a store current: tables, migrations of older files, views."""
    return [*TABLES.values(), *MIGRATIONS, *VIEWS.values()]


def table_columns(ddl: str) -> list[str]:
    """Column names of a CREATE TABLE statement, in order (for INSERT column lists)."""
    body = ddl[ddl.index("(") + 1: ddl.rindex(")")]
    cols = []
    for chunk in _split_top_level(body):
        name = chunk.strip().split()[0]
        if name.upper() not in {"PRIMARY", "UNIQUE", "CHECK", "FOREIGN", "CONSTRAINT"}:
            cols.append(name)
    return cols


def _split_top_level(body: str) -> list[str]:
    parts: list[str] = []
    cur: list[str] = []
    depth = 0
    for ch in body:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    if "".join(cur).strip():
        parts.append("".join(cur))
    return parts
