"""Comparison columns kept between runs (a DPO's opt-in per purpose) on a SYNTHETIC population:
encrypted at rest, erasure and retention applied to them, off deletes them, a wrong key is
refused, an ended agreement stops the run, and incremental runs give the same clusters with the
option on as with it off while reading only the extracts that changed."""

import csv
import random
import shutil
import stat
from datetime import timedelta

import pyarrow as pa
import pytest

from wholeplace.errors import ConfigError, InputError
from wholeplace.residents import comparisons, synthetic
from wholeplace.residents import demo as demo_mod
from wholeplace.residents import sources as sources_mod
from wholeplace.residents.incremental import run_incremental
from wholeplace.residents.link import LinkConfig, run_link
from wholeplace.residents.privacy import Pseudonymiser, load_key
from wholeplace.residents.sources import erase, register
from wholeplace.residents.synthetic import REFERENCE_DATE
from wholeplace.residents.workspace import open_workspace

pytestmark = pytest.mark.xdist_group("residents-comparisons")

PURPOSE = demo_mod.PURPOSE
TODAY = REFERENCE_DATE
OWNER = demo_mod.FIXTURE_OWNER
SYSTEMS = ("council_tax", "electoral_register", "housing_benefit")


@pytest.fixture(scope="module")
def linked(tmp_path_factory):
    """A linked SYNTHETIC index (option off), built once; tests work on copies."""
    folder = tmp_path_factory.mktemp("kept")
    built = demo_mod.build(folder, n_households=300, seed=5, systems=SYSTEMS, today=TODAY)
    key = load_key(built.key_dir, PURPOSE)
    with open_workspace(built.workspace) as ws:
        run_link(ws, PURPOSE, key, LinkConfig(), TODAY)
    return built, key


@pytest.fixture
def copy(linked, tmp_path):
    built, key = linked
    path = tmp_path / "residents.duckdb"
    shutil.copy(built.workspace, path)
    return built, key, path


def keep(ws, on=True):
    return comparisons.decide(ws, PURPOSE, on, "dpo@fixture.example", OWNER, "DPIA approved")


def index_of(ws):
    return dict(ws.rows("SELECT record_key, resident_id FROM residents"))


def new_housing(built, folder, n=60, seed=5):
    """New SYNTHETIC housing records of the same population, as a new source's extract."""
    rows = synthetic.system_rows(random.Random(f"{seed}:housing"), "housing",
                                 built.population.households, {})[:n]
    path = folder / "SYNTHETIC-housing.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path, rows


def register_housing(ws, path):
    register(ws, path, demo_mod.synthetic_mapping("housing"), demo_mod.DEMO_AUTHORISATION, TODAY)


def kept_keys(folder, key):
    return {k for part in comparisons.load(folder, key).values()
            for k in part.table["record_key"].to_pylist()}


def plain(folder, key, source):
    return comparisons.plaintext(comparisons.file_for(folder, source), key, source)


def a_surname(built):
    return built.population.extracts["housing_benefit"][0]["last_name"].lower()


def test_same_clusters_with_the_option_on_and_off_reading_only_new_records(
        linked, tmp_path, monkeypatch):
    built, key = linked
    off, on = tmp_path / "off.duckdb", tmp_path / "on.duckdb"
    shutil.copy(built.workspace, off)
    shutil.copy(built.workspace, on)
    extract, rows = new_housing(built, tmp_path)
    with open_workspace(off) as ws:
        run_link(ws, PURPOSE, key, LinkConfig(), TODAY)
    with open_workspace(on) as ws:
        keep(ws)
        run_link(ws, PURPOSE, key, LinkConfig(), TODAY)  # a full run builds the file
        assert comparisons.path_for(on, PURPOSE).is_dir()
    results = {}
    read: list[str] = []
    real = sources_mod.read_extract_frame

    def counting(path, mapping, *args, **kwargs):
        read.append(mapping.source)
        return real(path, mapping, *args, **kwargs)

    monkeypatch.setattr(sources_mod, "read_extract_frame", counting)
    # and an extract that changed: one record gone, one added (a typo of another's forename)
    benefit = built.paths["housing_benefit"]
    original = benefit.read_bytes()
    claims = [dict(r) for r in built.population.extracts["housing_benefit"]]
    added = {**claims[2], "claim_id": "SYN-HB-NEW-1", "first_name": claims[2]["first_name"] + "e"}
    with benefit.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(claims[0]))
        writer.writeheader()
        writer.writerows([*claims[1:], added])
    try:
        for name, path in (("off", off), ("on", on)):
            with open_workspace(path) as ws:
                register_housing(ws, extract)
                read.clear()
                summary = run_incremental(ws, PURPOSE, key, LinkConfig(), TODAY)
                results[name] = (summary.records, summary.clusters, index_of(ws), sorted(read))
                assert not comparisons.path_for(path, PURPOSE).exists() or name == "on"
    finally:
        benefit.write_bytes(original)
    assert results["on"][2][key("housing_benefit:SYN-HB-NEW-1")] == results["on"][2][
        key(f"housing_benefit:{claims[2]['claim_id']}")]
    assert results["on"][0] == results["off"][0] == len(rows) + 1
    assert results["on"][1] == results["off"][1]  # the same clusters, record by record
    assert results["on"][2] == results["off"][2]  # the same index
    assert results["off"][3] == ["council_tax", "electoral_register", "housing",
                                 "housing_benefit"]
    assert results["on"][3] == ["housing", "housing_benefit"]  # only the new and changed
    assert len(set(results["on"][1].values())) < len(results["on"][1])  # some did link
    with open_workspace(on) as ws:  # nothing new: only the restored extract read again
        read.clear()
        assert run_incremental(ws, PURPOSE, key, LinkConfig(), TODAY).records == 0
        assert read == ["housing_benefit"]
        read.clear()
        again = run_incremental(ws, PURPOSE, key, LinkConfig(), TODAY)
        assert again.records == 0 and read == []
        gone = key("housing_benefit:SYN-HB-NEW-1")  # not in the restored extract: its
        # columns went with it; the index keeps it until the next full run, as without them
        assert set(index_of(ws)) - kept_keys(comparisons.path_for(on, PURPOSE), key) == {gone}


def test_encrypted_at_rest_and_refused_with_another_key(copy):
    built, key, path = copy
    with open_workspace(path) as ws:
        keep(ws)
        run_link(ws, PURPOSE, key, LinkConfig(), TODAY)
    folder = comparisons.path_for(path, PURPOSE)
    file = comparisons.file_for(folder, "housing_benefit")
    name = a_surname(built).encode()
    assert name in plain(folder, key, "housing_benefit")  # the name is kept...
    data = file.read_bytes()
    assert name not in data and name.upper() not in data  # ...but not readable at rest
    assert not any(name in p.read_bytes() for p in folder.iterdir())
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    with pytest.raises(Exception):  # noqa: B017 - not an Arrow (nor any) file without the key
        pa.ipc.open_stream(data).read_all()
    other = Pseudonymiser(PURPOSE, bytes(32))
    with pytest.raises(ConfigError, match="cannot be decrypted with the key of purpose"):
        comparisons.load(folder, other)
    with open_workspace(path) as ws, pytest.raises(ConfigError, match="cannot be decrypted"):
        run_incremental(ws, PURPOSE, other, LinkConfig(), TODAY)
    shutil.copy(file, comparisons.file_for(folder, "council_tax"))  # moved to another source
    with pytest.raises(ConfigError, match="or the file was altered"):
        comparisons.load(folder, key)
    altered = bytearray(data)
    altered[-1] ^= 1
    file.write_bytes(bytes(altered))
    with pytest.raises(ConfigError, match="or the file was altered"):
        comparisons.plaintext(file, key, "housing_benefit")


def test_erasure_removes_the_record_from_the_kept_columns_and_their_bytes(copy):
    built, key, path = copy
    record = built.population.extracts["housing_benefit"][0]["claim_id"]
    record_key = key(f"housing_benefit:{record}")
    folder = comparisons.path_for(path, PURPOSE)
    file = comparisons.file_for(folder, "housing_benefit")
    with open_workspace(path) as ws:
        keep(ws)
        run_link(ws, PURPOSE, key, LinkConfig(), TODAY)
        before = file.stat().st_ino
        assert record_key.encode() in plain(folder, key, "housing_benefit")
        erase(ws, PURPOSE, key, "housing_benefit", record, "right to erasure request")
        assert record_key not in kept_keys(folder, key)
        # the whole decrypted file, not only its live rows: no freed block keeps it
        assert record_key.encode() not in plain(folder, key, "housing_benefit")
        assert file.stat().st_ino != before  # a new file swapped in
        assert sorted(p.name for p in folder.iterdir()) == sorted(
            f"{s}.arrow.enc" for s in SYSTEMS)
        summary = run_incremental(ws, PURPOSE, key, LinkConfig(), TODAY)
        assert summary.records == 0  # not brought back as a new record
        assert record_key not in index_of(ws)


def test_retention_applies_to_the_kept_columns(copy):
    built, key, path = copy
    mapping = demo_mod.synthetic_mapping("housing_benefit").model_copy(
        update={"retention_days": 365})
    with open_workspace(path) as ws:
        register(ws, built.paths["housing_benefit"], mapping, demo_mod.DEMO_AUTHORISATION, TODAY)
        keep(ws)
        run_link(ws, PURPOSE, key, LinkConfig(), TODAY)
        folder = comparisons.path_for(path, PURPOSE)
        ends = comparisons.load(folder, key)["housing_benefit"].table.to_pandas()
        later = TODAY + timedelta(days=400)
        cutoff = later - timedelta(days=365)
        due = {k for k, e in zip(ends.record_key, ends.service_end, strict=True)
               if e is not None and e < cutoff}
        assert due
        summary = run_incremental(ws, PURPOSE, key, LinkConfig(), later)
        assert summary.dropped["retention"] == len(due)
        assert not kept_keys(folder, key) & due
        assert not any(k.encode() in plain(folder, key, "housing_benefit") for k in due)


def test_off_deletes_the_file_and_runs_read_the_extracts_again(copy):
    built, key, path = copy
    file = comparisons.path_for(path, PURPOSE)
    with open_workspace(path) as ws:
        keep(ws)
        run_link(ws, PURPOSE, key, LinkConfig(), TODAY)
        assert file.is_dir()
        keep(ws, on=False)
        assert not file.exists()
        assert comparisons.enabled(ws, PURPOSE) is None
        assert [d for (d,) in ws.rows("SELECT value FROM purpose_settings ORDER BY "
                                      "decided_at")] == [True, False]  # both kept
        extract, rows = new_housing(built, path.parent, n=20)
        register_housing(ws, extract)
        assert run_incremental(ws, PURPOSE, key, LinkConfig(), TODAY).records == len(rows)
        run_link(ws, PURPOSE, key, LinkConfig(), TODAY)
        assert not file.exists()


def test_decisions_need_a_reason_and_every_source_held(copy):
    _built, _key, path = copy
    with open_workspace(path) as ws:
        with pytest.raises(InputError, match="reason"):
            comparisons.decide(ws, PURPOSE, True, "dpo@fixture.example", OWNER, " ")
        with pytest.raises(InputError, match="held by E07000008"):
            comparisons.decide(ws, PURPOSE, True, "dpo@other.example", "E07000012", "DPIA")
        assert comparisons.decision(ws, PURPOSE) is None


@pytest.mark.parametrize(("change", "message", "run"), [
    ('{"ends_on": "2026-01-01"}', "ended on 2026-01-01", run_incremental),
    ('{"status": "revoked"}', "is 'revoked', not active", run_link),
], ids=["ended-incremental", "revoked-full"])
def test_a_lapsed_agreement_stops_the_run_and_its_kept_columns_are_deleted(
        copy, change, message, run):
    _built, key, path = copy
    with open_workspace(path) as ws:
        keep(ws)
        run_link(ws, PURPOSE, key, LinkConfig(), TODAY)
        ws.execute("UPDATE sources SET authorisation = json_merge_patch(authorisation, ?) "
                   "WHERE source = 'council_tax'", [change])
        folder = comparisons.path_for(path, PURPOSE)
        assert comparisons.file_for(folder, "council_tax").exists()
        with pytest.raises(ValueError, match=message):
            run(ws, PURPOSE, key, LinkConfig(), TODAY)
        # held under the lapsed agreement: deleted by the run that found it; the others stay
        assert not comparisons.file_for(folder, "council_tax").exists()
        assert comparisons.file_for(folder, "electoral_register").exists()


def test_cli_the_dpo_decides_audited_no_key_refused_off_deletes(tmp_path):
    from typer.testing import CliRunner

    from tests import residents_support as rs
    from tests.access_support import CAMBRIDGE, SOUTH_CAMBS
    from wholeplace.access import audit
    from wholeplace.appdb import make_engine, session_factory, upgrade
    from wholeplace.cli.main import app

    url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    engine = make_engine(url)
    upgrade(engine)
    ids = rs.seeded_engine(engine)
    workspace, keys = rs.build_index(engine, tmp_path, ids["councils"], households=60)
    base = ["residents", "--workspace", str(workspace), "--keys", str(keys)]

    def run(*args):
        return CliRunner().invoke(app, [*base, *args], env={"WHOLEPLACE_DATABASE_URL": url})

    decide = ["retain-comparisons", "prevention", "--reason", "DPIA 2026-11 approved"]
    dpo = ["--as", "dpo@cambridge.example", "--org", CAMBRIDGE]
    out = run(*decide, "--on", "--as", "caseworker@cambridge.example", "--org", CAMBRIDGE)
    assert out.exit_code == 1 and "may not retain_comparisons" in out.output, out.output
    out = run(*decide, "--on", "--as", "dpo@southcambs.example", "--org", SOUTH_CAMBS)
    assert out.exit_code == 1 and "held by" in out.output, out.output  # holds no source
    (keys / "prevention.key").rename(tmp_path / "away.key")
    out = run(*decide, "--on", *dpo)
    assert out.exit_code == 1 and "No key file for purpose 'prevention'" in out.output
    (tmp_path / "away.key").rename(keys / "prevention.key")
    file = comparisons.path_for(workspace, PURPOSE)
    out = run(*decide, "--on", *dpo)
    assert out.exit_code == 0 and "will be kept, encrypted" in out.output, out.output
    assert run("link", "--purpose", "prevention").exit_code == 0 and file.is_dir()
    assert "comparison columns kept (encrypted) for prevention" in run("status").output
    key_text = (keys / "prevention.key").read_text().strip()
    assert key_text not in out.output and not any(
        key_text.encode() in p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()
        and p.name != "prevention.key")
    # An erasure whose kept file cannot be rewritten (here: altered) is still recorded,
    # out of the index and audited; the message says so.
    extract = next((tmp_path / "extracts").glob("*council_tax*.csv"))
    with extract.open(encoding="utf-8") as f:
        record_id = next(csv.DictReader(f))["account_ref"]
    kept = comparisons.file_for(file, "council_tax")
    kept.write_bytes(kept.read_bytes()[:-1] + b"\0")
    out = run("erase", "--purpose", "prevention", "--source", "council_tax", "--record-id",
              record_id, "--reason", "right to erasure request", *dpo)
    assert out.exit_code == 1 and "The erasure is recorded" in out.output, out.output
    with session_factory(engine)() as s:
        assert any(e.action == "residents.erase" for e in audit.entries(s, CAMBRIDGE))
    with open_workspace(workspace) as ws:
        assert ws.scalar("SELECT count(*) FROM erasures") == 1
        # the purpose's sources moved away: the kept files must not be stranded
        ws.execute("UPDATE sources SET purpose = 'moved' WHERE purpose = 'prevention'")
    out = run(*decide, "--off", "--as", "dpo@southcambs.example", "--org", SOUTH_CAMBS)
    assert out.exit_code == 1 and file.exists(), out.output  # not the deciding organisation
    out = run(*decide, "--off", *dpo)
    assert out.exit_code == 0 and not file.exists(), out.output
    assert "comparison columns kept" not in run("status").output
    with session_factory(engine)() as s:
        entries = [e for e in audit.entries(s, CAMBRIDGE)
                   if e.action == "residents.retain_comparisons"]
    engine.dispose()
    assert [e.detail["on"] for e in entries] == [False, True]  # newest first
    assert all(e.actor == "dpo@cambridge.example" for e in entries)


def test_the_latest_decision_wins_even_when_the_clock_went_back(copy):
    _built, _key, path = copy
    with open_workspace(path) as ws:
        keep(ws, on=True)
        # the clocks went back an hour (October) between the two decisions
        ws.execute("UPDATE purpose_settings SET decided_at = decided_at + INTERVAL 1 HOUR")
        keep(ws, on=False)
        assert comparisons.enabled(ws, PURPOSE) is None
        assert not comparisons.decision(ws, PURPOSE).on


def test_a_source_too_large_for_one_encrypted_file_is_refused_clearly(copy, monkeypatch):
    _built, key, path = copy
    with open_workspace(path) as ws:
        keep(ws)
        run_link(ws, PURPOSE, key, LinkConfig(), TODAY)
    folder = comparisons.path_for(path, PURPOSE)
    before = comparisons.file_for(folder, "housing_benefit").read_bytes()
    part = comparisons.load(folder, key)["housing_benefit"]
    monkeypatch.setattr(comparisons, "_MOST", 100)  # the cryptography package's limit, scaled
    with pytest.raises(ConfigError, match="too large to keep its comparison columns"):
        comparisons.save(folder, key, "housing_benefit", part)
    assert comparisons.file_for(folder, "housing_benefit").read_bytes() == before
    assert not list(folder.glob("*.new"))
