"""`wholeplace admin` and `wholeplace audit` end to end on a real hub and SQLite app database:
every action audited, clear errors with exit status 1, never a traceback."""

from __future__ import annotations

import json
import sqlite3

import pytest
from typer.testing import CliRunner

from wholeplace.cli.main import app

CAMBRIDGE, SOUTH_CAMBS = "E07000008", "E07000012"


@pytest.fixture
def run(tmp_path, register_db):
    env = {"WHOLEPLACE_DATABASE_URL": f"sqlite:///{tmp_path / 'app.sqlite'}",
           "WHOLEPLACE_DB": str(register_db), "WHOLEPLACE_ENV": "production",
           "WHOLEPLACE_SECRET_KEY": "a-test-secret-that-is-long-enough-1234567"}
    runner = CliRunner()

    def invoke(*args: str, code: int = 0) -> str:
        result = runner.invoke(app, list(args), env=env)
        assert "Traceback" not in result.output
        assert result.exit_code == code, result.output
        return result.output

    invoke("db", "upgrade")
    invoke.db = tmp_path / "app.sqlite"  # type: ignore[attr-defined]
    return invoke


def test_organisations_people_roles_and_agreements(run):
    first = run("admin", "org", "sync")
    assert "councils in the register:" in first and " 0 added" not in first
    assert "0 added, 0 renamed" in run("admin", "org", "sync")
    councils = json.loads(run("admin", "org", "list", "--type", "council", "--json"))
    assert {"code": CAMBRIDGE, "name": "Cambridge", "type": "council", "areas": [CAMBRIDGE],
            "demonstration": False} in councils
    assert f"{len(councils)} councils in the register" in first
    run("admin", "org", "add", "cpca-hub", "--name", "Subregional hub", "--type", "hub",
        "--area", f"{CAMBRIDGE},{SOUTH_CAMBS}")
    run("admin", "org", "add", "cp-icb", "--name", "Care board <script>", "--type", "icb",
        "--area", CAMBRIDGE)
    orgs = json.loads(run("admin", "org", "list", "--type", "hub", "--json"))
    assert orgs == [{"code": "cpca-hub", "name": "Subregional hub", "type": "hub",
                     "areas": [CAMBRIDGE, SOUTH_CAMBS], "demonstration": False}]
    assert "/reset-password/" in run("admin", "user", "add", "dpo@cambridge.example",
                                     "--name", "City DPO")
    run("admin", "user", "add", "dpo@icb.example", "--name", "ICB DPO")
    run("admin", "grant", "dpo@cambridge.example", CAMBRIDGE, "data_protection_officer")
    run("admin", "grant", "dpo@icb.example", "cp-icb", "data_protection_officer")
    out = run("admin", "agreement", "add", "--title", "Discharge", "--purpose", "Plan support",
              "--party", CAMBRIDGE, "--party", "cp-icb", "--item", "dataset:upload-1",
              "--basis", "public_task", "--article9", "h", "--start", "2026-01-01",
              "--end", "2030-12-31")
    assert "Agreement 1 recorded (awaiting approval)" in out
    refused = run("admin", "agreement", "approve", "1", "--org", "cp-icb", "--by",
                  "dpo@cambridge.example", code=1)
    assert "must be that party's data protection officer" in refused
    run("admin", "agreement", "approve", "1", "--org", CAMBRIDGE, "--by",
        "dpo@cambridge.example")
    assert "it is active" in run("admin", "agreement", "approve", "1", "--org", "cp-icb",
                                 "--by", "dpo@icb.example")
    listed = json.loads(run("admin", "agreement", "list", "--json"))
    assert listed[0]["status"] == "active" and listed[0]["article9_condition"] == "h"
    run("admin", "agreement", "revoke", "1", "--reason", "Done")
    run("admin", "revoke", "dpo@icb.example", "cp-icb", "data_protection_officer")
    run("admin", "user", "disable", "dpo@icb.example")
    assert "https://wp.example/reset-password/" in run(
        "admin", "reset-link", "dpo@cambridge.example", "--base-url", "https://wp.example")
    users = json.loads(run("admin", "user", "list", "--json"))
    assert {u["email"]: u["disabled"] for u in users} == {"dpo@icb.example": True,
                                                           "dpo@cambridge.example": False}
    actions = [e["action"] for e in json.loads(run("audit", "list", "--limit", "100",
                                                    "--json"))]
    for action in ("org.sync", "org.add", "user.add", "role.grant", "agreement.add",
                   "agreement.approve", "agreement.revoke", "role.revoke", "user.disable",
                   "user.reset_link"):
        assert action in actions
    assert "intact" in run("audit", "verify")


def test_clear_errors_exit_1(run):
    assert "no account for" in run("admin", "grant", "x@example.org", CAMBRIDGE, "viewer",
                                   code=1)
    run("admin", "user", "add", "x@example.org", "--name", "X")
    assert "no organisation with code 'nowhere'" in run("admin", "grant", "x@example.org",
                                                        "nowhere", "viewer", code=1)
    run("admin", "org", "sync")
    assert "Unknown role 'boss'" in run("admin", "grant", "x@example.org", CAMBRIDGE, "boss",
                                        code=1)
    assert "already exists" in run("admin", "user", "add", "X@example.org", "--name", "X",
                                   code=1)
    assert "not a date" in run("admin", "agreement", "add", "--title", "T", "--purpose", "P",
                               "--party", "a1", "--party", "b2", "--item", "dataset:x",
                               "--basis", "public_task", "--start", "2026-13-01",
                               "--end", "2027-01-01", code=1)
    assert "no agreement 9" in run("admin", "agreement", "revoke", "9", "--reason", "x",
                                   code=1)


def test_audit_verify_names_edited_and_deleted_entries(run):
    run("admin", "org", "add", "cp-icb", "--name", "ICB", "--type", "icb")
    for n in range(3):
        run("admin", "user", "add", f"u{n}@example.org", "--name", f"User {n}")
    with sqlite3.connect(run.db) as c:
        c.execute("UPDATE audit_entries SET actor = 'someone else' WHERE seq = 2")
        c.execute("DELETE FROM audit_entries WHERE seq = 3")
    out = run("audit", "verify", code=1)
    assert "entry 2 (seq 2): edited" in out
    assert "entry 4 (seq 4): seq 3 deleted" in out
    report = json.loads(run("audit", "verify", "--json", code=1))
    assert report["intact"] is False and {b["entry_id"] for b in report["breaks"]} == {2, 4}


def test_audit_verify_with_a_recorded_head_detects_the_newest_entries_deleted(run):
    for n in range(3):
        run("admin", "user", "add", f"u{n}@example.org", "--name", f"User {n}")
    head = json.loads(run("audit", "verify", "--json"))["head"]
    seq = int(head.split(":")[0])
    assert f"Head: {head}" in run("audit", "verify")
    assert "from the recorded head on" in run("audit", "verify", "--head", head)
    with sqlite3.connect(run.db) as c:  # the newest entries go: the chain alone stays whole
        c.execute("DELETE FROM audit_entries WHERE seq >= ?", (seq - 1,))
    assert "intact" in run("audit", "verify")
    out = run("audit", "verify", "--head", head, code=1)
    assert f"seq {seq}: the recorded head is missing" in out
    assert "not an audit head" in run("audit", "verify", "--head", "12:zz", code=1)


def test_audit_verify_with_a_recorded_head_detects_a_rewritten_trail(run):
    run("admin", "user", "add", "u@example.org", "--name", "User")
    head = json.loads(run("audit", "verify", "--json"))["head"]
    seq = int(head.split(":")[0])
    with sqlite3.connect(run.db) as c:  # the newest entry's hash recomputed over a new value
        c.execute("UPDATE audit_entries SET hash = ? WHERE seq = ?", ("0" * 64, seq))
    out = run("audit", "verify", "--head", head, code=1)
    assert f"seq {seq}): not the entry recorded as the head" in out


def test_demo_only_in_development_and_its_password_only_works_there(run, tmp_path,
                                                                      register_db):
    refused = run("admin", "demo", code=1)
    assert "development only" in refused
    runner = CliRunner()
    env = {"WHOLEPLACE_DATABASE_URL": f"sqlite:///{run.db}", "WHOLEPLACE_DB": str(register_db),
           "WHOLEPLACE_ENV": "development",
           "WHOLEPLACE_SECRET_KEY": "a-test-secret-that-is-long-enough-1234567"}
    out = runner.invoke(app, ["admin", "demo"], env=env)
    assert out.exit_code == 0, out.output
    assert "DEMONSTRATION ONLY" in out.output and "hub-admin@demo.invalid" in out.output
    assert runner.invoke(app, ["admin", "demo"], env=env).exit_code == 0  # idempotent

    from wholeplace.access import demo, signin
    from wholeplace.appdb import make_engine, session_factory

    engine = make_engine(f"sqlite:///{run.db}")
    with session_factory(engine)() as s:
        with pytest.raises(signin.SignInError, match="not right"):
            signin.authenticate(s, "dpo.cambridge@demo.invalid", demo.DEMO_PASSWORD, None)
        user = signin.authenticate(s, "dpo.cambridge@demo.invalid", demo.DEMO_PASSWORD, None,
                                   allow_demonstration=True)
        assert signin.actor_of(user, None).demonstration
    engine.dispose()
