"""The place profile for the web: one cached :func:`build_profile` per (code, group, what the
reader can see), and the context the page template needs (the charts as SVG beside the same
data).

:class:`ProfileCache` keeps the most recent profiles in memory (least recently used out), keyed
by the store's data version, which includes the private datasets the reader may see: every
public reader (and every one without private data) shares one entry; a reader who sees private
data gets its own; a load, a publication or a share changes the key, so it shows at once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from fastapi import Request
from markupsafe import Markup

from wholeplace.hub.store import Store
from wholeplace.insight.profile.build import OUTCOME_KINDS, build_profile
from wholeplace.insight.profile.sentences import format_number
from wholeplace.report.charts import VERDICT_WORDS, profile_charts
from wholeplace.report.scene import to_svg

MAX_CACHED = 256
NOT_AVAILABLE = "Not available"


def cell(value: float | None, unit: str | None) -> str:
    """A number for a table cell: short, in its unit ("£229", "38.7%"); missing stays missing."""
    if value is None:
        return NOT_AVAILABLE
    return format_number(value, unit).removesuffix(" per head")


class ProfileCache:
    """Profiles by (data version and scope, code, group), built once each (thread-safe,
    bounded)."""

    def __init__(self, size: int = MAX_CACHED):
        self.size = size
        self._items: OrderedDict[tuple[tuple, str, str], dict] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, store: Store, code: str, group: str) -> dict:
        key = (store.data_version(), code.strip().upper(), group)
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        profile = build_profile(store, key[1], group)
        with self._lock:
            self._items[key] = profile
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return profile


def cache(request: Request) -> ProfileCache:
    state = request.app.state
    if getattr(state, "profiles", None) is None:
        state.profiles = ProfileCache()
    return state.profiles


def profile(request: Request, store: Store, code: str, group: str) -> dict:
    return cache(request).get(store, code, group)


def page_context(data: dict, code: str, group: str) -> dict[str, Any]:
    """The template context: the profile, its charts as SVG, and the download links."""
    charts = profile_charts(data)
    query = f"?group={group}"
    base = f"/council/{code}/profile"
    return {
        "title": f"{data['council']['name']}: place profile", "p": data,
        "spine_svg": Markup(to_svg(charts["spine"])) if charts["spine"] else None,
        "funnel_svg": Markup(to_svg(charts["funnel"])) if charts["funnel"] else None,
        "funnel_indicator": charts["funnel_indicator"],
        "deciles_svg": Markup(to_svg(charts["deciles"])) if charts["deciles"] else None,
        "trend_svgs": {k: Markup(to_svg(v)) for k, v in charts["trends"].items()},
        "json_url": f"{base}.json{query}", "pdf_url": f"{base}.pdf{query}",
        "xlsx_url": f"{base}.xlsx{query}", "profile_url": base,
        "cell": cell, "verdict_words": VERDICT_WORDS, "outcome_kinds": OUTCOME_KINDS,
    }
