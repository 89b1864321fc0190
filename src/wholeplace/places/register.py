"""Readers for the place register and the LSOA lookup (pure: file in, batch out)."""

from __future__ import annotations

from pathlib import Path

from wholeplace.errors import ProblemLog
from wholeplace.hub.batch import LoadBatch, SourceInfo, Table
from wholeplace.hub.loaders.csvutil import parse_bool, parse_date, parse_number, read_csv_rows

#: The register's authority types, mapped to the tier they sit in.
TIERS = {
    "county council": "upper",
    "shire district": "lower",
    "unitary": "single",
    "Isles of Scilly": "single",
    "metropolitan district": "single",
    "London borough": "single",
    "City of London": "single",
    "combined authority": "combined",
    "strategic authority (GLA)": "strategic",
}

PLACE_COLUMNS = ("gss_code", "la_code", "name", "official_name", "la_type", "tier", "current",
                 "start_date", "end_date", "parent_county_gss", "region",
                 "combined_authority_gss", "dluhc_ecode", "area_km2")
SUCCESSOR_COLUMNS = ("old_code", "new_code", "relation", "effective_date", "note")

REGISTER_REQUIRED = ("gss_code", "official_name", "nice_name", "la_type", "current",
                     "replaced_by_gss", "parent_county_gss", "region", "combined_authority_gss",
                     "former_gss_codes", "dluhc_ecode", "end_date")


def _codes(text: str) -> list[str]:
    return [c.strip() for c in text.split(";") if c.strip()]


def _former_codes(r: dict, code: str, tier: str) -> list[tuple]:
    """Successor rules for the codes the register lists as this authority's former codes.

    A council's former code is the same authority with the same area, re-issued: ``recoded``,
    so values published under it are read as today's code. A combined authority's area is its
    members' areas, and the register gives a new code when the membership changes (E47000005,
    the seven-council North East Combined Authority, became E47000010 with four members when
    three left in 2018 to form the North of Tyne Combined Authority): its former code is a
    different area, so it is recorded as ``split_into`` and its values are never moved to the
    new code.
    """
    name = r["nice_name"].strip()
    rules = []
    for old in _codes(r["former_gss_codes"]):
        if tier == "combined":
            note = (f"{old} is a former code of the {r['official_name'].strip()} from before "
                    f"its membership changed; the register gives {code} as its later code, "
                    f"which covers a different area (today's members only), so values "
                    f"published under {old} are not read as {code}'s")
            rules.append((old, code, "split_into", None, note))
        else:
            rules.append((old, code, "recoded", None,
                          f"{name} was given a new GSS code; same authority"))
    return rules


def read_register(path: Path, source: SourceInfo, options: dict) -> LoadBatch:
    log = ProblemLog(source.file_name)
    rows = read_csv_rows(path, REGISTER_REQUIRED, log)
    places, successors, seen = [], [], set()
    for line, r in rows:
        code = r["gss_code"].strip()
        if code in seen:
            log.add(f"The GSS code {code} appears twice.", line, "gss_code")
        seen.add(code)
        tier = TIERS.get(r["la_type"])
        if tier is None:
            log.add(f"Unknown authority type {r['la_type']!r}.", line, "la_type")
            continue
        current = parse_bool(r["current"], log, line, "current")
        ended = parse_date(r["end_date"], log, line, "end_date")
        places.append((
            code, r.get("la_code") or None, r["nice_name"].strip(), r["official_name"].strip(),
            r["la_type"], tier, current,
            parse_date(r.get("start_date"), log, line, "start_date"), ended,
            r["parent_county_gss"] or None, r["region"] or None,
            r["combined_authority_gss"] or None, r["dluhc_ecode"] or None,
            parse_number(r.get("area_km2_mysociety"), log, line, "area_km2_mysociety"),
        ))
        successors += _former_codes(r, code, tier)
        new = _codes(r["replaced_by_gss"])
        relation = "merged_into" if len(new) == 1 else "split_into"
        for successor in new:
            note = (f"{r['nice_name']} was abolished; its area is now served by {successor}"
                    if relation == "merged_into" else
                    f"{r['nice_name']} was split between {', '.join(new)}: its values cannot be "
                    "assigned to one successor")
            successors.append((code, successor, relation, ended, note))
    return LoadBatch(
        source=source,
        tables={"places": Table(PLACE_COLUMNS, places),
                "place_successors": Table(SUCCESSOR_COLUMNS, successors)},
        problems=log, check_areas=False,
        messages=[(f"{sum(1 for p in places if p[6])} current authorities, "
                  f"{sum(1 for p in places if not p[6])} former, "
                  f"{len(successors)} successor rules")],
    )


def read_lsoa_lookup(path: Path, source: SourceInfo, options: dict) -> LoadBatch:
    log = ProblemLog(source.file_name)
    rows = read_csv_rows(path, ("lsoa11_code", "la_gss_code", "county_gss_code"), log)
    out, seen = [], set()
    for line, r in rows:
        code = r["lsoa11_code"].strip()
        if not code.startswith("E01"):
            log.add(f"{code!r} is not an English 2011 LSOA code (E01...).", line, "lsoa11_code")
        if code in seen:
            log.add(f"The LSOA {code} appears twice.", line, "lsoa11_code")
        seen.add(code)
        out.append((code, r["la_gss_code"].strip(), r["county_gss_code"].strip() or None))
    return LoadBatch(source=source,
                     tables={"lsoas": Table(("lsoa11_code", "la_gss_code", "county_gss_code"),
                                            out)},
                     problems=log, check_areas=False,
                     messages=[f"{len(out)} LSOAs"])
