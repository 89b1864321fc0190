"""Organisations: every council in the place register (keyed by its GSS code) and partner
organisations (ICB, police, fire, voluntary group, subregional hub) with the areas they serve."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from wholeplace.access.models import ORG_TYPES, Organisation, OrganisationArea
from wholeplace.errors import InputError, NotFoundError

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{1,39}$")
GSS = re.compile(r"^[EWSN]\d{8}$")


@dataclass(frozen=True)
class Council:
    """A council as the place register gives it."""

    code: str
    name: str


def get(session: Session, code: str) -> Organisation:
    org = session.scalar(select(Organisation).where(Organisation.code == code))
    if org is None:
        raise NotFoundError(f"There is no organisation with code {code!r}. "
                            "'wholeplace admin org list' lists them.")
    return org


def find(session: Session, code: str) -> Organisation | None:
    return session.scalar(select(Organisation).where(Organisation.code == code))


def all_organisations(session: Session, org_type: str | None = None) -> Sequence[Organisation]:
    query = select(Organisation).order_by(Organisation.org_type, Organisation.name)
    if org_type is not None:
        query = query.where(Organisation.org_type == org_type)
    return session.scalars(query).all()


def _check(code: str, name: str, org_type: str, areas: Iterable[str]) -> list[str]:
    problems = []
    if not CODE.match(code):
        problems.append(f"code {code!r} must be 2 to 40 letters, digits or hyphens")
    if not name.strip() or len(name) > 200:
        problems.append("the name must be 1 to 200 characters")
    if org_type not in ORG_TYPES:
        problems.append(f"type {org_type!r} must be one of {', '.join(ORG_TYPES)}")
    if org_type == "council" and not GSS.match(code):
        problems.append(f"a council's code is its GSS code (like E07000008), not {code!r}")
    bad = [a for a in areas if not GSS.match(a)]
    if bad:
        problems.append(f"areas must be GSS codes; not {', '.join(sorted(bad))}")
    return problems


def add(session: Session, code: str, name: str, org_type: str,
        areas: Iterable[str] = (), known_councils: set[str] | None = None,
        demonstration: bool = False) -> Organisation:
    """Add an organisation. A hub's ``areas`` are the councils it serves (each must already be
    an organisation when ``known_councils`` is given)."""
    areas = sorted(set(areas))
    problems = _check(code, name, org_type, areas)
    if known_councils is not None and org_type == "hub":
        missing = [a for a in areas if a not in known_councils]
        if missing:
            problems.append(f"the hub serves councils not in the register: {', '.join(missing)}"
                            " (run 'wholeplace admin org sync' first)")
    if find(session, code) is not None:
        problems.append(f"an organisation with code {code!r} already exists")
    if problems:
        raise InputError("Cannot add the organisation: " + "; ".join(problems) + ".")
    org = Organisation(code=code, name=name.strip(), org_type=org_type,
                       demonstration=demonstration,
                       areas=[OrganisationArea(area_code=a) for a in areas])
    session.add(org)
    session.flush()
    return org


def sync_councils(session: Session, councils: Iterable[Council]) -> tuple[int, int]:
    """Create (or rename) one organisation per council; returns (added, renamed)."""
    existing = {o.code: o for o in all_organisations(session)}
    added = renamed = 0
    for council in councils:
        org = existing.get(council.code)
        if org is None:
            session.add(Organisation(code=council.code, name=council.name, org_type="council",
                                     areas=[OrganisationArea(area_code=council.code)]))
            added += 1
        elif org.org_type == "council" and org.name != council.name:
            org.name = council.name
            renamed += 1
    session.flush()
    return added, renamed


def served_by(org: Organisation) -> frozenset[str]:
    return frozenset(a.area_code for a in org.areas)


def as_row(org: Organisation) -> dict[str, object]:
    return {"code": org.code, "name": org.name, "type": org.org_type,
            "areas": sorted(served_by(org)), "demonstration": org.demonstration}
