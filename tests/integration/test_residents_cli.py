"""`wholeplace residents ...` end to end on a SYNTHETIC population; docs cover every option."""

import os
import re
from pathlib import Path

import typer.main
from typer.testing import CliRunner

from wholeplace.cli.main import app

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def run(tmp_path, *args):
    base = ["residents", "--workspace", str(tmp_path / "ws.duckdb"), "--keys",
            str(tmp_path / "keys")]
    return CliRunner().invoke(app, [*base, *args])


def test_generate_link_status_lookup_erase(tmp_path):
    out = run(tmp_path, "generate", "--out", str(tmp_path / "syn"), "--households", "250",
              "--register")
    assert out.exit_code == 0, out.output
    assert "SYNTHETIC council_tax" in out.output
    assert (tmp_path / "syn" / "SYNTHETIC-council_tax.csv").exists()
    out = run(tmp_path, "link", "--purpose", "prevention", "--json")
    assert out.exit_code == 0, out.output
    assert '"kind": "full"' in out.output
    out = run(tmp_path, "status", "--households", "--json")
    assert out.exit_code == 0 and '"suppressed"' in out.output
    out = run(tmp_path, "lookup", "--purpose", "prevention", "--source", "council_tax",
              "--record-id", "SYN-CT-00000001")
    assert out.exit_code == 0 and out.output.startswith("resident R"), out.output
    out = run(tmp_path, "erase", "--purpose", "prevention", "--source", "council_tax",
              "--record-id", "SYN-CT-00000001", "--reason", "request 1")
    assert out.exit_code == 0, out.output
    out = run(tmp_path, "lookup", "--purpose", "prevention", "--source", "council_tax",
              "--record-id", "SYN-CT-00000001")
    assert out.exit_code == 1 and "erased" in out.output


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
              str(tmp_path / "none.yaml"), "--agreement", "A", "--purpose", "prevention")
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
