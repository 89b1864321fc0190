"""Message catalogues (Babel) for the pages that are translated: English and Welsh.

The catalogues' source is ``locales/<lang>/LC_MESSAGES/messages.po`` (only .po files are in git).
``make catalogues`` compiles them to .mo with ``pybabel compile``; when a .mo is absent or older
than its .po, the .po is compiled in memory here, so a fresh checkout works without the step.
Extract and update with ``make catalogues-update`` (pybabel extract / update, see babel.cfg).
"""

from __future__ import annotations

import gettext
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

LOCALES = Path(__file__).parent / "locales"
TEMPLATES = Path(__file__).parent / "templates"
#: The languages the translated pages offer: code -> its own name.
LANGUAGES: dict[str, str] = {"en": "English", "cy": "Cymraeg"}
HTML_LANG = {"en": "en-GB", "cy": "cy"}
DEFAULT = "en"


def language(requested: str | None) -> str:
    """A supported language code (unknown or missing: English)."""
    return requested if requested in LANGUAGES else DEFAULT


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The catalogue for ``lang`` (English is the source language: no catalogue)."""
    if lang == DEFAULT:
        return NullTranslations()
    po = LOCALES / lang / "LC_MESSAGES" / "messages.po"
    mo = po.with_suffix(".mo")
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        with mo.open("rb") as fp:
            return Translations(fp, domain="messages")
    with po.open("rb") as fp:
        catalog = read_po(fp, locale=lang)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain="messages")


@cache
def environment(lang: str) -> Environment:
    """A Jinja2 environment with ``_``/``gettext`` bound to ``lang``'s catalogue."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      extensions=["jinja2.ext.i18n"])
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    return env


def gettext_for(lang: str) -> gettext.NullTranslations:
    return translations(language(lang))
