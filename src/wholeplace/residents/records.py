"""Showing a linked record to a person allowed to see it: the workspace keeps only pseudonyms,
so the record is read back from its registered extract (under its agreement, checked again) and
found by its keyed hash. Nothing read here is stored."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from wholeplace.residents.mapping import read_extract
from wholeplace.residents.privacy import Pseudonymiser
from wholeplace.residents.sources import Refresh, registered
from wholeplace.residents.workspace import Workspace

#: The fields shown for a record, in order, with their labels.
SHOWN = (("record_id", "Record id"), ("forename", "Forename"), ("middle_names", "Middle names"),
         ("surname", "Surname"), ("dob", "Date of birth"), ("sex", "Sex"),
         ("address", "Address"), ("postcode", "Postcode"), ("uprn", "UPRN"),
         ("nhs_number", "NHS number"), ("service_start", "Service from"),
         ("service_end", "Service to"))


def records_by_key(ws: Workspace, purpose: str, pseudonym: Pseudonymiser, keys: Collection[str],
                   sources: Collection[str], today: date,
                   refresh: Refresh = None) -> dict[str, dict[str, Any]]:
    """The standardised fields of each record in ``keys`` held in one of ``sources`` whose
    agreement is in force today (record key -> field -> value)."""
    wanted = set(keys)
    out: dict[str, dict[str, Any]] = {}
    for src in registered(ws, purpose, refresh):
        if src.source not in sources or src.authorisation.refusal(today, src.source):
            continue
        for record in read_extract(src.path, src.mapping, src.authorisation, today):
            key = pseudonym(record["unique_id"])
            if key in wanted:
                out[key] = {"source": src.source, **{f: record[f] for f, _ in SHOWN}}
    return out
