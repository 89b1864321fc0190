"""End-to-end linkage of a SYNTHETIC population with Splink 5 on DuckDB: quality against the
generator's truth, stable ids, review decisions, incremental records, erasure and retention."""

import csv
import shutil
from dataclasses import replace

import pytest

from wholeplace.residents import demo as demo_mod
from wholeplace.residents.incremental import run_incremental
from wholeplace.residents.link import LinkConfig, run_link
from wholeplace.residents.privacy import load_key
from wholeplace.residents.quality import evaluate
from wholeplace.residents.review import decide, queue
from wholeplace.residents.sources import erase, register
from wholeplace.residents.synthetic import REFERENCE_DATE
from wholeplace.residents.views import household_services, lookup
from wholeplace.residents.workspace import open_workspace

#: One worker runs this module, so its linked workspace is built once.
pytestmark = pytest.mark.xdist_group("residents-link")

PURPOSE = demo_mod.PURPOSE
TODAY = REFERENCE_DATE


@pytest.fixture(scope="module")
def linked(tmp_path_factory):
    folder = tmp_path_factory.mktemp("residents")
    built = demo_mod.build(folder, n_households=800, seed=2)
    key = load_key(built.key_dir, PURPOSE)
    with open_workspace(built.workspace) as ws:
        summary = run_link(ws, PURPOSE, key, LinkConfig(), TODAY)
    return built, key, summary


@pytest.fixture
def copy(linked, tmp_path):
    """A private copy of the linked workspace for a test that changes it."""
    built, key, _summary = linked
    path = tmp_path / "ws.duckdb"
    shutil.copy(built.workspace, path)
    return built, key, path


def truth_by_key(built, key):
    return {key(f"{s}:{r}"): person for (s, r), person in built.population.truth.items()}


def index_of(ws):
    return dict(ws.rows("SELECT record_key, resident_id FROM residents"))


def test_precision_and_recall_against_the_truth(linked):
    built, key, summary = linked
    quality = evaluate(summary.clusters, truth_by_key(built, key))
    assert summary.records == built.population.record_count()
    assert quality.precision >= 0.97, quality
    assert quality.recall >= 0.88, quality
    assert summary.deterministic_pairs > 0


def test_model_saved_with_the_run_and_no_raw_identifiers_at_rest(linked):
    built, _key, _ = linked
    with open_workspace(built.workspace) as ws:
        import json

        model = json.loads(ws.scalar("SELECT model FROM runs WHERE run_id = 1"))
        assert {c["output_column_name"] for c in model["comparisons"]} >= {"forename", "dob"}
        assert all(len(k) == 64 for (k,) in ws.rows("SELECT record_key FROM residents"))
    text = built.workspace.read_bytes()
    first = built.population.extracts["council_tax"][0]
    assert first["account_ref"].encode() not in text
    assert first["surname"].encode() not in text


def test_rerun_keeps_every_id(copy):
    _built, key, path = copy
    with open_workspace(path) as ws:
        before = index_of(ws)
        summary = run_link(ws, PURPOSE, key, LinkConfig(), TODAY)
        assert index_of(ws) == before
        assert summary.new_ids == 0 and summary.events == {"merge": 0, "split": 0, "removed": 0}


def _rewrite(path, rows):
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_added_changed_and_removed_records(copy):
    built, key, path = copy
    rows = [dict(r) for r in built.population.extracts["housing_benefit"]]
    removed, changed, source = rows[0], rows[1], rows[2]
    added = {**source, "claim_id": "SYN-HB-NEW-1", "first_name": source["first_name"] + "e"}
    changed["postcode"] = ""
    new_rows = [*rows[1:], added]
    extract = built.paths["housing_benefit"]
    _rewrite(extract, new_rows)
    with open_workspace(path) as ws:
        before = index_of(ws)
        register(ws, extract, demo_mod.synthetic_mapping("housing_benefit"),
                 demo_mod.DEMO_AUTHORISATION, TODAY)
        inc = run_incremental(ws, PURPOSE, key, LinkConfig(), TODAY)
        assert inc.records == 1
        after = index_of(ws)
        assert after[key("housing_benefit:SYN-HB-NEW-1")] == before[
            key(f"housing_benefit:{source['claim_id']}")]
        run_link(ws, PURPOSE, key, LinkConfig(), TODAY)
        final = index_of(ws)
        assert key(f"housing_benefit:{removed['claim_id']}") not in final
        changed_key = key(f"housing_benefit:{changed['claim_id']}")
        assert final[changed_key] == before[changed_key]
        kept = set(before) & set(final)
        moved = sum(before[k] != final[k] for k in kept)
        assert moved <= len(kept) * 0.01
    _rewrite(extract, built.population.extracts["housing_benefit"])


def test_review_decisions_are_respected_by_later_runs(copy):
    _built, key, path = copy
    with open_workspace(path) as ws:
        index = index_of(ws)
        pairs = ws.rows("SELECT a.record_key, b.record_key FROM residents a JOIN residents b "
                        "ON a.resident_id = b.resident_id AND a.record_key < b.record_key "
                        "WHERE a.resident_id IN (SELECT resident_id FROM residents GROUP BY 1 "
                        "HAVING count(*) = 2) ORDER BY 1 LIMIT 1")
        [(left, right)] = pairs
        from wholeplace.residents.link import pair_key

        ws.execute("INSERT INTO review_queue VALUES (?, ?, ?, 'x', 'y', 1.0, 0.7, '{}', 1)",
                   [pair_key(left, right), left, right])
        decide(ws, pair_key(left, right), "reject", "reviewer-1", {"x", "y"}, "different people")
        assert not [p for p in queue(ws, {"x", "y"}) if p.pair_key == pair_key(left, right)]
        summary = run_link(ws, PURPOSE, key, LinkConfig(), TODAY)
        after = index_of(ws)
        assert after[left] != after[right]
        assert summary.events["split"] == 1
        assert ws.scalar("SELECT count(*) FROM events WHERE kind = 'split'") == 1
        # accept a pair of two different residents: they merge on the next run
        other = next(k for k in sorted(index) if index[k] != index[left])
        ws.execute("INSERT INTO review_queue VALUES (?, ?, ?, 'x', 'y', 1.0, 0.7, '{}', 2)",
                   [pair_key(left, other), left, other])
        decide(ws, pair_key(left, other), "accept", "reviewer-1", {"x", "y"})
        run_link(ws, PURPOSE, key, LinkConfig(), TODAY)
        assert index_of(ws)[left] == index_of(ws)[other]
        with pytest.raises(ValueError, match="accept' or 'reject"):
            decide(ws, pair_key(left, other), "maybe", "reviewer-1", {"x", "y"})


def test_erasure_and_the_index_rederived_without_it(copy):
    built, key, path = copy
    record = built.population.extracts["adult_social_care"][0]["client_id"]
    with open_workspace(path) as ws:
        erase(ws, PURPOSE, key, "adult_social_care", record, "right to erasure request")
        erased = key(f"adult_social_care:{record}")
        assert erased not in index_of(ws)
        summary = run_link(ws, PURPOSE, key, LinkConfig(), TODAY)
        assert summary.dropped["erased"] == 1
        assert erased not in index_of(ws)
        with pytest.raises(LookupError):
            lookup(ws, key, "adult_social_care", record, demo_mod.SYSTEMS)


def test_retention_period_enforced_on_the_next_run(copy):
    built, key, path = copy
    mapping = demo_mod.synthetic_mapping("housing_benefit")
    mapping = mapping.model_copy(update={"retention_days": 365})
    ended = [r for r in built.population.extracts["housing_benefit"] if r["award_end"]]
    assert ended
    with open_workspace(path) as ws:
        register(ws, built.paths["housing_benefit"], mapping, demo_mod.DEMO_AUTHORISATION, TODAY)
        summary = run_link(ws, PURPOSE, key, LinkConfig(), TODAY)
        assert summary.dropped["retention"] > 0
        sources = {s for (s,) in ws.rows("SELECT source FROM residents")}
        assert "housing_benefit" in sources


def test_expired_agreement_stops_the_run(copy):
    _built, key, path = copy
    with open_workspace(path) as ws:
        ws.execute("UPDATE sources SET authorisation = json_merge_patch(authorisation, "
                   "'{\"ends_on\": \"2026-01-01\"}') WHERE source = 'council_tax'")
        with pytest.raises(ValueError, match="ended on 2026-01-01"):
            run_link(ws, PURPOSE, key, replace(LinkConfig()), TODAY)


def test_lookup_and_household_view(linked):
    built, key, _ = linked
    record = built.population.extracts["housing_benefit"][0]["claim_id"]
    with open_workspace(built.workspace) as ws:
        resident = lookup(ws, key, "housing_benefit", record, demo_mod.SYSTEMS)
        assert any(s.source == "housing_benefit" for s in resident.services)
        view = household_services(ws)
        entry = view["all"]
        assert entry["by_count"]["1"]["households"] >= 5
        assert all(c["households"] is None or c["households"] >= 5
                   for c in entry["combinations"])
        assert any(c["status"] == "suppressed" for c in entry["combinations"])
        by_area = household_services(ws, by_area=True)
        assert all(a.startswith("QZ") or a == "unknown" for a in by_area)
