"""`wholeplace consult import|export|publish|close|demo` on the real hub and a SQLite app
database: stored, round-tripped, idempotent, clear errors with exit 1."""

from __future__ import annotations

import pytest
import yaml
from typer.testing import CliRunner

from tests.consult_support import EXAMPLE
from wholeplace.appdb import make_engine, session_factory
from wholeplace.cli.main import app
from wholeplace.consult import load_definition, loads_definition
from wholeplace.consult import store as cs


@pytest.fixture
def run(tmp_path, loaded_db):
    url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    env = {"WHOLEPLACE_DATABASE_URL": url, "WHOLEPLACE_DB": str(loaded_db),
           "WHOLEPLACE_ENV": "production",
           "WHOLEPLACE_SECRET_KEY": "a-test-secret-that-is-long-enough-1234567"}
    runner = CliRunner()

    def invoke(*args: str, code: int = 0) -> str:
        result = runner.invoke(app, list(args), env=env)
        assert "Traceback" not in result.output
        assert result.exit_code == code, result.output
        return result.output

    invoke("db", "upgrade")
    invoke.url = url  # type: ignore[attr-defined]
    invoke.hub = loaded_db  # type: ignore[attr-defined]
    return invoke


def test_import_export_publish_close(run):
    refused = run("consult", "import", str(EXAMPLE), "--org", "E06000031", code=1)
    assert "no organisation" in refused
    run("admin", "org", "sync")
    out = run("consult", "import", str(EXAMPLE), "--org", "E06000031", "--slug", "pb")
    assert "'pb' (draft, version 1)" in out and "/consult/pb" in out
    assert "already exists" in run("consult", "import", str(EXAMPLE), "--org", "E06000031",
                                   "--slug", "pb", code=1)
    exported = run("consult", "export", "pb")
    assert loads_definition(exported) == load_definition(EXAMPLE)
    assert yaml.safe_load(run("consult", "export", "pb", "--json"))["council_code"] == "E06000031"
    assert "not published" in run("consult", "close", "pb", code=1)
    assert "Published /consult/pb" in run("consult", "publish", "pb")
    assert "Closed /consult/pb" in run("consult", "close", "pb")
    assert "no consultation 'nope'" in run("consult", "export", "nope", code=1)


def test_demo_is_real_marked_and_idempotent(run):
    first = run("consult", "demo")
    assert "DEMONSTRATION consultation created and published: /consult/peterborough-demo" in first
    assert "already there" in run("consult", "demo")
    engine = make_engine(run.url)
    with session_factory(engine)() as s:
        row = cs.get(s, "peterborough-demo")
        c = cs.definition_of(row)
    engine.dispose()
    assert row.status == "published" and row.demonstration and c.demonstration
    assert row.org_code == "E06000031" and row.privacy_notice.startswith("DEMONSTRATION")
    assert c.title.startswith("DEMONSTRATION") and "not a Peterborough" in c.introduction
    # Real lines from the hub, each with its source and indicator; the gap 2% of their total.
    assert c.lines and all(x.indicator and x.budget_source for x in c.lines)
    total = sum(x.current_budget for x in c.lines)
    assert abs(c.target.amount - total * 2 / 100) <= 50_000
    assert c.council_tax is not None and "CTR" in c.council_tax.band_d_source
    asc = next(x for x in c.lines if x.id == "adult_social_care")
    assert asc.protection is not None and "Demonstration" in asc.protection.reason
    # public health linked to the worked falls example, marked as an illustration, and the
    # model prices from the hub's Unit Cost Database: a £75,000 programme a year
    ph = next(x for x in c.lines if x.id == "public_health")
    assert ph.prevention is not None and ph.prevention.model == "falls_strength_balance"
    assert ph.prevention.mapping == "proportional" and "ILLUSTRATION" in ph.description
    from wholeplace.budget import unit_costs
    from wholeplace.consult import later
    from wholeplace.hub.store import open_store

    with open_store(run.hub, read_only=True) as store:
        profile = later.resolve("falls_strength_balance",
                                lambda code, kind: unit_costs.unit_cost(store, code, kind))
    assert profile.programme == 75_000 and profile.price_base == "2015-16"
    assert {f.partner for f in profile.partners} == {"icb", "adult_social_care"}
