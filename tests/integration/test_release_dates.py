"""Release dates in the source registry read from the published files themselves: RS 2017-18's
front page names the day its National Statistics release was published."""

from __future__ import annotations

import re
from datetime import date

from wholeplace.hub import registry as reg
from wholeplace.hub.loaders.workbook import read_sheet


def test_rs_2017_18_released_on_is_its_front_page_date(sources_dir):
    spec = reg.get_spec("rs_2017_18")
    path = reg.locate(spec, sources_dir)
    front = read_sheet(path, "Front Page")
    text = " ".join(str(c) for row in front for c in row if c not in (None, ""))
    found = re.search(r"was published on (\d{1,2} \w+ \d{4})", text)
    assert found and found.group(1) == "15 November 2018"
    assert spec.released_on == date(2018, 11, 15)


def test_an_rs_release_without_a_date_says_why():
    rs = [s for s in reg.registry().values() if s.loader == "rs_spreadsheet"]
    assert len(rs) >= 14
    undated = [s for s in rs if s.released_on is None]
    assert all("gives a publication date" in (s.notes or "") for s in undated)
    assert "rs_2017_18" not in {s.id for s in undated}
