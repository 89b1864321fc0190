"""Values checked against the published RS 2023-24 workbook and kept as published, with a
caveat: Oxford's reserves at 31 March 2024 (all 0) and Plymouth's unallocated reserves
(-64,632 £ thousand at both 1 April 2023 and 31 March 2024)."""

from __future__ import annotations

from python_calamine import CalamineWorkbook

from wholeplace.hub import registry as reg
from wholeplace.hub.batch import ObservationFrame
from wholeplace.hub.load import read_registered
from wholeplace.hub.loaders.revenue_outturn import CAVEAT_PREFIX, add_caveats
from wholeplace.hub.periods import financial_year
from wholeplace.insight.early_warning import resilience

OXFORD, PLYMOUTH = "E07000178", "E06000026"


def _cells(sources_dir, ecode: str) -> dict[str, object]:
    """The published row of one council, by the column codes of the header row."""
    path = sources_dir / reg.get_spec("rs_2023_24").path
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(
        "RS_LA_Data_2023-24").to_python(skip_empty_area=False)
    codes = rows[6]
    row = next(r for r in rows if r[0] == ecode)
    return dict(zip(codes, row))


def _values(batch, area: str) -> dict[str, tuple]:
    c = batch.observations.cols
    return {ind: (v, n) for ind, a, v, n in zip(c["indicator_id"], c["area_code"], c["value"],
                                                 c["note"]) if a == area}


def test_the_loader_reads_the_published_cells_and_adds_the_caveats(register_store,
                                                                   sources_dir):
    batch = read_registered(reg.get_spec("rs_2023_24"), sources_dir, register_store)
    oxford, plymouth = _values(batch, OXFORD), _values(batch, PLYMOUTH)
    published_ox, published_ply = _cells(sources_dir, "E3132"), _cells(sources_dir, "E1101")
    # as published: numbers, not blanks read as 0
    assert published_ox["RS-resunall-end-cy"] == 0 and published_ox["RS-resoth-end-cy"] == 0
    assert published_ox["RS-resoth-start-cy"] == 59014
    assert published_ply["RS-resunall-end-cy"] == published_ply["RS-resunall-start-cy"] == -64632
    assert oxford["rs.reserves.unallocated.end"][0] == 0.0
    assert oxford["rs.reserves.other_earmarked.end"][0] == 0.0
    assert oxford["rs.reserves.other_earmarked.start"][0] == 59014.0
    assert plymouth["rs.reserves.unallocated.end"][0] == -64632.0
    assert plymouth["rs.reserves.unallocated.start"][0] == -64632.0
    # the caveat is on the values it is about, and no others
    assert all(CAVEAT_PREFIX in (n or "") for i, (_, n) in oxford.items() if i.endswith(".end")
               and i.startswith("rs.reserves."))
    assert CAVEAT_PREFIX not in (oxford["rs.reserves.other_earmarked.start"][1] or "")
    assert "Oxford" in oxford["rs.reserves.unallocated.end"][1]
    assert "Plymouth" in plymouth["rs.reserves.unallocated.end"][1]
    assert CAVEAT_PREFIX not in (plymouth["rs.reserves.other_earmarked.end"][1] or "")
    noted = {a for a, n in zip(batch.observations.cols["area_code"],
                               batch.observations.cols["note"]) if CAVEAT_PREFIX in (n or "")}
    assert noted == {OXFORD, PLYMOUTH}
    assert any(m.startswith("Caveat added to 2 values of E06000026") for m in batch.messages)


def test_a_caveat_that_matches_no_value_is_reported():
    frame = ObservationFrame()
    frame.add("rs.reserves.unallocated.end", OXFORD, financial_year(2023), 0.0)
    messages = add_caveats(frame, [
        {"area": PLYMOUTH, "indicators": ["rs.reserves.*"], "note": "Looks wrong."},
        {"area": OXFORD, "indicators": ["rs.reserves.*.end"], "note": "Check it."}], "f.xlsx")
    assert "matches no value in the file" in messages[0]
    assert frame.cols["note"] == [CAVEAT_PREFIX + "Check it."]
    assert frame.to_arrow().column("note").to_pylist() == [CAVEAT_PREFIX + "Check it."]


def test_the_early_warning_lists_the_caveats_beside_the_flags(loaded_store):
    councils = {c["code"]: c for c in resilience.flags(loaded_store, 2024)}
    assert any("Plymouth's 2023-24 return" in n for n in councils[PLYMOUTH]["caveats"])
    assert any("Oxford's 2023-24 return" in n for n in councils[OXFORD]["caveats"])
    assert all(not n.startswith(CAVEAT_PREFIX) for n in councils[OXFORD]["caveats"])
    others = [c for code, c in councils.items() if code not in (OXFORD, PLYMOUTH)]
    assert others and not any(c["caveats"] for c in others)
    # before 2023-24 was published there is nothing to caveat
    early = {c["code"]: c for c in resilience.flags(loaded_store, 2023)}
    assert early[PLYMOUTH]["caveats"] == []
