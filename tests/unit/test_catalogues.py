"""Every message of the translated pages has a Welsh translation, with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).parents[2]
PO = ROOT / "src/wholeplace/web/locales/cy/LC_MESSAGES/messages.po"
PLACEHOLDER = re.compile(r"%\([a-z_]+\)s|\{[a-z_]+\}")


def extracted() -> set[str]:
    with (ROOT / "babel.cfg").open() as fp:
        method_map, options_map = parse_mapping_cfg(fp)
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_message_is_in_welsh():
    with PO.open("rb") as fp:
        catalog = read_po(fp, locale="cy")
    translated = {m.id: m.string for m in catalog if m.id and m.string}
    wanted = extracted()
    assert len(wanted) > 40
    missing = sorted(wanted - set(translated))
    assert not missing, f"untranslated (run make catalogues-update, then translate): {missing}"
    for msgid in wanted:
        assert sorted(PLACEHOLDER.findall(msgid)) == sorted(
            PLACEHOLDER.findall(translated[msgid])), msgid
