"""The header's service navigation: the public pages for everyone, and for a signed-in person
a link to each page their roles (in the organisation they act for) allow.

Each link is chosen by asking :func:`wholeplace.access.policy.allowed` the same question, with
the same resource, as the ``require(...)`` dependency of the route it points to
(web/access/rules.py), so the header never offers a page that would refuse the person.
tests/integration/test_navigation_web.py follows every link of every kind of person.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import Request
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from wholeplace.access.actor import Actor
from wholeplace.access.models import Organisation, OrganisationArea
from wholeplace.access.policy import Org, allowed

#: (href, label) shown to everyone, signed in or not.
PUBLIC_LINKS: tuple[tuple[str, str], ...] = (
    ("/", "Search"), ("/councils", "Councils"), ("/early-warning", "Early warning"),
    ("/datasets", "Datasets"), ("/agreements", "Agreements"), ("/docs", "API"))

#: (href, label, action) of pages about the organisation acted for (``acting_org`` resource).
_ORG_PAGES: tuple[tuple[str, str, str], ...] = (
    ("/uploads", "Uploads", "upload.list"),
    ("/agreements/new", "New agreement", "agreement.create"),
    ("/consult/manage", "Consultations", "consult.manage"),
    ("/audit", "Audit", "audit.view"),
)

#: (href, label, action) of pages whose rule takes no resource.
_PLAIN_PAGES: tuple[tuple[str, str, str], ...] = (
    ("/plans", "Plans", "plan.list"),
    ("/admin/organisations", "Administration", "admin.org.list"),
)

#: The residents index pages of one purpose: (path under /residents/<purpose>, label, action).
_RESIDENTS_PAGES: tuple[tuple[str, str, str], ...] = (
    ("", "Residents", "residents.lookup"),
    ("/review", "Linkage review", "residents.review"),
    ("/households", "Households", "residents.aggregate"),
)

_PURPOSE_FILE = re.compile(r"^[a-z0-9_-]+$")


class HubsCache:
    """Every subregional hub with the councils it serves, read again after ``ttl`` seconds.

    Only the header uses it (the subregion route asks the database itself), so a hub added a
    moment ago at worst lacks its link for ``ttl`` seconds; it never grants anything."""

    def __init__(self, ttl: float = 30.0) -> None:
        self.ttl = ttl
        self._lock = threading.Lock()
        self._kept: dict[int, tuple[float, list[tuple[str, str, frozenset[str]]]]] = {}

    def hubs(self, factory: sessionmaker[Session]) -> list[tuple[str, str, frozenset[str]]]:
        now = time.monotonic()
        with self._lock:
            kept = self._kept.get(id(factory))
        if kept is not None and now - kept[0] < self.ttl:
            return kept[1]
        served: dict[tuple[str, str], set[str]] = {}
        with factory() as s:
            for code, name, area in s.execute(
                    select(Organisation.code, Organisation.name, OrganisationArea.area_code)
                    .outerjoin(OrganisationArea,
                               OrganisationArea.organisation_id == Organisation.id)
                    .where(Organisation.org_type == "hub").order_by(Organisation.name)):
                areas = served.setdefault((code, name), set())
                if area is not None:
                    areas.add(area)
        found = [(code, name, frozenset(areas)) for (code, name), areas in served.items()]
        with self._lock:
            self._kept[id(factory)] = (now, found)
        return found


HUBS = HubsCache()


def purposes(key_dir: Path) -> list[str]:
    """The purposes the residents index holds a key for (one ``<purpose>.key`` each)."""
    try:
        return sorted(p.stem for p in key_dir.glob("*.key") if _PURPOSE_FILE.match(p.stem))
    except OSError:
        return []


def signed_in_links(actor: Actor, hubs: Callable[[], list[tuple[str, str, frozenset[str]]]],
                    residents_purposes: Callable[[], list[str]]) -> list[tuple[str, str]]:
    """(href, label) of every page ``actor`` may open from the header, beyond the public ones.
    ``hubs`` and ``residents_purposes`` are asked only when the person's roles could use
    them."""
    links: list[tuple[str, str]] = []
    here = Org(actor.acting_for) if actor.acting_for else None
    links.extend((href, label) for href, label, action in _ORG_PAGES
                 if allowed(actor, action, here))
    links.extend((href, label) for href, label, action in _PLAIN_PAGES
                 if allowed(actor, action))
    if actor.acting_for and actor.roles_here():
        reachable = [(code, name) for code, name, members in hubs()
                     if allowed(actor, "subregion.view", Org(code, members))]
        for code, name in reachable:
            label = "Subregion" if len(reachable) == 1 else f"Subregion: {name}"
            links.append((f"/subregion/{code}", label))
    residents = [(tail, label) for tail, label, action in _RESIDENTS_PAGES
                 if allowed(actor, action, here)]
    if residents:
        found = residents_purposes()
        for purpose in found:
            for tail, label in residents:
                links.append((f"/residents/{purpose}{tail}",
                              label if len(found) == 1 else f"{label} ({purpose})"))
    return links


def current(links: list[tuple[str, str]], path: str) -> str | None:
    """The link of the section ``path`` is in: the longest whose path it is or is under."""
    if path in ("/", "/search"):
        return "/"
    if path.startswith("/council/"):
        return "/councils"
    under = [href for href, _ in links if href != "/" and (
        path == href or path.startswith((href + "/", href + ".")))]
    return max(under, key=len, default=None)


def header_links(request: Request) -> list[tuple[str, str, bool]]:
    """(href, label, is the current section) of the header's links for this request (a Jinja
    global: ``nav_links(request)``)."""
    links = list(PUBLIC_LINKS)
    actor: Any = getattr(request.state, "actor", None)
    if isinstance(actor, Actor):
        state = request.app.state
        links.extend(signed_in_links(actor, lambda: HUBS.hubs(state.appdb),
                                     lambda: purposes(Path(state.settings.resident_keys))))
    active = current(links, request.url.path)
    return [(href, label, href == active) for href, label in links]
