"""A SYNTHETIC residents index under real data-sharing agreements, for the access, CLI and web
tests: the access layer's test people plus residents roles, agreements approved by each
party's DPO, sources registered through the policy and linked."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from tests.access_support import CAMBRIDGE, ICB, PASSWORD, SOUTH_CAMBS, populate
from wholeplace.access import agreements, memberships, organisations, users
from wholeplace.access.actor import Actor
from wholeplace.appdb import session_factory
from wholeplace.residents import demo
from wholeplace.residents.access import cli_actor, refresher, register_source
from wholeplace.residents.link import LinkConfig, run_link
from wholeplace.residents.mapping import item_for
from wholeplace.residents.privacy import create_key, load_key
from wholeplace.residents.workspace import open_workspace

TODAY = date.today()
PURPOSE = demo.PURPOSE
#: email -> (organisation, role) added to access_support.PEOPLE.
RESIDENTS_PEOPLE = {
    "caseworker@cambridge.example": (CAMBRIDGE, "caseworker"),
    "reviewer@cambridge.example": (CAMBRIDGE, "linkage_reviewer"),
    "caseworker@southcambs.example": (SOUTH_CAMBS, "caseworker"),
    "reviewer@southcambs.example": (SOUTH_CAMBS, "linkage_reviewer"),
    "analyst@southcambs.example": (SOUTH_CAMBS, "analyst"),
    "dpo@southcambs.example": (SOUTH_CAMBS, "data_protection_officer"),
}


def add_people(engine: Engine) -> None:
    with session_factory(engine)() as s, s.begin():
        for email, (code, role) in RESIDENTS_PEOPLE.items():
            user = users.add(s, email, email.split("@")[0].title(), PASSWORD)
            memberships.grant(s, user, organisations.get(s, code), role)


def agreement(engine: Engine, parties: tuple[str, str], dpos: tuple[str, ...],
              systems: tuple[str, ...] = demo.SYSTEMS, title: str = "Residents",
              end: date = date(2030, 3, 31)) -> str:
    """An agreement covering ``systems`` for the purpose, approved by the DPOs given (active
    only when every party's DPO approved)."""
    with session_factory(engine)() as s, s.begin():
        found = agreements.add(s, agreements.Terms(
            title=title, purpose="Prevention", parties=parties,
            items=tuple(item_for(PURPOSE, x) for x in systems), article6_basis="public_task",
            start_date=date(2026, 1, 1), end_date=end))
        for dpo in dpos:
            user = users.get(s, dpo)
            code = next(c for c, _ in _grants(dpo))
            agreements.approve(s, found, code, user)
        return str(found.id)


def _grants(email: str) -> list[tuple[str, str]]:
    from tests.access_support import PEOPLE

    if email in RESIDENTS_PEOPLE:
        return [RESIDENTS_PEOPLE[email]]
    return PEOPLE[email]


def actor(engine: Engine, email: str, org: str) -> Actor:
    with session_factory(engine)() as s:
        return cli_actor(s, email, org, "test")


def seeded_engine(engine: Engine) -> dict[str, str]:
    """People and two agreements: Cambridge with the care board (ICB), and Cambridge with
    South Cambridgeshire. Returns their ids."""
    populate(engine)
    add_people(engine)
    return {"icb": agreement(engine, (CAMBRIDGE, ICB), ("dpo@cambridge.example",
                                                        "dpo@icb.example"), title="With ICB"),
            "councils": agreement(engine, (CAMBRIDGE, SOUTH_CAMBS),
                                  ("dpo@cambridge.example", "dpo@southcambs.example"),
                                  title="Councils")}


def build_index(engine: Engine, folder: Path, agreement_id: str, households: int = 150,
                seed: int = 3) -> tuple[Path, Path]:
    """SYNTHETIC extracts registered by Cambridge's DPO under ``agreement_id`` and linked.
    Returns the workspace and key folder."""
    from wholeplace.residents import synthetic

    population = synthetic.generate(households, seed=seed, systems=demo.SYSTEMS)
    paths = synthetic.write(population, folder / "extracts")
    keys, workspace = folder / "keys", folder / "residents.duckdb"
    create_key(keys, PURPOSE)
    with session_factory(engine)() as s, s.begin(), open_workspace(workspace) as ws:
        dpo = cli_actor(s, "dpo@cambridge.example", CAMBRIDGE, "test")
        for system, path in paths.items():
            register_source(s, ws, dpo, path, demo.synthetic_mapping(system), agreement_id,
                            PURPOSE, TODAY)
        run_link(ws, PURPOSE, load_key(keys, PURPOSE), LinkConfig(), TODAY,
                 refresher(s, TODAY))
    return workspace, keys
