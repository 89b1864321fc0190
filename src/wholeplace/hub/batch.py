"""What a loader hands to the store: provenance, indicators, observations and reference tables.

Loaders are pure: they read a file and return a :class:`LoadBatch`. Only
:func:`wholeplace.hub.load.apply_batch` writes, inside one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from wholeplace.errors import ProblemLog
from wholeplace.hub.catalogue import Indicator
from wholeplace.hub.periods import Period

OBSERVATION_FIELDS = (
    "indicator_id", "area_code", "period", "period_type", "period_start", "period_end",
    "value", "numerator", "denominator", "status", "note", "source_area_code",
    "line", "column",
)


@dataclass
class SourceInfo:
    """Provenance of one loaded file (becomes a row of ``datasets``)."""

    source_id: str
    title: str
    file_name: str
    sha256: str
    size: int
    loader: str
    loader_version: str
    publisher: str | None = None
    licence: str | None = None
    url: str | None = None
    landing_page: str | None = None
    release: str | None = None
    released_on: date | None = None
    notes: str | None = None
    #: The organisation that gave an upload (GSS code or partner code); None for published data.
    owner_org: str | None = None
    #: "public", or "private" to its owner until published (see wholeplace.hub.visibility).
    visibility: str = "public"


class ObservationFrame:
    """A columnar buffer of observations (cheap to append, cheap to hand to DuckDB).

    A loader appends rows to Python lists (:attr:`cols`); :meth:`to_arrow` builds the Arrow
    table the store reads. A frame travels between processes as that Arrow table alone (see
    :mod:`wholeplace.hub.read_worker`), and the receiving side reads it through the Arrow
    helpers below (:meth:`indicator_ids`, :meth:`first_lines`, :meth:`rows_at`); its lists
    are built again from the table only if something asks for :attr:`cols`."""

    def __init__(self) -> None:
        self._cols: dict[str, list] | None = {name: [] for name in OBSERVATION_FIELDS}
        self._arrow: Any = None  # to_arrow()'s table, until the next add()

    @property
    def cols(self) -> dict[str, list]:
        """The columns as Python lists (built from the Arrow table if the frame came as one)."""
        if self._cols is None:
            self._cols = {name: self._arrow.column(name).to_pylist()
                          for name in OBSERVATION_FIELDS}
        return self._cols

    def add(self, indicator_id: str, area_code: str, period: Period, value: float | None, *,
            numerator: float | None = None, denominator: float | None = None,
            status: str | None = None, note: str | None = None,
            source_area_code: str | None = None, line: int | None = None,
            column: str | None = None) -> None:
        c = self.cols
        self._arrow = None
        c["indicator_id"].append(indicator_id)
        c["area_code"].append(area_code)
        c["period"].append(period.label)
        c["period_type"].append(period.type)
        c["period_start"].append(period.start)
        c["period_end"].append(period.end)
        c["value"].append(value)
        c["numerator"].append(numerator)
        c["denominator"].append(denominator)
        c["status"].append(status or ("published" if value is not None else "missing"))
        c["note"].append(note)
        c["source_area_code"].append(source_area_code or area_code)
        c["line"].append(line)
        c["column"].append(column)

    def __len__(self) -> int:
        if self._cols is None:
            return self._arrow.num_rows
        return len(self._cols["indicator_id"])

    def touch(self) -> None:
        """Say the columns were changed in place (the Arrow table is built again)."""
        self.cols  # noqa: B018 - the lists must exist before the table they came from goes
        self._arrow = None

    def to_arrow(self):
        """The observations as an Arrow table (built once; rebuilt after an add).

        Text columns are dictionary-encoded: a few hundred indicator ids, areas, periods and
        notes repeat over up to 600,000 rows (DfE LAIT), so the table is half the size of one
        string per cell, and DuckDB reads it as VARCHAR all the same."""
        if self._arrow is not None and self._arrow.num_rows == len(self):
            return self._arrow
        import pyarrow as pa

        types = {
            "period_start": pa.date32(), "period_end": pa.date32(), "value": pa.float64(),
            "numerator": pa.float64(), "denominator": pa.float64(), "line": pa.int64(),
        }
        text = pa.dictionary(pa.int32(), pa.string())
        arrays = {
            name: pa.array(values, type=types.get(name, text))
            for name, values in self.cols.items()
        }
        self._arrow = pa.table(arrays)
        return self._arrow

    def __getstate__(self) -> dict:
        """Pickled as the Arrow table alone: its buffers go out of band (protocol 5), so a
        batch crosses a pipe without a copy of every value as a Python object."""
        return {"arrow": self.to_arrow()}

    def __setstate__(self, state: dict) -> None:
        self._cols, self._arrow = None, state["arrow"]

    def indicator_ids(self) -> set[str]:
        """The distinct indicator ids."""
        if self._cols is not None:
            return set(self._cols["indicator_id"])
        return set(self._arrow.column("indicator_id").unique().to_pylist())

    def first_lines(self) -> dict[str, int | None]:
        """The line of each indicator's first row, in the order the indicators first appear."""
        if self._cols is not None:
            first: dict[str, int | None] = {}
            for ind, line in zip(self._cols["indicator_id"], self._cols["line"]):
                first.setdefault(ind, line)
            return first
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        column = self._arrow.column("indicator_id").combine_chunks().cast(pa.string())
        ids = pc.dictionary_encode(column, null_encoding="encode")  # first-seen order
        _, at = np.unique(ids.indices.to_numpy(zero_copy_only=False), return_index=True)
        lines = self._arrow.column("line").take(at).to_pylist()
        return dict(zip(ids.dictionary.to_pylist(), lines))

    def rows_at(self, positions: list[int], names: tuple[str, ...]) -> list[tuple]:
        """The values of columns ``names`` at row ``positions``."""
        if self._cols is not None:
            return [tuple(self._cols[n][at] for n in names) for at in positions]
        import pyarrow as pa

        picked = self._arrow.select(list(names)).take(pa.array(positions, pa.int64()))
        return list(zip(*(picked.column(n).to_pylist() for n in names)))


@dataclass
class Table:
    """Rows for a reference table that the load replaces wholesale."""

    columns: tuple[str, ...]
    rows: list[tuple]
    #: Replace only the rows matching these column values (e.g. one neighbour set), not all.
    scope: dict[str, str] = field(default_factory=dict)
    _arrow: Any = field(default=None, init=False, repr=False, compare=False)

    def to_arrow(self):
        """The rows as an Arrow table (built once: the rows are not changed after reading)."""
        import pyarrow as pa

        if self._arrow is None or self._arrow.num_rows != len(self.rows):
            self._arrow = pa.Table.from_pylist([dict(zip(self.columns, r)) for r in self.rows])
        return self._arrow


@dataclass
class LoadBatch:
    source: SourceInfo
    indicators: list[Indicator] = field(default_factory=list)
    observations: ObservationFrame = field(default_factory=ObservationFrame)
    tables: dict[str, Table] = field(default_factory=dict)
    #: Problems found while reading the file; the load is refused if there are any.
    problems: ProblemLog | None = None
    #: Plain-English notes for the person loading (e.g. rows deliberately skipped and why).
    messages: list[str] = field(default_factory=list)
    #: Whether observation area codes must be councils in the place register.
    check_areas: bool = True
    #: Whether indicators not in the store or this batch are an error (uploads: yes).
    require_known_indicators: bool = True
    #: Units stated in the file: (indicator id, unit, line, column), checked against the catalogue.
    declared_units: list[tuple[str, str, int | None, str | None]] = field(default_factory=list)

    def prepare(self) -> LoadBatch:
        """Build the Arrow tables the store will read (so that a worker process that read the
        file does it, not the process that writes)."""
        self.observations.to_arrow()
        for table in self.tables.values():
            if table.rows:
                table.to_arrow()
        return self

    @property
    def row_count(self) -> int:
        return len(self.observations) + sum(len(t.rows) for t in self.tables.values())
