"""A batch crosses the read-ahead worker's pipe as Arrow buffers out of band (no Python list of
every value), and the receiving side reads and checks it exactly as the batch that was read:
the same rows, the same first lines, the same refusals. Test values only."""

from __future__ import annotations

import io
import math
import pickle

import numpy as np

from wholeplace.hub.batch import LoadBatch, SourceInfo
from wholeplace.hub.catalogue import Indicator
from wholeplace.hub.periods import calendar_year, financial_year
from wholeplace.hub.read_worker import _receive, _send
from wholeplace.hub.validate import _check_indicators, _check_values

INDICATORS = {
    "t.share": Indicator(id="t.share", title="A share", unit="percent", polarity="neutral",
                         kind="outcome"),
    "t.count": Indicator(id="t.count", title="A count", unit="count", polarity="neutral",
                         kind="context"),
}


def _batch(rows: int = 3000) -> LoadBatch:
    source = SourceInfo(source_id="t", title="Test", file_name="t.csv", sha256="0" * 64, size=1,
                        loader="test", loader_version="1")
    batch = LoadBatch(source=source)
    obs = batch.observations
    for i in range(rows):
        year = financial_year(2015 + i % 5) if i % 2 else calendar_year(2015 + i % 5)
        obs.add("t.count", f"E0700{i:04d}", year, float(i), line=i + 2, column="value")
        obs.add("t.share", f"E0700{i:04d}", year, 40.0, numerator=20.0, denominator=50.0,
                line=None if i % 7 == 0 else i + 2, column="share")
    # refused: above 100%, NaN, a numerator above its denominator, an unknown indicator
    obs.add("t.share", "E06000001", calendar_year(2020), 120.0, line=9001, column="share")
    obs.add("t.count", "E06000001", calendar_year(2020), math.nan, line=9002)
    obs.add("t.share", "E06000002", calendar_year(2020), None, numerator=3.0, denominator=2.0,
            line=9003, note="fixture", status="missing")
    obs.add("t.unknown", "E06000002", calendar_year(2021), 1.0, line=9004)
    obs.add("t.unknown2", "E06000002", calendar_year(2021), 1.0)
    return batch.prepare()


def _through_the_pipe(message: object) -> tuple[object, int]:
    stream = io.BytesIO()
    _send(stream, message)
    size = len(stream.getvalue())
    stream.seek(0)
    return _receive(stream), size


def test_a_batch_crosses_as_arrow_and_reads_the_same():
    batch = _batch()
    (key, got), wire = _through_the_pipe((7, batch))
    assert key == 7 and isinstance(got, LoadBatch)
    sent, received = batch.observations, got.observations
    assert received._cols is None  # only the Arrow table came across
    assert len(received) == len(sent) == 6005
    assert received.indicator_ids() == sent.indicator_ids() == {
        "t.count", "t.share", "t.unknown", "t.unknown2"}
    assert received.first_lines() == sent.first_lines() == {
        "t.count": 2, "t.share": None, "t.unknown": 9004, "t.unknown2": None}
    names = ("indicator_id", "area_code", "value", "line", "note", "period_start")
    assert received.rows_at([1, 6000, 6003], names) == sent.rows_at([1, 6000, 6003], names)
    there, here = received.to_arrow(), sent.to_arrow()
    assert there.drop_columns(["value"]).equals(here.drop_columns(["value"]))
    assert np.array_equal(there["value"].to_numpy(), here["value"].to_numpy(), equal_nan=True)
    # the pickle itself is small: the values travel as Arrow buffers, not as objects
    header = len(pickle.dumps((7, batch), protocol=5, buffer_callback=lambda b: None))
    assert header < 20_000 < wire
    # and the lists come back on demand, equal to what the reader built
    got_cols = {k: v for k, v in received.cols.items() if k != "value"}
    sent_cols = {k: v for k, v in sent.cols.items() if k != "value"}
    assert got_cols == sent_cols
    assert [v for v in received.cols["value"] if v == v] == [
        v for v in sent.cols["value"] if v == v]  # NaN is not equal to itself


def test_the_received_batch_is_refused_as_the_batch_read():
    batch = _batch(200)
    received = _through_the_pipe(batch)[0]
    assert isinstance(received, LoadBatch)
    for check in (_check_values, _check_indicators):
        here = [(p.line, p.column, p.message) for p in check(batch, INDICATORS, "t.csv")]
        there = [(p.line, p.column, p.message) for p in check(received, INDICATORS, "t.csv")]
        assert here == there and here
    assert [p.line for p in _check_values(received, INDICATORS, "t.csv")] == [9001, 9002, 9003]
    assert [p.line for p in _check_indicators(received, INDICATORS, "t.csv")] == [9004, None]


def test_a_received_frame_can_still_be_added_to():
    received = _through_the_pipe(_batch(10))[0]
    assert isinstance(received, LoadBatch)
    frame = received.observations
    frame.add("t.count", "E06000003", calendar_year(2022), 5.0, line=42)
    assert len(frame) == 26 and frame.to_arrow().num_rows == 26
    assert frame.first_lines()["t.count"] == 2
    assert frame.rows_at([25], ("area_code", "line")) == [("E06000003", 42)]
