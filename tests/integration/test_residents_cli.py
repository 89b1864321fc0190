"""`wholeplace residents ...` end to end on a SYNTHETIC population; docs cover every option."""

import os
import re
from pathlib import Path

import pytest
import typer.main
import yaml
from typer.testing import CliRunner

from tests import residents_support as rs
from tests.access_support import CAMBRIDGE, SOUTH_CAMBS
from wholeplace.access import audit
from wholeplace.appdb import make_engine, session_factory, upgrade
from wholeplace.cli.main import app
from wholeplace.residents.synthetic import MAPPINGS

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def run(tmp_path, *args, env=None):
    base = ["residents", "--workspace", str(tmp_path / "ws.duckdb"), "--keys",
            str(tmp_path / "keys")]
    return CliRunner().invoke(app, [*base, *args], env=env)


@pytest.fixture
def appdb(tmp_path):
    """A seeded application database (people, two agreements) the CLI is pointed at."""
    url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    engine = make_engine(url)
    upgrade(engine)
    ids = rs.seeded_engine(engine)
    engine.dispose()
    return {"WHOLEPLACE_DATABASE_URL": url}, ids


def test_register_link_status_lookup_review_erase_as_people(tmp_path, appdb):
    env, ids = appdb
    out = run(tmp_path, "generate", "--out", str(tmp_path / "syn"), "--households", "250")
    assert out.exit_code == 0, out.output
    assert "SYNTHETIC council_tax" in out.output
    assert run(tmp_path, "key", "prevention").exit_code == 0
    mapping = tmp_path / "ct.yaml"
    mapping.write_text(yaml.safe_dump({"source": "council_tax", "label": "SYNTHETIC ct",
                                       **MAPPINGS["council_tax"]}), encoding="utf-8")
    extract = str(tmp_path / "syn" / "SYNTHETIC-council_tax.csv")
    common = ["--mapping", str(mapping), "--purpose", "prevention"]
    out = run(tmp_path, "register", extract, *common, "--agreement", ids["icb"], env=env)
    assert out.exit_code == 1 and "--as EMAIL --org CODE" in out.output
    out = run(tmp_path, "register", extract, *common, "--agreement", ids["icb"], "--as",
              "caseworker@cambridge.example", "--org", CAMBRIDGE, env=env)
    assert out.exit_code == 1 and "data protection officer" in out.output, out.output
    for system in ("council_tax", "housing_benefit", "electoral_register"):
        path = tmp_path / f"{system}.yaml"
        path.write_text(yaml.safe_dump({"source": system, "label": f"SYNTHETIC {system}",
                                        **MAPPINGS[system]}), encoding="utf-8")
        out = run(tmp_path, "register", str(tmp_path / "syn" / f"SYNTHETIC-{system}.csv"),
                  "--mapping", str(path), "--purpose", "prevention", "--agreement", ids["icb"],
                  "--as", "dpo@cambridge.example", "--org", CAMBRIDGE, env=env)
        assert out.exit_code == 0, out.output
    out = run(tmp_path, "link", "--purpose", "prevention", "--json", env=env)
    assert out.exit_code == 0, out.output
    assert '"kind": "full"' in out.output
    analyst = ["--as", "analyst@cambridge.example", "--org", CAMBRIDGE]
    out = run(tmp_path, "status", "--households", "--purpose", "prevention", "--json",
              *analyst, env=env)
    assert out.exit_code == 0 and '"suppressed"' in out.output, out.output
    caseworker = ["--as", "caseworker@cambridge.example", "--org", CAMBRIDGE]
    lookup = ["lookup", "--purpose", "prevention", "--source", "council_tax", "--record-id",
              "SYN-CT-00000001"]
    out = run(tmp_path, *lookup, *analyst, env=env)
    assert out.exit_code == 1 and "may not lookup" in out.output, out.output
    out = run(tmp_path, *lookup, "--as", "caseworker@southcambs.example", "--org",
              SOUTH_CAMBS, env=env)
    assert out.exit_code == 1 and "agreement between the councils" in out.output
    out = run(tmp_path, *lookup, *caseworker, env=env)
    assert out.exit_code == 0 and out.output.startswith("resident R"), out.output
    out = run(tmp_path, "erase", "--purpose", "prevention", "--source", "council_tax",
              "--record-id", "SYN-CT-00000001", "--reason", "request 1",
              "--as", "dpo@cambridge.example", "--org", CAMBRIDGE, env=env)
    assert out.exit_code == 0, out.output
    out = run(tmp_path, *lookup, *caseworker, env=env)
    assert out.exit_code == 1 and "erased" in out.output
    out = run(tmp_path, "review", "0" * 32, "--decision", "accept", "--purpose", "prevention",
              "--as", "reviewer@cambridge.example", "--org", CAMBRIDGE, env=env)
    assert out.exit_code == 1 and "No pair" in out.output
    engine = make_engine(env["WHOLEPLACE_DATABASE_URL"])
    with session_factory(engine)() as s:
        actions = [e.action for e in audit.entries(s, CAMBRIDGE)]
    engine.dispose()
    assert actions.count("residents.lookup") == 1 and "residents.register" in actions
    assert "residents.erase" in actions


def test_refusals_are_messages_not_tracebacks(tmp_path):
    out = run(tmp_path, "link", "--purpose", "prevention")
    assert out.exit_code == 1 and "No key file for purpose 'prevention'" in out.output
    assert run(tmp_path, "key", "prevention").exit_code == 0
    os.chmod(tmp_path / "keys" / "prevention.key", 0o604)
    out = run(tmp_path, "link", "--purpose", "prevention")
    assert out.exit_code == 1 and "readable or writable by every user" in out.output
    out = run(tmp_path, "lookup", "--source", "council_tax", "--record-id", "x")
    assert out.exit_code != 0 and "--purpose" in out.output
    out = run(tmp_path, "register", str(tmp_path / "none.csv"), "--mapping",
              str(tmp_path / "none.yaml"), "--agreement", "1", "--purpose", "prevention")
    assert out.exit_code == 1 and "Cannot read the mapping file" in out.output
    assert "Traceback" not in out.output


def test_every_residents_subcommand_and_option_is_documented():
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## wholeplace residents", 1)[1]
    group = typer.main.get_command(app).commands["residents"]
    for name, command in group.commands.items():
        assert f"### wholeplace residents {name}" in section, name
        part = re.split(r"^### ", section.split(f"### wholeplace residents {name}", 1)[1],
                        flags=re.M)[0]
        for param in command.params:
            for opt in param.opts:
                if opt.startswith("--") and opt != "--help":
                    assert f"`{opt}" in part, f"residents {name} {opt} is not documented"
        assert "Example: wholeplace residents" in (command.help or "")
    for param in group.params:
        for opt in param.opts:
            if opt.startswith("--") and opt != "--help":
                assert f"`{opt}" in section
