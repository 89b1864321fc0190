"""Build a SYNTHETIC residents workspace from the generator: the fixture builder the tests,
benchmarks and the demo share, and the demonstration's organisations, accounts and agreement
(``wholeplace residents demo``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from wholeplace.access import agreements, audit, memberships, organisations, users
from wholeplace.access import demo as access_demo
from wholeplace.access.models import Agreement
from wholeplace.residents import synthetic
from wholeplace.residents.link import RunSummary
from wholeplace.residents.mapping import Authorisation, SourceMapping, item_for, mapping_from
from wholeplace.residents.privacy import create_key, key_path, load_key
from wholeplace.residents.sources import register
from wholeplace.residents.workspace import Workspace, open_workspace

PURPOSE = "prevention"
SYSTEMS = ("council_tax", "electoral_register", "housing_benefit", "adult_social_care")
#: What an agreement in force covering every SYNTHETIC system says, for building fixtures
#: without an application database (tests, benchmarks). The demonstration command and every
#: registration through the CLI or the web read the real agreement from the access layer.
FIXTURE_OWNER = "E07000008"
DEMO_AUTHORISATION = Authorisation(
    agreement_id="SYNTHETIC-DSA-1", purpose=PURPOSE, status="active", ends_on=date(2030, 3, 31),
    owner=FIXTURE_OWNER, parties=frozenset({FIXTURE_OWNER, "E07000012"}),
    items=frozenset(item_for(PURPOSE, s) for s in synthetic.SYSTEMS))


@dataclass
class Demo:
    folder: Path
    workspace: Path
    key_dir: Path
    population: synthetic.Population
    paths: dict[str, Path]


def synthetic_mapping(system: str) -> SourceMapping:
    return mapping_from({"source": system, "label": f"SYNTHETIC {system}",
                         **synthetic.MAPPINGS[system]}, f"synthetic mapping {system}")


def build(folder: Path, n_households: int = 500, seed: int = 1,
          systems: tuple[str, ...] = SYSTEMS, today: date = synthetic.REFERENCE_DATE,
          authorisation: Authorisation = DEMO_AUTHORISATION) -> Demo:
    """Generate, write and register SYNTHETIC extracts; create the purpose's key if missing."""
    population = synthetic.generate(n_households, seed=seed, systems=systems)
    paths = synthetic.write(population, folder / "extracts")
    key_dir = folder / "keys"
    if not key_path(key_dir, PURPOSE).exists():
        create_key(key_dir, PURPOSE)
    workspace = folder / "residents.duckdb"
    with open_workspace(workspace) as ws:
        for system, path in paths.items():
            register(ws, path, synthetic_mapping(system), authorisation, today)
    return Demo(folder, workspace, key_dir, population, paths)


# --- The demonstration: a SYNTHETIC index under a real (demonstration) agreement -------------

#: Title of the demonstration agreement (found by it, so seeding is idempotent).
AGREEMENT_TITLE = "DEMONSTRATION: SYNTHETIC residents index for prevention"
#: The council holding the demonstration sources, and its partner in the agreement.
OWNER, PARTNER = access_demo.COUNCILS
#: Residents accounts added to the access layer's demonstration accounts.
ACCOUNTS = (
    access_demo.DemoAccount("caseworker.cambridge@demo.invalid",
                            "Demonstration caseworker (Cambridge)", OWNER, "caseworker"),
    access_demo.DemoAccount("reviewer.cambridge@demo.invalid",
                            "Demonstration linkage reviewer (Cambridge)", OWNER,
                            "linkage_reviewer"),
)


def seed_access(session: Session, start: date, end: date) -> Agreement:
    """The demonstration organisations and accounts (access/demo.py's, plus a caseworker and
    a linkage reviewer) and an agreement covering every SYNTHETIC system, approved by both
    councils' demonstration DPOs. Creates only what is missing."""
    access_demo.create(session)
    for account in ACCOUNTS:
        user = users.find(session, account.email) or users.add(
            session, account.email, account.name, access_demo.DEMO_PASSWORD,
            demonstration=True)
        memberships.grant(session, user, organisations.get(session, account.org), account.role)
    found = next((a for a in agreements.all_agreements(session)
                  if a.title == AGREEMENT_TITLE and a.status != "revoked"), None)
    if found is None:
        found = agreements.add(session, agreements.Terms(
            title=AGREEMENT_TITLE, purpose=f"{PURPOSE}: joining up services around a household "
            "(a demonstration on SYNTHETIC records)", parties=(OWNER, PARTNER),
            items=tuple(item_for(PURPOSE, s) for s in SYSTEMS), article6_basis="public_task",
            article9_condition="h", start_date=start, end_date=end))
    for code, dpo in ((OWNER, "dpo.cambridge@demo.invalid"),
                      (PARTNER, "dpo.southcambs@demo.invalid")):
        party = next(p for p in found.parties if p.organisation.code == code)
        if party.approved_at is None and found.status == "awaiting_approval":
            user = users.get(session, dpo)
            agreements.approve(session, found, code, user)
            audit.record(session, f"{dpo}", "agreement.approve", f"agreement:{found.id}",
                         acting_for=code, detail={"demonstration": True})
    return found


def demonstration_built(ws: Workspace, agreement_id: str) -> bool:
    """True when the workspace already holds a linked index of every SYNTHETIC system
    registered under ``agreement_id``."""
    held = dict(ws.rows("SELECT source, agreement_id FROM sources WHERE purpose = ?",
                        [PURPOSE]))
    runs = ws.scalar("SELECT count(*) FROM runs WHERE purpose = ? AND kind = 'full' AND "
                     "finished_at IS NOT NULL", [PURPOSE])
    return bool(runs) and all(held.get(s) == agreement_id for s in SYSTEMS)


def build_index(session: Session, ws: Workspace, folder: Path, key_dir: Path,
                agreement_id: str, households: int, seed: int, today: date) -> RunSummary:
    """Generate SYNTHETIC extracts into ``folder``, register them for the owner council as its
    demonstration DPO (through the policy, under the agreement), and link them."""
    from wholeplace.access.actor import operator_actor
    from wholeplace.residents.access import cli_actor, refresher, register_source
    from wholeplace.residents.link import LinkConfig, run_link

    population = synthetic.generate(households, seed=seed, systems=SYSTEMS)
    paths = synthetic.write(population, folder)
    if not key_path(key_dir, PURPOSE).exists():
        create_key(key_dir, PURPOSE)
    dpo = cli_actor(session, "dpo.cambridge@demo.invalid", OWNER, operator_actor().id)
    for system, path in paths.items():
        register_source(session, ws, dpo, path, synthetic_mapping(system), agreement_id,
                        PURPOSE, today)
    return run_link(ws, PURPOSE, load_key(key_dir, PURPOSE), LinkConfig(), today,
                    refresher(session, today))
