"""An upload's money values get per-head twins from its own rows, and nothing else is rewritten."""

from __future__ import annotations

from wholeplace.hub.uploads import load_file

META = """\
# Test fixture metadata (illustrative values, not real data).
- id: fixture.spend
  title: "Example indicator (illustrative values): spend"
  unit: gbp_thousands
  theme: finance
"""


def test_an_upload_gets_per_head_values_and_leaves_the_rest_alone(loaded_copy, tmp_path):
    store = loaded_copy
    derived_before = store.scalar("SELECT count(*) FROM observations WHERE status = 'derived'")
    meta = tmp_path / "meta.yaml"
    meta.write_text(META, encoding="utf-8")
    data = tmp_path / "spend.csv"
    data.write_text("area_code,period,indicator_id,value\nE07000008,2022-23,fixture.spend,1000\n",
                    encoding="utf-8")
    load_file(store, data, source_id="fixture_spend", metadata=meta)
    pop = store.scalar("SELECT value FROM current_observations WHERE area_code = 'E07000008' "
                       "AND indicator_id = 'population.all_ages' AND period = 'mid-2022'")
    per_head = store.row("SELECT value, note FROM current_observations WHERE area_code = "
                         "'E07000008' AND indicator_id = 'fixture.spend.per_head'")
    assert per_head is not None and per_head["value"] == 1000 * 1000.0 / pop
    assert "mid-2022" in per_head["note"]
    derived_after = store.scalar("SELECT count(*) FROM observations WHERE status = 'derived'")
    assert derived_after == derived_before + 1
