"""Loaders: pure functions ``read(path, source, options) -> LoadBatch``, one per file format.

The registry names a loader by key; the key maps to ``module:function`` here and is imported only
when used. Every workbook (.xls, .xlsx, .ods) is read through :mod:`.workbook` (python-calamine).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

from wholeplace.hub.batch import LoadBatch, SourceInfo

Reader = Callable[[Path, SourceInfo, dict], LoadBatch]

LOADERS: dict[str, str] = {
    "places.register": "wholeplace.places.register:read_register",
    "places.lsoa_lookup": "wholeplace.places.register:read_lsoa_lookup",
    "population": "wholeplace.hub.loaders.population:read",
    "population_mye23": "wholeplace.hub.loaders.population_mye:read_mye23",
    "population_mye22": "wholeplace.hub.loaders.population_mye:read_mye22",
    "imd_la": "wholeplace.hub.loaders.imd:read_la",
    "imd_la23": "wholeplace.hub.loaders.imd:read_la23",
    "imd_lsoa": "wholeplace.hub.loaders.imd:read_lsoa",
    "oflog_asc": "wholeplace.hub.loaders.oflog:read",
    "cipfa_nn": "wholeplace.hub.loaders.neighbours:read",
    "rs_spreadsheet": "wholeplace.hub.loaders.revenue_outturn:read_rs_spreadsheet",
    "ro_timeseries_csv": "wholeplace.hub.loaders.revenue_outturn:read_time_series_csv",
    "council_tax": "wholeplace.hub.loaders.council_tax:read",
    "council_taxbase": "wholeplace.hub.loaders.council_taxbase:read",
    "ra_spreadsheet": "wholeplace.hub.loaders.revenue_account:read_ra_spreadsheet",
    "ra_csv": "wholeplace.hub.loaders.revenue_account:read_ra_csv",
    "borrowing_investment": "wholeplace.hub.loaders.borrowing:read_borrowing_investment",
    "upload": "wholeplace.hub.loaders.upload:read",
    "gmca_unit_costs": "wholeplace.hub.loaders.unit_costs:read",
    "defra_waste": "wholeplace.hub.loaders.waste:read",
    "dft_roads": "wholeplace.hub.loaders.roads:read",
    "hclic": "wholeplace.hub.loaders.homelessness:read",
    "dfe_lait": "wholeplace.hub.loaders.lait:read",
    "ofsted_cs": "wholeplace.hub.loaders.ofsted:read",
    "mhclg_net_additions": "wholeplace.hub.loaders.housing:read_net_additions",
    "mhclg_hdt": "wholeplace.hub.loaders.housing:read_delivery_test",
    "mhclg_planning": "wholeplace.hub.loaders.housing:read_planning_decisions",
}

#: Bumped when a loader's output for the same file changes (recorded with every dataset). A file
#: loaded by an older version is read again on the next load, superseding the older dataset.
#: 2: the RS reader keeps combined authorities' and the GLA's rows.
#: 3: the register records a combined authority's former code as a split, not a recoding; CSV
#:    readers check encoding, row lengths, dates and booleans.
#: 4: the RS reader also loads Revenue Support Grant (line 851) and retained business rates
#:    (line 870) for every year, and reads the 2018-19 onward layouts (DSG reserves, form-cell
#:    codes, the detailed earmarked reserves from 2021-22).
#: 5: the RS reader adds the registry's caveats to the notes of values that were checked
#:    against the published file and kept as published (Oxford's and Plymouth's 2023-24
#:    reserves).
LOADER_VERSION = "5"


def get_reader(key: str) -> Reader:
    try:
        target = LOADERS[key]
    except KeyError:
        raise KeyError(f"no loader called {key!r}; known: {', '.join(sorted(LOADERS))}") from None
    module, func = target.split(":")
    return getattr(importlib.import_module(module), func)
