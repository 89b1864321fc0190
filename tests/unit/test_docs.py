"""docs/cli.md documents every command and option, and every command's help has an example."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer.main

from wholeplace.cli.main import app

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def group():
    return typer.main.get_command(app)


def sections() -> dict[str, str]:
    """The text under each '## wholeplace NAME' heading of docs/cli.md."""
    text = DOC.read_text(encoding="utf-8")
    parts = re.split(r"^## wholeplace (\S+)\s*$", text, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2]))


def option_names(command) -> list[str]:
    names = []
    for param in command.params:
        longs = [o for o in param.opts if o.startswith("--")]
        names.extend(longs)
    return names


COMMANDS = sorted(group().commands)


def test_there_are_commands_to_document():
    assert {"load", "fetch", "place", "councils", "datasets", "indicators", "serve"} <= set(
        COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_and_option_is_documented(name):
    docs = sections()
    assert name in docs, f"docs/cli.md has no '## wholeplace {name}' section"
    command = group().commands[name]
    for option in option_names(command):
        if option == "--help":
            continue
        assert f"`{option}" in docs[name], f"{name} {option} is not documented in docs/cli.md"
    assert "Example" in docs[name]


def subcommands() -> list[tuple[str, str]]:
    return sorted((name, sub) for name, command in group().commands.items()
                  for sub in getattr(command, "commands", {}))


@pytest.mark.parametrize(("name", "sub"), subcommands())
def test_every_subcommand_and_option_is_documented(name, sub):
    docs = sections()
    assert f"wholeplace {name} {sub}" in docs[name], f"'{name} {sub}' is not in docs/cli.md"
    command = group().commands[name].commands[sub]
    for option in option_names(command):
        if option != "--help":
            assert f"`{option}" in docs[name], f"{name} {sub} {option} is not documented"
    help_text = command.help or ""
    assert f"Example: wholeplace {name}" in help_text


def test_no_documented_command_is_missing_from_the_cli():
    assert set(sections()) <= set(COMMANDS)


def test_global_options_are_documented():
    text = DOC.read_text(encoding="utf-8")
    for option in option_names(group()):
        assert f"`{option}" in text, f"global option {option} is not documented"


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_help_has_an_example(name):
    help_text = group().commands[name].help or ""
    assert f"Example: wholeplace {name}" in help_text


def test_every_service_rule_is_documented_in_services_md():
    from wholeplace.places.services import services

    text = (DOC.parent / "services.md").read_text(encoding="utf-8")
    for service in services():
        assert f"(`{service.id}`)" in text, f"service {service.id} is not in docs/services.md"
