"""The demonstration consultation: Peterborough (E06000031), built from the hub's real budget
lines and council tax (``prefill``), published and clearly marked as a demonstration.

What is real: the service lines and their budgets (the latest RA budget, else RS outturn, in the
hub), Band D, the tax base and the other preceptors' shares (CTR). What is illustrative, and
said to be on the page: the gap to close (2% of the lines' total, to the nearest £100,000), the
adult social care floor, the dates (open for a year from the day it is seeded), and the link from
the public health line to the worked falls-prevention example (``examples/prevention``), whose
modelled later cost a resident sees when cutting that line.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from wholeplace.consult import store as consult_store
from wholeplace.consult.models import Consultation, LinePrevention, Protection, Target
from wholeplace.consult.prefill import prefill
from wholeplace.consult.tables import ConsultationRow
from wholeplace.consult.validate import check_definition
from wholeplace.errors import InputError, NotFoundError
from wholeplace.hub.store import Store

CODE = "E06000031"
SLUG = "peterborough-demo"
#: Budget years tried in turn (the newest with a verified referendum principle first).
YEARS = ("2025-26", "2024-25")
GAP_SHARE = Decimal("0.02")
ROUND_TO = Decimal(100_000)

#: The line linked to the worked falls-prevention example (an illustration), and how a cut
#: reaches it: in proportion, as if a cut fell evenly across the line's services.
PREVENTION_LINE = "public_health"
PREVENTION_MODEL = "falls_strength_balance"
PREVENTION_NOTE = (
    "ILLUSTRATION: this line is linked to the worked falls-prevention example "
    "(examples/prevention/falls.yaml), not to Peterborough's own programmes. A cut is assumed "
    "to fall evenly across public health, so the strength and balance classes lose the same "
    "share; the page then shows the modelled later cost and who bears it.")

INTRODUCTION = (
    "DEMONSTRATION: this is not a Peterborough City Council consultation. The service lines and "
    "their budgets are Peterborough's real figures from the {source} in the hub; council tax "
    "figures are its real Band D and tax base from the CTR returns. The gap to close "
    "({gap}) is illustrative: 2% of those lines' total, rounded to the nearest £100,000. The "
    "adult social care floor is illustrative too. Responses here are demonstration data.")


def _prefilled(store: Store) -> Consultation:
    problems = []
    for year in YEARS:
        for with_tax in (True, False):
            try:
                return prefill(store, CODE, year, with_council_tax=with_tax)
            except NotFoundError as exc:
                problems.append(str(exc))
    raise NotFoundError("The hub cannot build Peterborough's demonstration consultation: "
                        + " ".join(problems) + " Run 'wholeplace load' first.")


def build(store: Store, today: date) -> Consultation:
    """The demonstration definition, checked."""
    c = _prefilled(store)
    total = sum((line.current_budget for line in c.lines), Decimal(0))
    gap = max(ROUND_TO, (total * GAP_SHARE / ROUND_TO).quantize(Decimal(1)) * ROUND_TO)
    lines = []
    for line in c.lines:
        if line.id == "adult_social_care":
            floor = line.current_budget - 5 * line.step
            line = line.model_copy(update={"protection": Protection(
                kind="statutory_floor", minimum=floor, reason="(Demonstration floor) The "
                "council must meet eligible needs for care and support under the Care Act "
                "2014.")})
        elif line.id == PREVENTION_LINE:
            line = line.model_copy(update={
                "description": PREVENTION_NOTE,
                "prevention": LinePrevention(model=PREVENTION_MODEL, mapping="proportional")})
        lines.append(line)
    source = (c.prefilled_from or "hub").removeprefix("hub: ").split(" (")[0]
    demo = c.model_copy(update={
        "title": f"DEMONSTRATION: Peterborough budget simulator {c.budget_year}",
        "introduction": INTRODUCTION.format(source=source, gap=f"£{gap:,.0f}"),
        "demonstration": True, "opens": today, "closes": today + timedelta(days=365),
        "target": Target(kind="gap", amount=gap), "lines": lines})
    return check_definition(demo, "demonstration consultation")


def seed(session: Session, store: Store, today: date) -> tuple[ConsultationRow, bool]:
    """Create and publish the demonstration consultation unless it exists (idempotent).
    Returns the row and whether it was created now."""
    from wholeplace.access import organisations

    existing = consult_store.find(session, SLUG)
    if existing is not None:
        if not existing.demonstration:
            raise InputError(f"A consultation {SLUG!r} exists and is not a demonstration; "
                             "it was left alone.")
        return existing, False
    if organisations.find(session, CODE) is None:
        raise InputError(f"Peterborough ({CODE}) is not an organisation yet; run 'wholeplace "
                         "admin org sync' first.")
    row = consult_store.create(session, build(store, today), CODE, slug=SLUG)
    row.privacy_notice = ("DEMONSTRATION: this consultation is a demonstration of the "
                          "software, not run by Peterborough City Council. "
                          + row.privacy_notice)
    consult_store.publish(session, row)
    return row, True
