"""The demonstration plan seeded into a fresh application database from the real hub (for the
plan web and browser tests)."""

from __future__ import annotations

from pathlib import Path

from wholeplace.access import organisations
from wholeplace.access.councils import register_councils
from wholeplace.appdb import make_engine, session_factory, upgrade
from wholeplace.budget import demo, unit_costs
from wholeplace.hub.store import open_store

ROOT = Path(__file__).parents[1]


def seed_demo_plan(hub: Path, url: str) -> str:
    """Migrate ``url``, add every council and the demonstration plan; return the plan slug."""
    engine = make_engine(url)
    upgrade(engine)
    with open_store(hub, read_only=True) as store, session_factory(engine)() as s, s.begin():
        organisations.sync_councils(s, register_councils(store))
        plan, _, _ = demo.seed(s, store, lambda c, k: unit_costs.unit_cost(store, c, k),
                               ROOT / "examples/prevention/falls.yaml")
        slug = plan.slug
    engine.dispose()
    return slug
