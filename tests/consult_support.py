"""Shared by the consultation storage and web tests: the Peterborough demonstration definition
(real budget lines and council tax), open on the day the tests run, and a balanced answer."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy.orm import Session

from wholeplace.access.models import Organisation
from wholeplace.consult import Consultation, Response, load_definition
from wholeplace.consult import store as consult_store
from wholeplace.consult.models import ReservesLever
from wholeplace.consult.tables import ConsultationRow

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "consult" / "peterborough-demo.yaml"
PETERBOROUGH = "E06000031"
#: Education down four steps of £1,459,000: more than the £5,800,000 gap.
BALANCED = {"line_changes": {"education": "-5836000"}}


def definition(**update: object) -> Consultation:
    """The example, open from yesterday for a month, with a reserves lever (£2,000,000 held,
    £1,000,000 minimum, in £100,000 steps) so that its rule can be tested."""
    c = load_definition(EXAMPLE)
    values: dict[str, object] = {
        "opens": date.today() - timedelta(days=1), "closes": date.today() + timedelta(days=30),
        "reserves": ReservesLever(available=Decimal(2_000_000), minimum_balance=Decimal(
            1_000_000), step=Decimal(100_000))}
    values.update(update)
    return c.model_copy(update=values)


def seed(session: Session, slug: str = "peterborough-test", publish: bool = True,
         **flags: object) -> ConsultationRow:
    if session.get(Organisation, 1) is None and not session.query(Organisation).filter_by(
            code=PETERBOROUGH).first():
        session.add(Organisation(code=PETERBOROUGH, name="Peterborough", org_type="council"))
        session.flush()
    row = consult_store.create(session, definition(), PETERBOROUGH, slug=slug)
    for name, value in flags.items():
        setattr(row, name, value)
    if publish:
        consult_store.publish(session, row)
    session.commit()
    return row


def balanced(**extra: object) -> Response:
    return Response.model_validate({**BALANCED, **extra})
